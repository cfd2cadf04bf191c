"""From findings to flag intents: what the engine should do about each pillar's flag on an episode.

Pure: given the episode's facts, the rules' findings and its flags as they stand, it says which flags
to raise, update, resolve or leave, and why. The engine then applies the writes (risk.engine).

One flag per pillar per episode: a pillar's findings merge into it. Its reasons list every finding
with its evidence; its level is the highest finding's; its title and action are the leading finding's
(the highest level, then the order the pillar registered its rules). A finding whose rule stops firing
leaves the flag when its rule's way of closing allows (a later check-in, the condition clearing);
the flag resolves when none is left. A finding from a rule not on the flag when the clinician
acknowledged it — or a rise to red — re-opens it, marked "new since you acknowledged".

A rule set `"informational": true` (the default of rules that did not separate later dropouts from
stayers on the cohort, docs/risk.md) adds its finding to a flag its pillar raised for another reason,
but never raises, re-opens or turns a flag red on its own."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from risk.facts import EpisodeFacts, Finding, Params, Rule
from risk.schemas import FlagReason

RESOLVED = "resolved"
SEEN = frozenset({"acknowledged", "repair_recorded"})
LEVEL_ORDER = {"red": 0, "amber": 1}


class FlagLike(Protocol):
    """What the intents read of a stored flag (risk.models.Flag)."""

    rule: str
    rule_version: str
    pillar: str
    status: str
    level: str
    reasons: Any
    findings: Any
    suggested_action: str
    session_id: int | None
    opened_at: Any


@dataclass(frozen=True)
class FlagIntent:
    action: Literal["raise", "update", "resolve", "leave"]
    rule_id: str  # the leading finding's rule: the flag's title
    finding: Finding | None = None  # raise, update: the merged evidence (level, reasons, action, session)
    flag: Any = None  # update, resolve, leave: the active flag concerned
    why: str = ""  # resolve: the resolution; update: why findings left it; leave: why nothing is written
    pillar: str = ""
    findings: tuple[dict[str, Any], ...] = ()  # raise, update: each rule's finding, stored form
    reopen: bool = False  # update: the clinician had seen it, and something new came
    new_rules: tuple[str, ...] = ()  # update with reopen: the rules whose findings are new


def stored_findings(flag: FlagLike) -> list[dict[str, Any]]:
    """A flag's findings; a flag from before the merge is its rule's one finding."""
    if flag.findings:
        return list(flag.findings)
    return [
        {
            "rule": flag.rule,
            "version": getattr(flag, "rule_version", ""),
            "level": flag.level,
            "session_id": flag.session_id,
            "reasons": flag.reasons,
            "suggested_action": getattr(flag, "suggested_action", ""),
        }
    ]


def finding_entry(
    rule_id: str, version: str, finding: Finding, *, informational: bool = False
) -> dict[str, Any]:
    return {
        "informational": informational,
        "rule": rule_id,
        "version": version,
        "level": finding.level,
        "session_id": finding.session_id,
        "reasons": [r.model_dump() for r in finding.reasons],
        "suggested_action": finding.suggested_action,
    }


def merged(entries: Sequence[Mapping[str, Any]]) -> Finding:
    """The flag's evidence: the highest level, every reason, the leading finding's action and session."""
    lead = entries[0]
    counted = [e for e in entries if not e.get("informational")] or entries
    return Finding(
        level="red" if any(e["level"] == "red" for e in counted) else "amber",
        reasons=tuple(FlagReason(**r) for e in entries for r in e["reasons"]),
        suggested_action=lead["suggested_action"],
        session_id=lead["session_id"],
    )


def flag_intents(
    facts: EpisodeFacts,
    findings: Mapping[str, Finding],
    flags: Sequence[FlagLike],
    *,
    rules: Mapping[str, Rule],
    params: Mapping[str, Params],
) -> list[FlagIntent]:
    """One intent per pillar with a finding or an active flag. `flags`: the episode's, newest first."""
    order = {rule_id: i for i, rule_id in enumerate(rules)}

    def pillar_of(rule_id: str) -> str:
        return rules[rule_id].pillar if rule_id in rules else rule_id

    found: dict[str, dict[str, Finding]] = {}
    for rule_id, finding in findings.items():
        found.setdefault(pillar_of(rule_id), {})[rule_id] = finding
    active = {f.pillar or pillar_of(f.rule): f for f in flags if f.status != RESOLVED}
    intents = []
    for pillar in [*found, *(p for p in active if p not in found)]:
        mine = found.get(pillar, {})
        entries = [
            finding_entry(r, rules[r].version, f, informational=_informational(rules[r], params))
            for r, f in mine.items()
        ]
        flag = active.get(pillar)
        if flag is None:
            intents.append(_for_new(pillar, _ordered(entries, order), flags, pillar_of))
            continue
        kept, dropped = _carried_over(flag, mine, facts, rules, params)
        intents.append(_for_active(pillar, flag, _ordered(entries + kept, order), dropped))
    return intents


def _informational(rule: Rule, params: Mapping[str, Params]) -> bool:
    return bool(params.get(rule.id, rule.defaults).get("informational", False))


def _ordered(entries: list[dict[str, Any]], order: Mapping[str, int]) -> list[dict[str, Any]]:
    return sorted(
        entries,
        key=lambda e: (
            bool(e.get("informational")),
            LEVEL_ORDER.get(e["level"], 2),
            order.get(e["rule"], len(order)),
        ),
    )


def _evidence(entries: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["rule"], e["level"], e["session_id"], e["reasons"]) for e in entries]


def _for_new(pillar: str, entries: list[dict[str, Any]], flags: Sequence[FlagLike], pillar_of) -> FlagIntent:
    lead = entries[0]["rule"]
    if all(e.get("informational") for e in entries):
        return FlagIntent("leave", lead, why="informational only: shown on a flag raised for another reason")
    closed = next((f for f in flags if (f.pillar or pillar_of(f.rule)) == pillar), None)
    if closed is not None and _evidence(stored_findings(closed)) == _evidence(entries):
        return FlagIntent(
            "leave", lead, flag=closed, why="closed by hand for this very evidence", pillar=pillar
        )
    return FlagIntent("raise", lead, merged(entries), pillar=pillar, findings=tuple(entries))


def _for_active(
    pillar: str, flag: FlagLike, entries: list[dict[str, Any]], dropped: list[tuple[str, str]]
) -> FlagIntent:
    before = stored_findings(flag)
    if all(e.get("informational") for e in entries):  # nothing left that holds a flag on its own
        why = next((w for r, w in dropped if r != "-" and w), "Resolved automatically: only notes remain.")
        return FlagIntent("resolve", flag.rule, flag=flag, why=why, pillar=pillar)
    lead = entries[0]["rule"]
    if _evidence(before) == _evidence(entries):
        kept_why = next((why for rule_id, why in dropped if rule_id == "-"), "")
        return FlagIntent(
            "leave", lead, flag=flag, why=kept_why or "same evidence as the open flag", pillar=pillar
        )
    gone = "; ".join(dict.fromkeys(why for rule_id, why in dropped if rule_id != "-" and why))
    had = {e["rule"] for e in before}
    new_rules = tuple(e["rule"] for e in entries if e["rule"] not in had and not e.get("informational"))
    now = merged(entries)
    worse = now.level == "red" and flag.level != "red"
    return FlagIntent(
        "update",
        lead,
        now,
        flag=flag,
        pillar=pillar,
        why=gone,
        findings=tuple(entries),
        reopen=flag.status in SEEN and bool(new_rules or worse),
        new_rules=new_rules or ((lead,) if worse else ()),
    )


def _carried_over(
    flag: FlagLike,
    firing: Mapping[str, Finding],
    facts: EpisodeFacts,
    rules: Mapping[str, Rule],
    params: Mapping[str, Params],
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The flag's findings whose rules no longer fire: those that stay (kept) and those that go, with
    why. A kept finding's why is listed under "-" (it tells why the flag is left as it is)."""
    kept, dropped = [], []
    for entry in stored_findings(flag):
        if entry["rule"] in firing:
            continue
        rule = rules.get(entry["rule"])
        why = _why_it_stays(rule, entry, flag, facts, params)
        if why is None:
            assert rule is not None
            dropped.append((entry["rule"], recovery_reason(rule, flag, facts, entry.get("session_id")) or ""))
        else:
            kept.append(entry)
            dropped.append(("-", why))
    # Resolutions first: the flag resolves with the first recovered finding's words.
    dropped.sort(key=lambda d: d[0] == "-")
    return kept, dropped


def _why_it_stays(
    rule: Rule | None, entry: Mapping[str, Any], flag: FlagLike, facts: EpisodeFacts, params
) -> str | None:
    if rule is None:
        return "not a rule the engine knows"
    if rule.runs_in != "engine" or rule.resolves_on == "hand":
        return "closed by hand only"
    if not params.get(rule.id, rule.defaults).get("enabled", True):
        return "switched off by the clinic"
    if recovery_reason(rule, flag, facts, entry.get("session_id")) is None:
        return "no check-in after the flag shows recovery yet"
    return None


def recovery_reason(
    rule: Rule, flag: FlagLike, facts: EpisodeFacts, session_id: int | None = None
) -> str | None:
    """Why a finding whose rule no longer fires may leave the flag now, or None to keep it.

    `session_id`: the session of the finding (the flag's session by default)."""
    if rule.resolves_on == "condition":
        return f"Resolved automatically: no longer the case ({rule.title[0].lower()}{rule.title[1:]})."
    latest = facts.latest_checkin()
    if latest is None or latest.checkin is None:
        return None
    session_id = flag.session_id if session_id is None else session_id
    flagged_at = next((s.number for s in facts.sessions if s.id == session_id), None)
    if flagged_at is not None and latest.number > flagged_at:
        return f"Resolved automatically: the check-in after session {latest.number} shows recovery."
    if flagged_at is None and latest.checkin.submitted_at > flag.opened_at:
        return f"Resolved automatically: the check-in after session {latest.number} shows recovery."
    return None
