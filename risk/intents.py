"""From findings to flag intents: what the engine should do about each rule's flag on an episode.

Pure: given the episode's facts, the rules' findings and its flags as they stand, it says which flags
to raise, update, resolve or leave, and why. The engine then applies the writes (risk.engine)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from risk.facts import EpisodeFacts, Finding, Params, Rule

RESOLVED = "resolved"


class FlagLike(Protocol):
    """What the intents read of a stored flag (risk.models.Flag)."""

    rule: str
    status: str
    level: str
    reasons: Any
    session_id: int | None
    opened_at: Any


@dataclass(frozen=True)
class FlagIntent:
    action: Literal["raise", "update", "resolve", "leave"]
    rule_id: str
    finding: Finding | None = None  # raise, update: the new evidence
    flag: Any = None  # update, resolve, leave: the active flag concerned
    why: str = ""  # resolve: the resolution written on the flag; leave: why nothing is written


def flag_intents(
    facts: EpisodeFacts,
    findings: Mapping[str, Finding],
    flags: Sequence[FlagLike],
    *,
    rules: Mapping[str, Rule],
    params: Mapping[str, Params],
) -> list[FlagIntent]:
    """One intent per finding and per active flag. `flags`: the episode's flags, newest first."""
    active = {f.rule: f for f in flags if f.status != RESOLVED}
    intents = [
        _for_finding(rule_id, finding, active.get(rule_id), flags) for rule_id, finding in findings.items()
    ]
    for rule_id, flag in active.items():
        if rule_id not in findings:
            intents.append(_for_quiet_rule(rules.get(rule_id), rule_id, flag, facts, params))
    return intents


def _payload(finding: Finding) -> list[dict[str, Any]]:
    return [r.model_dump() for r in finding.reasons]


def _for_finding(
    rule_id: str, finding: Finding, before: FlagLike | None, flags: Sequence[FlagLike]
) -> FlagIntent:
    payload = _payload(finding)
    if before is None:
        closed = next((f for f in flags if f.rule == rule_id), None)
        if closed is not None and closed.reasons == payload:
            return FlagIntent("leave", rule_id, finding, closed, "closed by hand for this very evidence")
        return FlagIntent("raise", rule_id, finding)
    if (
        before.reasons == payload
        and before.level == finding.level
        and before.session_id == finding.session_id
    ):
        return FlagIntent("leave", rule_id, finding, before, "same evidence as the open flag")
    return FlagIntent("update", rule_id, finding, before)


def _for_quiet_rule(
    rule: Rule | None, rule_id: str, flag: FlagLike, facts: EpisodeFacts, params: Mapping[str, Params]
) -> FlagIntent:
    """An active flag whose rule no longer fires: resolve it if the rule's way of closing allows."""
    if rule is None:
        return FlagIntent("leave", rule_id, flag=flag, why="not a rule the engine knows")
    if rule.runs_in != "engine" or rule.resolves_on == "hand":
        return FlagIntent("leave", rule_id, flag=flag, why="closed by hand only")
    if not params.get(rule_id, rule.defaults).get("enabled", True):
        return FlagIntent("leave", rule_id, flag=flag, why="switched off by the clinic")
    why = recovery_reason(rule, flag, facts)
    if why is None:
        return FlagIntent("leave", rule_id, flag=flag, why="no check-in after the flag shows recovery yet")
    return FlagIntent("resolve", rule_id, flag=flag, why=why)


def recovery_reason(rule: Rule, flag: FlagLike, facts: EpisodeFacts) -> str | None:
    """Why an active flag whose rule no longer fires may close by itself now, or None to keep it open."""
    if rule.resolves_on == "condition":
        return f"Resolved automatically: no longer the case ({rule.title[0].lower()}{rule.title[1:]})."
    latest = facts.latest_checkin()
    if latest is None or latest.checkin is None:
        return None
    flagged_at = next((s.number for s in facts.sessions if s.id == flag.session_id), None)
    if flagged_at is not None and latest.number > flagged_at:
        return f"Resolved automatically: the check-in after session {latest.number} shows recovery."
    if flagged_at is None and latest.checkin.submitted_at > flag.opened_at:
        return f"Resolved automatically: the check-in after session {latest.number} shows recovery."
    return None
