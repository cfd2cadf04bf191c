"""Findings → flag intents: pure, no database. What the engine will write, and why it leaves the rest."""

import datetime as dt
from dataclasses import replace

import pytest

from risk.facts import Finding
from risk.intents import finding_entry, flag_intents
from risk.models import Flag
from risk.rules import rule_by_id
from risk.schemas import FlagReason
from tests.risk.factories import NOW, facts, session

RULES = rule_by_id()
SHIPPED = {rule_id: dict(r.defaults) for rule_id, r in RULES.items()}
# Every rule raising flags of its own (informational ones too): the merge tests below
DEFAULTS = {rule_id: {**p, "informational": False} for rule_id, p in SHIPPED.items()}
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
        pillar=RULES[rule].pillar if rule in RULES else rule,
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


# One flag per pillar --------------------------------------------------------------------------------------

RED = Finding(
    level="red",
    reasons=(FlagReason(text="very low", evidence={"value": 2}),),
    suggested_action="talk",
    session_id=1001,
)
RUPTURE = Finding(
    level="amber",
    reasons=(FlagReason(text="felt misunderstood"),),
    suggested_action="bring it up",
    session_id=1001,
)


def test_a_pillars_findings_merge_into_one_flag_at_the_highest_level():
    # Given three relationship findings and one reliability finding
    found = {"relationship.rupture": RUPTURE, "relationship.low_item": RED, "relationship.drop": LOW}
    found["reliability.no_checkin"] = LOW
    # When they become intents
    made = flag_intents(ONE, found, [], rules=RULES, params=DEFAULTS)
    # Then one flag per pillar: the relationship flag red, led by the red finding, every reason listed
    [relationship, reliability] = made
    assert (relationship.action, relationship.pillar, relationship.rule_id) == (
        "raise",
        "relationship",
        "relationship.low_item",
    )
    assert relationship.finding.level == "red" and relationship.finding.suggested_action == "talk"
    assert [e["rule"] for e in relationship.findings] == [
        "relationship.low_item",
        "relationship.drop",
        "relationship.rupture",
    ]
    assert [r.text for r in relationship.finding.reasons] == ["very low", "low", "felt misunderstood"]
    assert (reliability.action, reliability.pillar, reliability.finding.level) == (
        "raise",
        "reliability",
        "amber",
    )


@pytest.mark.parametrize(
    "status, found, action, reopen, new",
    [
        # the same findings as when acknowledged: nothing to say
        ("acknowledged", {"relationship.low_item": LOW}, "leave", False, ()),
        # a new rule's finding on an acknowledged flag: re-opened, naming it
        (
            "acknowledged",
            {"relationship.low_item": LOW, "relationship.rupture": RUPTURE},
            "update",
            True,
            ("relationship.rupture",),
        ),
        # after a repair too
        (
            "repair_recorded",
            {"relationship.low_item": LOW, "relationship.rupture": RUPTURE},
            "update",
            True,
            ("relationship.rupture",),
        ),
        # the same rule getting worse (amber → red) re-opens it
        ("acknowledged", {"relationship.low_item": RED}, "update", True, ("relationship.low_item",)),
        # new evidence from the same rule, same level: updated, still acknowledged
        ("acknowledged", {"relationship.low_item": replace(LOW, session_id=1002)}, "update", False, ()),
        # an open flag is never "re-opened": it is updated
        (
            "open",
            {"relationship.low_item": LOW, "relationship.rupture": RUPTURE},
            "update",
            False,
            ("relationship.rupture",),
        ),
    ],
)
def test_a_new_finding_reopens_an_acknowledged_flag(status, found, action, reopen, new):
    [made] = flag_intents(
        ONE, found, [flag("relationship.low_item", status=status)], rules=RULES, params=DEFAULTS
    )
    assert (made.action, made.reopen) == (action, reopen)
    if action == "update":
        assert made.new_rules == new


def test_a_finding_that_recovers_leaves_the_flag_and_the_rest_stay():
    # Given a flag with a low item and a rupture after session 1
    both = flag("relationship.low_item")
    both.findings = [
        finding_entry("relationship.low_item", "1", LOW),
        finding_entry("relationship.rupture", "1", RUPTURE),
    ]
    later = facts(session(1, rel={}), session(2, rel={}))
    # When session 2's check-in shows only the low item
    [made] = flag_intents(later, {"relationship.low_item": LOW}, [both], rules=RULES, params=DEFAULTS)
    # Then the rupture leaves the flag, saying why
    assert made.action == "update" and [e["rule"] for e in made.findings] == ["relationship.low_item"]
    assert made.why == "Resolved automatically: the check-in after session 2 shows recovery."
    # And when nothing fires, the flag resolves
    [gone] = flag_intents(later, {}, [both], rules=RULES, params=DEFAULTS)
    assert gone.action == "resolve"


def test_a_finding_closed_by_hand_only_keeps_the_flag_open():
    # Given a reliability flag with a clinician disruption (closed by hand) and a missing check-in
    both = flag("reliability.clinician_disruption")
    both.findings = [
        finding_entry("reliability.clinician_disruption", "1", LOW),
        finding_entry("reliability.no_checkin", "1", LOW),
    ]
    # When the check-in arrives (no_checkin stops firing) the disruption stays on the flag
    [made] = flag_intents(ONE, {}, [both], rules=RULES, params=DEFAULTS)
    assert made.action == "update" and [e["rule"] for e in made.findings] == [
        "reliability.clinician_disruption"
    ]


def test_informational_findings_never_raise_reopen_or_colour_a_flag():
    # Given the shipped defaults, where a rupture is informational
    # A rupture alone raises nothing
    [alone] = flag_intents(ONE, {"relationship.rupture": RUPTURE}, [], rules=RULES, params=SHIPPED)
    assert alone.action == "leave" and alone.why.startswith("informational only")
    # With a low item it joins the flag, after the finding that raised it
    [both] = flag_intents(
        ONE, {"relationship.rupture": RUPTURE, "relationship.low_item": LOW}, [], rules=RULES, params=SHIPPED
    )
    assert both.action == "raise" and [e["rule"] for e in both.findings] == [
        "relationship.low_item",
        "relationship.rupture",
    ]
    # A red informational finding does not turn the flag red
    red_note = {"reliability.clinician_disruption": RED, "reliability.no_show": LOW}
    [made] = flag_intents(ONE, red_note, [], rules=RULES, params=SHIPPED)
    assert made.finding.level == "amber" and made.rule_id == "reliability.no_show"
    # Arriving on an acknowledged flag, it is added without re-opening it
    seen = flag("relationship.low_item", status="acknowledged")
    found = {"relationship.low_item": LOW, "relationship.rupture": RUPTURE}
    [added] = flag_intents(ONE, found, [seen], rules=RULES, params=SHIPPED)
    assert added.action == "update" and not added.reopen
