"""Outcome maths: table-driven, against hand-worked figures."""

import math

import pytest

from instruments import outcomes
from instruments.library import get_instrument
from instruments.scoring import score


@pytest.mark.parametrize(
    ("before", "after", "sd", "r", "reliable", "direction"),
    [
        # SE = 5·√(1−.84) = 2; S_diff = 2√2 = 2.828; threshold = 1.96·2.828 = 5.544
        (20, 14, 5, 0.84, True, "improved"),
        (20, 15, 5, 0.84, False, "no reliable change"),
        (8, 14, 5, 0.84, True, "deteriorated"),
        (10, 10, 5, 0.84, False, "no reliable change"),
    ],
)
def test_reliable_change_table(before, after, sd, r, reliable, direction):
    result = outcomes.reliable_change(before, after, sd=sd, reliability=r)
    assert math.isclose(result.se, 2.0)
    assert math.isclose(result.threshold, 1.96 * 2 * math.sqrt(2))
    assert (result.reliable, result.direction) == (reliable, direction)


@pytest.mark.parametrize(
    ("measure", "drop", "reliable"),
    [("phq9", 6, True), ("phq9", 5, False), ("gad7", 4, True), ("gad7", 3, False)],
)
def test_default_norms_match_the_nhs_talking_therapies_criteria(measure, drop, reliable):
    result = outcomes.outcome(measure, 15, 15 - drop)
    assert result.change.reliable is reliable


@pytest.mark.parametrize(
    ("measure", "values", "expected"),
    [
        ("phq9", [20, 14, 13], ["improved", "improved"]),  # a 6-point drop is reliable on the PHQ-9
        ("phq9", [20, 15], ["no reliable change"]),  # 5 points is within measurement error
        ("gad7", [8, 13], ["deteriorated"]),
    ],
)
def test_reliable_change_is_judged_against_the_first_score(measure, values, expected):
    changes = outcomes.changes_from_first(values, norms=outcomes.NORMS[measure])
    assert changes == ["no reliable change", *expected]
    assert outcomes.changes_from_first([], norms=outcomes.NORMS[measure]) == []


def test_clinical_cutoff_weighted_by_spread():
    # c = (s0·M1 + s1·M0)/(s0 + s1) = (3·15 + 6·3)/(3 + 6) = 7
    assert outcomes.clinical_cutoff(functional_mean=3, functional_sd=3, clinical_mean=15, clinical_sd=6) == 7
    with pytest.raises(ValueError):
        outcomes.clinical_cutoff(functional_mean=3, functional_sd=0, clinical_mean=15, clinical_sd=6)


@pytest.mark.parametrize(
    ("before", "after", "response", "remission", "recovered", "reliable_recovery"),
    [
        (18, 4, True, True, True, True),
        (18, 9, True, False, True, True),
        (18, 10, False, False, False, False),
        (11, 9, False, False, True, False),  # below caseness but not a reliable change
        (8, 3, True, True, False, False),  # never a case, so not "recovered"
        (0, 0, False, True, False, False),
        (10, 20, False, False, False, False),
    ],
)
def test_phq9_outcome_table(before, after, response, remission, recovered, reliable_recovery):
    result = outcomes.outcome("phq9", before, after)
    assert (result.response, result.remission, result.recovered, result.reliable_recovery) == (
        response,
        remission,
        recovered,
        reliable_recovery,
    )


def test_scores_outside_the_measure_are_refused():
    with pytest.raises(ValueError, match="0 to 27"):
        outcomes.outcome("phq9", 28, 3)


@pytest.mark.parametrize(
    ("value", "band"), [(0, "minimal"), (4, "minimal"), (14, "moderate"), (27, "severe"), (30, "")]
)
def test_band_uses_the_instrument_bands(value, band):
    assert outcomes.band(value, get_instrument("phq9").scales[0].bands) == band


def test_band_in_spanish():
    assert outcomes.band(12, get_instrument("phq9").scales[0].bands, "es") == "moderada"


def test_scoring_stores_the_band_from_the_same_function():
    # One implementation: the band a score is stored with is outcomes.band over the definition's bands
    phq9 = get_instrument("phq9")
    [total] = score(phq9, {f"item{i}": 1 for i in range(1, 10)} | {"item9": 3})
    assert (total.value, total.band) == (11, outcomes.band(11, phq9.scales[0].bands)) == (11, "moderate")
