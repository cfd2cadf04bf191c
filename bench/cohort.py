"""Which risk rules separate later dropouts from stayers? A cohort study on the demo generator.

The demo (its courses of care in demo/courses.py) makes dropout depend on the early alliance. For every episode whose session 3
was attended, this replays the engine's rules on the facts as they stood 72 hours after session 3
(sessions 1–3 only: nothing from later leaks in), then compares the flags with what happened next:
did the client stop attending (Episode.end_reason = client_stopped) or stay?

    DATABASE_URL=postgres://root@127.0.0.1:5432/attune_cohort .venv/bin/python bench/cohort.py --clients 3000

Seeds a new demo clinic unless --clinic names an existing one. Prints one row per rule: how many
episodes it flagged, precision (share of flagged who dropped out), recall (share of dropouts flagged),
specificity, AUC of the yes/no flag ((recall + specificity) / 2), lift over the base rate, and how
often it speaks up: new findings per 100 sessions, replaying every session of every episode as
bench/alert_burden.py does (a finding is new when the rule did not fire at the episode's previous
evaluation). `--all-rules` runs the rules a clinic has switched off (or that are off by default) too.

Synthetic data answers "does the engine work as designed", not "which rule is valid": a clinic should
rerun this on its own history (--clinic) before trusting a rule."""

import argparse
import datetime as dt
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

DECISION_DELAY = dt.timedelta(hours=72)  # after session 3: room for its check-in to come back
MIN_FOLLOW_UP = 6  # a stayer who is still open must have reached this session, or we can't tell yet


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--clinic", type=int, help="analyse this existing clinic instead of seeding one")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--all-rules", action="store_true", help="also the rules switched off by default")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from care.models import Episode
    from demo import seed as demo
    from risk.gather import spine_facts, with_pillar_facts
    from risk.rules import engine_rules, run_rules
    from risk.thresholds import clinic_params

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if args.clinic:
        clinic_id = args.clinic
    else:
        summary = demo.seed_clinic(seed=args.seed, clients=args.clients, evaluate=False)
        clinic_id = summary.clinic.pk
        print(f"seeded {summary.clients} clients, {summary.sessions} sessions in {summary.seconds:.0f} s")

    # The same loaders as the engine, for every episode at once: the spine's facts, cut to sessions 1–3
    # as they stood at the decision point, then each pillar's own facts for that cut.
    episodes = {
        e.pk: e for e in Episode.objects.filter(client__clinic_id=clinic_id).select_related("client__clinic")
    }
    everything = spine_facts(list(episodes.values()), now=timezone.now())
    latest_time = max(s.scheduled_start for f in everything for s in f.sessions)
    chosen = []  # (dropped out?, facts as they stood)
    for full in everything:
        episode = episodes[full.episode_id]
        third = next((s for s in full.sessions if s.number == 3), None)
        if third is None or not third.attended:
            continue
        decision = third.scheduled_end + DECISION_DELAY
        if decision > latest_time:
            continue
        dropped = episode.end_reason == Episode.EndReason.CLIENT_STOPPED
        attended_after = [s for s in full.sessions if s.number > 3 and s.attended]
        if not dropped and episode.closed_on is None and len(attended_after) < MIN_FOLLOW_UP - 3:
            continue  # still too early to call a stayer
        # Open or not as it stood at the decision point: a later closing must not leak in.
        was_open = episode.closed_on is None or episode.closed_on > decision.date()
        chosen.append((dropped, replace(full.until(3, now=decision), is_open=was_open)))
    early = with_pillar_facts([f for _, f in chosen])

    params = clinic_params(next(iter(episodes.values())).client.clinic)
    rules = engine_rules()
    if args.all_rules:
        params = {r.id: {**params.get(r.id, r.defaults), "enabled": True} for r in rules}
    cohort = []  # (dropped out?, {rule ids that fired}, {rule ids red})
    for (dropped, _), facts in zip(chosen, early, strict=True):
        findings = run_rules(facts, params)
        cohort.append((dropped, set(findings), {k for k, f in findings.items() if f.level == "red"}))

    n, dropouts = len(cohort), sum(1 for d, _, _ in cohort if d)
    print(
        f"cohort: {n} episodes with session 3 attended; {dropouts} later dropped out "
        f"(base rate {dropouts / n:.1%}); analysed in {time.perf_counter() - started:.0f} s"
    )
    per_100 = onsets_per_100_sessions(everything, episodes, latest_time, params)
    print_table(table_rows(cohort, [r.id for r in rules]), per_100, markdown=args.markdown)


def onsets_per_100_sessions(everything, episodes, latest_time, params) -> dict[str, float]:
    """How often each rule brings a new finding, per 100 sessions evaluated (every session, not only 1–3)."""
    from bench.alert_burden import episode_moments

    onsets: dict[str, int] = {}
    evaluated = 0
    for moments in episode_moments(everything, episodes, latest_time).values():
        before: set[str] = set()
        for _number, facts in moments:
            evaluated += 1
            now = set(run_rules_for(facts, params))
            for rule_id in now - before:
                onsets[rule_id] = onsets.get(rule_id, 0) + 1
            before = now
    return {rule_id: 100 * n / max(evaluated, 1) for rule_id, n in onsets.items()}


def run_rules_for(facts, params):
    from risk.rules import run_rules

    return run_rules(facts, params)


def table_rows(cohort: list[tuple[bool, set[str], set[str]]], rule_ids: list[str]) -> list[tuple]:
    """One row per rule, then the combinations: (name, flagged, precision, recall, specificity, AUC, lift)."""
    n = len(cohort)
    dropouts = sum(1 for d, _, _ in cohort if d)

    def row(name: str, fired) -> tuple:
        tp = sum(1 for d, f, r in cohort if d and fired(f, r))
        fp = sum(1 for d, f, r in cohort if not d and fired(f, r))
        tn = n - dropouts - fp
        flagged = tp + fp
        precision = tp / flagged if flagged else float("nan")
        recall = tp / dropouts if dropouts else float("nan")
        specificity = tn / (tn + fp) if tn + fp else float("nan")
        auc = (recall + specificity) / 2
        lift = precision / (dropouts / n) if flagged and dropouts else float("nan")
        return name, flagged, precision, recall, specificity, auc, lift

    rows = [row(rid, lambda f, _r, rid=rid: rid in f) for rid in rule_ids]
    rows.append(row("any relationship rule", lambda f, _r: any(x.startswith("relationship.") for x in f)))
    rows.append(row("any rule", lambda f, _r: bool(f)))
    rows.append(row("any red flag", lambda _f, r: bool(r)))
    return rows


def print_table(rows: list[tuple], per_100: dict[str, float], *, markdown: bool) -> None:
    header = ("rule", "flagged", "precision", "recall", "specificity", "AUC", "lift", "per 100 sessions")
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for name, flagged, p, r, s, auc, lift in rows:
            often = f"{per_100.get(name, 0):.1f}" if "." in name else "–"
            print(f"| {name} | {flagged} | {p:.2f} | {r:.2f} | {s:.2f} | {auc:.2f} | {lift:.1f} | {often} |")
    else:
        print(
            f"{'rule':36} {'flagged':>7} {'prec':>6} {'recall':>6} {'spec':>6} {'AUC':>5} {'lift':>5} {'/100':>5}"
        )
        for name, flagged, p, r, s, auc, lift in rows:
            often = per_100.get(name, 0.0)
            print(f"{name:36} {flagged:7d} {p:6.2f} {r:6.2f} {s:6.2f} {auc:5.2f} {lift:5.1f} {often:5.1f}")


if __name__ == "__main__":
    main()
