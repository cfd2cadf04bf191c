"""Alert burden: how many flags the engine asks a clinician to look at, and what they catch.

Replays the engine over every episode of a clinic as its history happened: 72 hours after each session
(room for its check-in to come back) the rules run on the facts as they stood then, through the same
pure steps as the engine (risk.rules.run_rules, risk.intents.flag_intents), on flags kept in memory.
The clinician is assumed to read the inbox between sessions: every open flag is acknowledged before
the next evaluation, so a flag that re-opens with a new finding counts as a new alert.

    DATABASE_URL=postgres://root@127.0.0.1:5432/attune_i11 .venv/bin/python bench/alert_burden.py --clinic 1

Seeds a demo clinic (demo/courses.py) unless --clinic names an existing one. Prints:

- new flags per clinician per week: flags raised (and flags re-opened by a new finding) divided by the
  clinic's clinicians and the weeks between the first and the last evaluation;
- flags per client-episode: flags raised over the episodes evaluated at least once;
- recall of later dropouts in sessions 1–3: of the cohort in bench/cohort.py (session 3 attended,
  stayers followed to session 6), the share of clients who later stopped coming that had a flag raised
  by the evaluation after session 3 — and the same share among stayers (the false-alarm side)."""

import argparse
import datetime as dt
import os
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

CHECKIN_WINDOW = dt.timedelta(hours=72)
MIN_FOLLOW_UP = 6  # as bench/cohort.py: a stayer still open must have reached this session
EARLY = 3  # "flagged early": raised by the evaluation after session 3


@dataclass
class SimFlag:
    """A flag kept in memory: what risk.intents reads of a stored flag, and what the replay counts."""

    rule: str
    status: str
    level: str
    reasons: Any
    session_id: int | None
    opened_at: dt.datetime
    pillar: str = ""
    findings: Any = ()
    rule_version: str = ""
    suggested_action: str = ""


@dataclass
class Tally:
    raised: int = 0
    reopened: int = 0
    by_rule: Counter = field(default_factory=Counter)
    red: int = 0
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clinic", type=int, help="replay this existing clinic instead of seeding one")
    parser.add_argument("--markdown", action="store_true", help="one Markdown table row")
    parser.add_argument("--label", default="", help="the row's name in --markdown")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from demo import seed as demo

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if args.clinic:
        clinic_id = args.clinic
    else:
        clinic_id = demo.seed_clinic(seed=args.seed, clients=args.clients, evaluate=False).clinic.pk
    report(replay(clinic_id), markdown=args.markdown, label=args.label, seconds=time.perf_counter() - started)


def replay(clinic_id: int) -> dict[str, Any]:
    from django.utils import timezone

    from care.models import Episode
    from risk.gather import spine_facts
    from risk.thresholds import clinic_params

    episodes = {
        e.pk: e for e in Episode.objects.filter(client__clinic_id=clinic_id).select_related("client__clinic")
    }
    everything = spine_facts(list(episodes.values()), now=timezone.now())
    latest_time = max(s.scheduled_start for f in everything for s in f.sessions)
    params = clinic_params(next(iter(episodes.values())).client.clinic)
    cuts = episode_moments(everything, episodes, latest_time)
    tally, early_flagged = Tally(), {}
    for episode_id, moments in cuts.items():
        early_flagged[episode_id] = _replay_episode(moments, params, tally)
    cohort = _cohort(everything, episodes, latest_time)
    dropouts = [d for d, e in cohort if d]
    return {
        "clinicians": len({e.clinician_id for e in episodes.values()}),
        "episodes": len(cuts),
        "tally": tally,
        "cohort": len(cohort),
        "dropouts": len(dropouts),
        "dropouts_flagged": sum(1 for d, e in cohort if d and early_flagged.get(e)),
        "stayers_flagged": sum(1 for d, e in cohort if not d and early_flagged.get(e)),
    }


def episode_moments(everything, episodes, latest_time) -> dict[int, list[tuple[int, Any]]]:
    """{episode id: [(session number, facts as they stood CHECKIN_WINDOW after it)]}, pillar facts loaded
    for each cut (grouped by session number: a loader takes each episode once)."""
    from risk.gather import with_pillar_facts

    by_number: dict[int, list[Any]] = defaultdict(list)
    for full in everything:
        episode = episodes[full.episode_id]
        for session in full.sessions:
            at = session.scheduled_end + CHECKIN_WINDOW
            if at > latest_time:
                break
            if episode.closed_on is not None and episode.closed_on < session.scheduled_start.date():
                break
            was_open = episode.closed_on is None or episode.closed_on > at.date()
            by_number[session.number].append(replace(full.until(session.number, now=at), is_open=was_open))
    cuts: dict[int, list[tuple[int, Any]]] = defaultdict(list)
    for number in sorted(by_number):
        for facts in with_pillar_facts(by_number[number]):
            cuts[facts.episode_id].append((number, facts))
    return cuts


def _replay_episode(moments, params, tally: Tally) -> bool:
    """Run the engine's pure steps at each moment on in-memory flags; True if a flag was raised by the
    evaluation after session EARLY."""
    from risk.intents import flag_intents
    from risk.rules import rule_by_id, run_rules

    rules = rule_by_id()
    flags: list[SimFlag] = []
    flagged_early = False
    for number, facts in moments:
        for f in flags:  # the clinician read the inbox since the last evaluation
            if f.status == "open":
                f.status = "acknowledged"
        findings = run_rules(facts, params)
        intents = flag_intents(facts, findings, flags, rules=rules, params=params)
        new = _apply(intents, flags, facts.now)
        for flag, how in new:
            if how == "raised":
                tally.raised += 1
            else:
                tally.reopened += 1
            tally.by_rule[flag.rule] += 1
            tally.red += flag.level == "red"
            tally.first_at = min(tally.first_at or facts.now, facts.now)
            tally.last_at = max(tally.last_at or facts.now, facts.now)
            flagged_early |= number <= EARLY
    return flagged_early


def _apply(intents, flags: list[SimFlag], now: dt.datetime) -> list[tuple[SimFlag, str]]:
    """The intents' writes on in-memory flags, as risk.engine applies them through risk.services.
    Returns the flags that became new alerts: raised, or re-opened by a new finding."""
    alerts: list[tuple[SimFlag, str]] = []
    for intent in intents:
        finding = intent.finding
        if intent.action == "raise" and finding is not None:
            flag = SimFlag(
                rule=intent.rule_id,
                status="open",
                level=finding.level,
                reasons=[r.model_dump() for r in finding.reasons],
                session_id=finding.session_id,
                opened_at=now,
                pillar=intent.pillar,
                findings=list(intent.findings),
            )
            flags.insert(0, flag)
            alerts.append((flag, "raised"))
        elif intent.action == "update" and finding is not None:
            flag = intent.flag
            flag.reasons = [r.model_dump() for r in finding.reasons]
            flag.level, flag.session_id = finding.level, finding.session_id
            flag.rule, flag.findings = intent.rule_id, list(intent.findings)
            if intent.reopen and flag.status != "open":
                flag.status = "open"
                alerts.append((flag, "reopened"))
        elif intent.action == "resolve":
            intent.flag.status = "resolved"
    return alerts


def _cohort(everything, episodes, latest_time) -> list[tuple[bool, int]]:
    """(dropped out?, episode id) for the episodes bench/cohort.py studies."""
    from care.models import Episode

    chosen = []
    for full in everything:
        episode = episodes[full.episode_id]
        third = next((s for s in full.sessions if s.number == EARLY), None)
        if third is None or not third.attended or third.scheduled_end + CHECKIN_WINDOW > latest_time:
            continue
        dropped = episode.end_reason == Episode.EndReason.CLIENT_STOPPED
        attended_after = [s for s in full.sessions if s.number > EARLY and s.attended]
        if not dropped and episode.closed_on is None and len(attended_after) < MIN_FOLLOW_UP - EARLY:
            continue
        chosen.append((dropped, full.episode_id))
    return chosen


def report(result: dict[str, Any], *, markdown: bool, label: str, seconds: float) -> None:
    tally: Tally = result["tally"]
    alerts = tally.raised + tally.reopened
    weeks = max((tally.last_at - tally.first_at).days / 7, 1.0) if tally.first_at and tally.last_at else 1.0
    per_week = alerts / result["clinicians"] / weeks
    per_episode = alerts / max(result["episodes"], 1)
    recall = result["dropouts_flagged"] / max(result["dropouts"], 1)
    stayers = result["cohort"] - result["dropouts"]
    false_alarms = result["stayers_flagged"] / max(stayers, 1)
    red_share = tally.red / max(alerts, 1)
    if markdown:
        print(
            f"| {label} | {per_week:.2f} | {per_episode:.2f} | {recall:.1%} | {false_alarms:.1%} | "
            f"{tally.raised} + {tally.reopened} | {red_share:.0%} |"
        )
        return
    print(
        f"{result['clinicians']} clinicians, {result['episodes']} episodes over {weeks:.0f} weeks; "
        f"cohort {result['cohort']} ({result['dropouts']} later dropouts); {seconds:.0f} s"
    )
    print(f"new flags per clinician per week      {per_week:6.2f}")
    print(f"flags per client-episode              {per_episode:6.2f}")
    print(f"  raised {tally.raised}, re-opened {tally.reopened}, red {red_share:.0%}")
    print(f"later dropouts flagged in sessions 1-3 {recall:6.1%}")
    print(f"stayers flagged in sessions 1-3       {false_alarms:6.1%}")
    for rule_id, n in tally.by_rule.most_common():
        print(f"  {rule_id:36} {n:6d}")


if __name__ == "__main__":
    main()
