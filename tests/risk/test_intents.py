"""Findings → flag intents: pure, no database. What the engine will write, and why it leaves the rest."""

import datetime as dt

from risk.facts import Finding
from risk.intents import flag_intents
from risk.models import Flag
from risk.rules import rule_by_id
from risk.schemas import FlagReason
from tests.risk.factories import NOW, facts, session

RULES = rule_by_id()
DEFAULTS = {rule_id: dict(r.defaults) for rule_id, r in RULES.items()}
LOW = Finding(
    level="amber",
    reasons=(FlagReason(text="low", evidence={"value": 5}),),
    suggested_action="ask",
    session_id=1001,
)


def flag(
    rule: str, *, status="open", reasons=None, level="amber", session_id=1001, opened_days_ago=3
) -> Flag:
    """An unsaved flag as the engine would read it from the database."""
    return Flag(
        rule=rule,
        status=status,
        level=level,
        reasons=[r.model_dump() for r in LOW.reasons] if reasons is None else reasons,
        session_id=session_id,
        opened_at=NOW - dt.timedelta(days=opened_days_ago),
    )


def intents(f, findings, flags, params=None):
    return [
        (i.action, i.rule_id, i.why)
        for i in flag_intents(f, findings, flags, rules=RULES, params=params or DEFAULTS)
    ]


ONE = facts(session(1, rel={}))


def test_a_new_finding_raises():
    assert intents(ONE, {"relationship.low_item": LOW}, []) == [("raise", "relationship.low_item", "")]


def test_the_same_evidence_as_the_open_flag_is_left():
    assert intents(ONE, {"relationship.low_item": LOW}, [flag("relationship.low_item")]) == [
        ("leave", "relationship.low_item", "same evidence as the open flag")
    ]


def test_new_evidence_updates_the_open_flag():
    red = Finding(level="red", reasons=LOW.reasons, suggested_action="ask", session_id=1001)
    assert intents(ONE, {"relationship.low_item": red}, [flag("relationship.low_item")])[0][0] == "update"
    moved = Finding(level="amber", reasons=LOW.reasons, suggested_action="ask", session_id=1002)
    assert intents(ONE, {"relationship.low_item": moved}, [flag("relationship.low_item")])[0][0] == "update"


def test_evidence_a_clinician_closed_is_not_raised_again_but_new_evidence_is():
    closed = flag("relationship.rupture", status="resolved")
    assert intents(ONE, {"relationship.rupture": LOW}, [closed])[0][:2] == ("leave", "relationship.rupture")
    new = Finding(level="amber", reasons=(FlagReason(text="again"),), suggested_action="ask", session_id=1002)
    assert intents(ONE, {"relationship.rupture": new}, [closed])[0][:2] == ("raise", "relationship.rupture")


def test_a_quiet_checkin_rule_resolves_only_after_a_later_check_in():
    # Flag on session 1; the latest check-in is session 2's: recovered
    later = facts(session(1, rel={}), session(2, rel={}))
    assert intents(later, {}, [flag("relationship.low_item")]) == [
        (
            "resolve",
            "relationship.low_item",
            "Resolved automatically: the check-in after session 2 shows recovery.",
        )
    ]
    # Only session 1's check-in: nothing shows recovery yet
    assert intents(ONE, {}, [flag("relationship.low_item")])[0][0] == "leave"


def test_a_quiet_condition_rule_resolves_at_once():
    [(action, _rule, why)] = intents(ONE, {}, [flag("reliability.no_show")])
    assert action == "resolve" and why.startswith("Resolved automatically: no longer the case")


def test_flags_the_engine_must_not_close_are_left():
    flags = [flag("phq9_item9_safety", level="red"), flag("someone.else"), flag("relationship.drop")]
    later = facts(session(1, rel={}), session(2, rel={}))
    switched_off = {**DEFAULTS, "relationship.drop": {**DEFAULTS["relationship.drop"], "enabled": False}}
    assert intents(later, {}, flags, switched_off) == [
        ("leave", "phq9_item9_safety", "closed by hand only"),
        ("leave", "someone.else", "not a rule the engine knows"),
        ("leave", "relationship.drop", "switched off by the clinic"),
    ]
