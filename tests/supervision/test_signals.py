"""The signal thresholds and the funnel limits: pure, table-driven."""

import json
import math

import pytest

from supervision import funnel
from supervision import signals as sig
from supervision.admin import SignalSettingsForm

T = sig.thresholds(None)


@pytest.mark.parametrize(
    ("ratios", "level"),
    [
        ([0.8, 0.9, 0.95], sig.NONE),
        ([0.9, 1.0, 1.0], sig.NONE),  # two weeks at target: not yet three
        ([1.0, 1.0, 1.0], sig.AMBER),  # three weeks running at 100%
        ([1.1, 1.12, 1.14], sig.AMBER),
        ([0.5, 0.6, 1.15], sig.RED),  # 115% this week, whatever came before
        ([1.0, None, 1.0], sig.NONE),
        ([0.5, 0.6, None], sig.FEW),
        ([], sig.FEW),
    ],
)
def test_caseload_signal(ratios, level):
    assert sig.caseload_level(ratios, T["caseload"]) == level


@pytest.mark.parametrize(
    ("value", "limit", "level"),
    [
        (25, 25, sig.NONE),
        (25.5, 25, sig.AMBER),
        (None, 25, sig.FEW),
        (0.10, 0.10, sig.NONE),
        (0.11, 0.10, sig.AMBER),
    ],
)
def test_above_a_limit(value, limit, level):
    assert sig.above_level(value, limit) == level


@pytest.mark.parametrize(
    ("weekly", "level"),
    [
        ([7, 7, 7, 7, 7, 7, 7, 7], sig.NONE),
        ([7, 7, 7, 7, 9, 9, 9, 9], sig.AMBER),  # 2 days longer: the default rise
        ([7, 7, 7, 7, 8, 9, 8, 9], sig.NONE),  # 1.5 days longer
        ([None, None, None, None, 9, 9, 9, 9], sig.FEW),  # nothing to compare with
        ([7, None, 7, None, 9, None, None, 9], sig.AMBER),  # missing weeks are left out of the means
    ],
)
def test_days_between_sessions_rising(weekly, level):
    assert sig.rising_level(weekly, window=4, rise=T["gap_days"]["rise_days"]) == level


@pytest.mark.parametrize(
    ("stale", "stale_red", "level"), [(0, 0, sig.NONE), (1, 0, sig.AMBER), (2, 1, sig.RED)]
)
def test_flags_signal(stale, stale_red, level):
    assert sig.flags_level(stale=stale, stale_red=stale_red) == level


@pytest.mark.parametrize(
    ("rate", "n", "level"),
    [(0.5, 20, sig.NONE), (0.6, 20, sig.AMBER), (0.8, 20, sig.RED), (0.9, 9, sig.FEW), (None, 0, sig.FEW)],
)
def test_funnel_signal(rate, n, level):
    assert sig.funnel_level(rate=rate, n=n, upper95=0.55, upper998=0.7, min_n=10) == level


def test_a_clinic_overrides_a_default_and_keeps_the_rest():
    merged = sig.thresholds({"caseload": {"red": 1.2}})
    assert merged["caseload"] == {"amber": 1.0, "amber_weeks": 3, "red": 1.2}
    assert merged["cancellations"] == T["cancellations"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"burnout_score": {"amber": 1}},
        {"caseload": {"purple": 1}},
        {"caseload": {"red": "high"}},
        {"caseload": {"red": True}},
        {"caseload": {"red": -1}},
        {"caseload": 3},
    ],
)
def test_bad_overrides_are_refused(overrides):
    with pytest.raises(sig.SignalSettingsError):
        sig.thresholds(overrides)


def test_every_indicator_has_a_written_definition():
    assert set(sig.DEFAULTS) == set(sig.DEFINITION_BY_KEY)
    for d in sig.DEFINITIONS:
        assert d.what and d.signal and d.is_not and d.try_


def test_attention_order_puts_reds_first_and_never_blends_a_score():
    rows = {"a": [sig.NONE, sig.AMBER], "b": [sig.RED, sig.NONE], "c": [sig.AMBER, sig.AMBER]}
    assert sorted(rows, key=lambda k: sig.attention_order(rows[k])) == ["b", "c", "a"]


# --- Funnel limits: p ± z·sqrt(p(1−p)/n) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "n", "lower998", "lower95", "upper95", "upper998"),
    [
        # se = sqrt(0.3·0.7/100) = 0.045826
        (0.3, 100, 0.158398, 0.210182, 0.389818, 0.441602),
        # se = sqrt(0.5·0.5/25) = 0.1
        (0.5, 25, 0.191, 0.304, 0.696, 0.809),
        # small n (se = 0.212132): the lower limits are clipped at 0
        (0.1, 2, 0.0, 0.0, 0.515779, 0.755488),
        (0.0, 10, 0.0, 0.0, 0.0, 0.0),
    ],
)
def test_funnel_limits(p, n, lower998, lower95, upper95, upper998):
    lim = funnel.limits(p, n)
    got = (lim.lower998, lim.lower95, lim.upper95, lim.upper998)
    assert all(
        math.isclose(a, b, abs_tol=1e-5)
        for a, b in zip(got, (lower998, lower95, upper95, upper998), strict=True)
    )


def test_funnel_limits_narrow_as_n_grows():
    widths = [lim.upper95 - lim.lower95 for lim in funnel.curve(0.3, 200)]
    assert widths == sorted(widths, reverse=True)
    with pytest.raises(ValueError):
        funnel.limits(0.3, 0)


def test_pooled_rate():
    assert funnel.pooled_rate([1, 3], [10, 10]) == 0.2
    assert funnel.pooled_rate([], []) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "valid"),
    [({"caseload": {"red": 1.2}}, True), ({"caseload": {"purple": 1}}, False), ({"nope": {}}, False)],
)
def test_the_admin_form_refuses_overrides_that_do_not_fit(clinic, overrides, valid):
    form = SignalSettingsForm(data={"clinic": clinic.pk, "overrides": json.dumps(overrides)})
    assert form.is_valid() is valid
