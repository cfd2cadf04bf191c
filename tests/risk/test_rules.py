"""Every rule, table-driven: boundary values on both sides of each threshold. Pure functions, no database."""

import pytest

from alliance import rules as rel
from readiness import rules as ready
from regimen import rules as reg
from reliability import rules as relia
from risk.safety_rule import SAFETY
from tests.risk.factories import facts, session

S = session


def run(rule, f, overrides=None):
    return rule.evaluate(f, rule.params_for(overrides))


def case(id_, rule, f, fires, level=None):
    return pytest.param(rule, f, fires, level, id=id_)


def totals_session(total_of_four: int, number: int = 1, **more):
    """A check-in whose four scored items add up to `total_of_four` (spread as evenly as possible)."""
    base, extra = divmod(total_of_four, 4)
    values = [base + (1 if i < extra else 0) for i in range(4)]
    return S(number, rel=dict(zip(("heard", "goals", "approach", "overall"), values, strict=True)) | more)


TABLE = [
    # relationship.low_total: below 36/40 fires; 36 does not; below 30 is red
    case("low_total 35 fires amber", rel.low_total, facts(totals_session(35)), True, "amber"),
    case("low_total 36 quiet", rel.low_total, facts(totals_session(36)), False),
    case("low_total 30 amber", rel.low_total, facts(totals_session(30)), True, "amber"),
    case("low_total 29 red", rel.low_total, facts(totals_session(29)), True, "red"),
    case("low_total no check-in quiet", rel.low_total, facts(S(1)), False),
    # relationship.low_item: ≤ 6 fires, 7 does not; 'overall' is not one of bond/goals/approach
    case("low_item heard 6 fires", rel.low_item, facts(S(1, rel={"heard": 6})), True, "amber"),
    case("low_item heard 7 quiet", rel.low_item, facts(S(1, rel={"heard": 7})), False),
    case("low_item goals 6 fires", rel.low_item, facts(S(1, rel={"goals": 6})), True),
    case("low_item approach 6 fires", rel.low_item, facts(S(1, rel={"approach": 6})), True),
    case("low_item approach 3 red", rel.low_item, facts(S(1, rel={"approach": 3})), True, "red"),
    case("low_item overall 2 ignored", rel.low_item, facts(S(1, rel={"overall": 2})), False),
    # never red on an improving trend: the total rose since the previous check-in
    case(
        "low_total 29 rising from 20 amber",
        rel.low_total,
        facts(totals_session(20), totals_session(29, 2)),
        True,
        "amber",
    ),
    case(
        "low_total 29 falling from 33 red",
        rel.low_total,
        facts(totals_session(33), totals_session(29, 2)),
        True,
        "red",
    ),
    case(
        "low_item 3 rising amber",
        rel.low_item,
        facts(S(1, rel={"approach": 1, "goals": 5}), S(2, rel={"approach": 3, "goals": 5})),
        True,
        "amber",
    ),
    # relationship.drop: a fall beyond measurement noise (> 3.8 of 40), or across the clinic's cutoff (36)
    case("drop one point at the ceiling quiet", rel.drop, facts(S(1, rel={}), S(2, rel={"goals": 9})), False),
    case(
        "drop 39→36 within noise, above cutoff quiet",
        rel.drop,
        facts(totals_session(39), totals_session(36, 2)),
        False,
    ),
    case(
        "drop 36→35 across the cutoff fires",
        rel.drop,
        facts(totals_session(36), totals_session(35, 2)),
        True,
        "amber",
    ),
    case(
        "drop 35→32 within noise, already below quiet",
        rel.drop,
        facts(totals_session(35), totals_session(32, 2)),
        False,
    ),
    case(
        "drop 35→31 beyond noise fires",
        rel.drop,
        facts(totals_session(35), totals_session(31, 2)),
        True,
        "amber",
    ),
    case("drop 40→36 beyond noise fires", rel.drop, facts(totals_session(40), totals_session(36, 2)), True),
    case("drop same quiet", rel.drop, facts(S(1, rel={}), S(2, rel={})), False),
    case("drop rise quiet", rel.drop, facts(S(1, rel={"goals": 8}), S(2, rel={"goals": 9})), False),
    case("drop first check-in quiet", rel.drop, facts(S(1, rel={"goals": 2})), False),
    # relationship.rupture
    case("rupture client yes fires", rel.rupture, facts(S(1, rel={"misunderstood": 1})), True),
    case("rupture client no quiet", rel.rupture, facts(S(1, rel={"misunderstood": 0})), False),
    case(
        "rupture clinician noticed fires",
        rel.rupture,
        facts(S(1, rel={}, clinician={"heard": 9}, rupture_noticed=True)),
        True,
    ),
    case(
        "rupture clinician noticed earlier, later check-in fine: quiet",
        rel.rupture,
        facts(S(1, rel={}, clinician={}, rupture_noticed=True), S(2, rel={})),
        False,
    ),
    # relationship.discrepancy: clinician − client ≥ 2 on average fires; 1.75 does not; the reverse does not
    case(
        "discrepancy 2.0 fires",
        rel.discrepancy,
        facts(
            S(
                1,
                rel={"heard": 8, "goals": 8, "approach": 8, "overall": 8},
                clinician={"heard": 10, "goals": 10, "approach": 10, "overall": 10},
            )
        ),
        True,
    ),
    case(
        "discrepancy 1.75 quiet",
        rel.discrepancy,
        facts(
            S(
                1,
                rel={"heard": 8, "goals": 8, "approach": 8, "overall": 9},
                clinician={"heard": 10, "goals": 10, "approach": 10, "overall": 10},
            )
        ),
        False,
    ),
    case(
        "discrepancy client higher quiet",
        rel.discrepancy,
        facts(S(1, rel={}, clinician={"heard": 6, "goals": 6, "approach": 6, "overall": 6})),
        False,
    ),
    # relationship.low_relative: ≤ 10% of ≥ 200 ratings at or below fires
    case(
        "relative bottom 10% of 200 fires",
        rel.low_relative,
        facts(totals_session(37), totals=[37.0] * 20 + [40.0] * 180),
        True,
    ),
    case(
        "relative 10.5% quiet",
        rel.low_relative,
        facts(totals_session(37), totals=[37.0] * 21 + [40.0] * 179),
        False,
    ),
    case(
        "relative only 199 ratings quiet",
        rel.low_relative,
        facts(totals_session(30), totals=[37.0] * 19 + [40.0] * 180),
        False,
    ),
    # relationship.persistent_low: low at two check-ins running, latest at session ≥ 2
    case(
        "persistent 35 then 35 fires red",
        rel.persistent_low,
        facts(totals_session(35, 1), totals_session(35, 2)),
        True,
        "red",
    ),
    case(
        "persistent 35 then 36 quiet",
        rel.persistent_low,
        facts(totals_session(35, 1), totals_session(36, 2)),
        False,
    ),
    case(
        "persistent 36 then 35 quiet",
        rel.persistent_low,
        facts(totals_session(36, 1), totals_session(35, 2)),
        False,
    ),
    case(
        "persistent 30 then 33 rising amber",
        rel.persistent_low,
        facts(totals_session(30, 1), totals_session(33, 2)),
        True,
        "amber",
    ),
    case("persistent one check-in quiet", rel.persistent_low, facts(totals_session(20, 1)), False),
    # readiness.low_ruler: ≤ 4 fires, 5 does not; intake used before any check-in
    case(
        "ruler importance 4 fires",
        ready.low_ruler,
        facts(S(1, answers={"readiness": {"importance": 4, "confidence": 8}})),
        True,
    ),
    case(
        "ruler importance 5 quiet",
        ready.low_ruler,
        facts(S(1, answers={"readiness": {"importance": 5, "confidence": 8}})),
        False,
    ),
    case(
        "ruler confidence 4 fires",
        ready.low_ruler,
        facts(S(1, answers={"readiness": {"importance": 9, "confidence": 4}})),
        True,
    ),
    case("ruler intake 4 fires", ready.low_ruler, facts(S(1), intake=(4, 7, 3)), True),
    case("ruler intake 5 quiet", ready.low_ruler, facts(S(1), intake=(5, 5, 3)), False),
    case(
        "ruler check-in wins over intake",
        ready.low_ruler,
        facts(S(1, answers={"readiness": {"importance": 8, "confidence": 8}}), intake=(2, 2, 1)),
        False,
    ),
    # readiness.goal_not_endorsed
    case("goal not endorsed fires", ready.goal_not_endorsed, facts(goals=[("Sleep better", False)]), True),
    case("goal not yet asked quiet", ready.goal_not_endorsed, facts(goals=[("Sleep better", None)]), False),
    case("goal endorsed quiet", ready.goal_not_endorsed, facts(goals=[("Sleep better", True)]), False),
    # regimen.fit
    case(
        "fit frequency too little fires",
        reg.fit,
        facts(S(1, answers={"regimen": {"frequency": 0, "format": 1}})),
        True,
    ),
    case(
        "fit frequency too much fires",
        reg.fit,
        facts(S(1, answers={"regimen": {"frequency": 2, "format": 1}})),
        True,
    ),
    case(
        "fit about right quiet",
        reg.fit,
        facts(S(1, answers={"regimen": {"frequency": 1, "format": 1}})),
        False,
    ),
    case(
        "fit format not quite fires",
        reg.fit,
        facts(S(1, answers={"regimen": {"frequency": 1, "format": 0}})),
        True,
    ),
    # regimen.plan: partly (1) or no (0) fires, yes (2) does not
    case(
        "plan understood partly fires",
        reg.plan,
        facts(S(1, answers={"regimen": {"plan_understood": 1, "plan_agreed": 2}})),
        True,
    ),
    case(
        "plan agreed no fires",
        reg.plan,
        facts(S(1, answers={"regimen": {"plan_understood": 2, "plan_agreed": 0}})),
        True,
    ),
    case(
        "plan yes yes quiet",
        reg.plan,
        facts(S(1, answers={"regimen": {"plan_understood": 2, "plan_agreed": 2}})),
        False,
    ),
    # reliability.clinician_disruption: sessions 1–3 only; late ≥ 10 fires, 9 does not
    case(
        "disruption cancelled by clinician s2 fires",
        relia.clinician_disruption,
        facts(S(1), S(2, attendance="cancelled_clinician")),
        True,
        "amber",
    ),
    case(
        "disruption rescheduled s3 fires",
        relia.clinician_disruption,
        facts(S(3, attendance="rescheduled_clinician")),
        True,
    ),
    case(
        "disruption s4 quiet",
        relia.clinician_disruption,
        facts(S(4, attendance="cancelled_clinician", days_ago=1)),
        False,
    ),
    case(
        "disruption late 10 fires",
        relia.clinician_disruption,
        facts(S(1, attendance="late_start", late_minutes=10)),
        True,
    ),
    case(
        "disruption late 9 quiet",
        relia.clinician_disruption,
        facts(S(1, attendance="late_start", late_minutes=9)),
        False,
    ),
    case(
        "disruption two events red",
        relia.clinician_disruption,
        facts(S(1, attendance="late_start", late_minutes=15), S(2, attendance="cancelled_clinician")),
        True,
        "red",
    ),
    case(
        "disruption cancelled by client quiet",
        relia.clinician_disruption,
        facts(S(1, attendance="cancelled_client")),
        False,
    ),
    # reliability.no_show
    case("no-show fires", relia.no_show, facts(S(1), S(2, attendance="no_show")), True),
    case("no-show then attended quiet", relia.no_show, facts(S(1, attendance="no_show"), S(2)), False),
    # reliability.no_rebooking: 14 days after the last session with nothing booked
    case("no rebooking 14 days fires", relia.no_rebooking, facts(S(1, days_ago=14)), True),
    case("no rebooking 13.9 days quiet", relia.no_rebooking, facts(S(1, days_ago=13.9)), False),
    case("no rebooking but booked quiet", relia.no_rebooking, facts(S(1, days_ago=20, booked=True)), False),
    case(
        "no rebooking later session scheduled quiet",
        relia.no_rebooking,
        facts(S(1, days_ago=20), S(2, days_ago=-2, attendance="scheduled")),
        False,
    ),
    case(
        "no rebooking closed episode quiet",
        relia.no_rebooking,
        facts(S(1, days_ago=30), is_open=False),
        False,
    ),
    # reliability.no_checkin: 48 h after the end of an attended session
    case("no check-in 48h fires", relia.no_checkin, facts(S(1, days_ago=2 + 50 / 1440)), True),
    case("no check-in 47.9h quiet", relia.no_checkin, facts(S(1, days_ago=2 + 44 / 1440)), False),
    case("check-in came back quiet", relia.no_checkin, facts(S(1, days_ago=5, rel={})), False),
    case(
        "no check-in after a no-show is not asked",
        relia.no_checkin,
        facts(S(1, days_ago=5, attendance="no_show")),
        False,
    ),
    # phq9_item9_safety: any answer above 0 to PHQ-9 item 9 is red (run in the check-in request)
    case("safety item 9 at 1 red", SAFETY, facts(S(1, answers={"phq9": {"item9": 1}})), True, "red"),
    case("safety item 9 at 3 red", SAFETY, facts(S(1, answers={"phq9": {"item9": 3}})), True, "red"),
    case("safety item 9 at 0 quiet", SAFETY, facts(S(1, answers={"phq9": {"item9": 0}})), False),
    case("safety no PHQ-9 quiet", SAFETY, facts(S(1, rel={})), False),
]


@pytest.mark.parametrize(("rule", "f", "fires", "level"), TABLE)
def test_rule_boundaries(rule, f, fires, level):
    # Given the facts in the row, when the rule runs with the clinic defaults
    finding = run(rule, f)
    # then it fires exactly when the row says, at the level it says, with evidence for every reason
    assert (finding is not None) is fires
    if finding is not None:
        assert finding.reasons and all(r.text and r.evidence for r in finding.reasons)
        assert finding.suggested_action
        if level:
            assert finding.level == level


def test_every_registered_rule_has_a_table_row():
    from risk.rules import all_rules

    covered = {p.values[0].id for p in TABLE}
    assert covered == {r.id for r in all_rules()}


def test_clinic_override_moves_the_threshold():
    # Given a clinic that uses 32/40 (80%) as its cutoff, a total of 34 no longer fires
    f = facts(totals_session(34))
    assert run(rel.low_total, f) is not None
    assert run(rel.low_total, f, {"relationship.low_total": {"fraction": 0.8}}) is None


def test_unknown_override_keys_are_ignored():
    params = rel.low_total.params_for({"relationship.low_total": {"fraction": 0.8, "evil": "x"}})
    assert params["fraction"] == 0.8 and "evil" not in params


def test_persistent_low_suggests_talking_about_fit_and_transfer():
    finding = run(rel.persistent_low, facts(totals_session(30, 2), totals_session(31, 3)))
    assert "Talk about fit; offer a transfer" in finding.suggested_action


def test_drop_reason_names_the_sessions_values_and_noise():
    finding = run(rel.drop, facts(totals_session(35, 1), totals_session(31, 2)))
    assert finding.reasons[0].text == (
        "The relationship total fell from 35 after session 1 to 31 of 40 after session 2: more than the "
        "3.8 points that measurement noise explains."
    )
    assert finding.reasons[0].evidence["answer"] == "relationship.total"


@pytest.mark.parametrize(
    "sd, reliability, noise",
    [
        (4.0, 0.88, 3.84),
        (4.0, 0.64, 6.65),
        (3.0, 0.88, 2.88),
    ],  # defaults; SRS test-retest .64; a tight clinic
)
def test_drop_threshold_is_the_reliable_change_of_the_total(sd, reliability, noise):
    # instruments.outcomes does the maths: 1.96 · √2 · SD · √(1 − r)
    assert round(rel.drop_noise({"total_sd": sd, "total_reliability": reliability}), 2) == noise


def test_a_clinic_with_a_noisier_total_needs_a_bigger_drop():
    f = facts(totals_session(35), totals_session(31, 2))
    assert run(rel.drop, f) is not None
    assert run(rel.drop, f, {"relationship.drop": {"total_reliability": 0.64}}) is None


def test_rupture_quotes_the_clients_words():
    finding = run(rel.rupture, facts(S(1, rel={"misunderstood": 1, "misunderstood_words": "You cut me off"})))
    assert 'In their words: "You cut me off"' in finding.reasons[0].text
