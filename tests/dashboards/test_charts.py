"""The read side's own chart builders are pure: rows in, Plotly figure dict out. (The relationship and
readiness charts are tested with their pillars.)"""

import pytest
from django.utils import translation

from dashboards import charts


def _trace(figure, name, axis="x"):
    return next(t for t in figure["data"] if t["name"] == name and t.get("xaxis", "x") == axis)


def test_outcome_figure_shades_severity_bands_and_marks_reliable_change():
    measure = charts.outcome_measure("phq9")
    rows = [
        {"number": 1, "date": "2026-01-05", "value": 18, "band": "moderately severe"},
        {"number": 5, "date": "2026-02-02", "value": 11, "band": "moderate"},
        {"number": 9, "date": "2026-03-02", "value": 16, "band": "moderately severe"},
    ]
    figure = charts.outcome_figure(measure, rows)
    assert len(figure["layout"]["shapes"]) == 5  # minimal … severe
    assert [a["text"] for a in figure["layout"]["annotations"]][:2] == ["Minimal", "Mild"]
    assert _trace(figure, "Reliable improvement")["x"] == [5]  # 18 → 11 is 7 points
    assert _trace(figure, "Reliable deterioration")["x"] == []
    assert _trace(figure, "Reliable deterioration")["visible"] == "legendonly"
    assert figure["layout"]["yaxis"]["range"][1] >= 27


def test_default_thresholds_come_from_jacobson_truax_norms():
    assert charts.outcome_measure("phq9").reliable_change == pytest.approx(5.99, abs=0.01)
    assert charts.outcome_measure("gad7").reliable_change == pytest.approx(3.94, abs=0.02)


def test_severity_bands_are_the_instrument_definitions_in_the_active_language():
    # Given the GAD-7 definition's bands (instruments/definitions/gad7.yaml)
    with translation.override("es"):
        measure = charts.outcome_measure("gad7")
    # Then the chart shows them, in Spanish when the page is
    assert [(b.low, b.high, b.label) for b in measure.bands] == [
        (0, 4, "Mínima"),
        (5, 9, "Leve"),
        (10, 14, "Moderada"),
        (15, 21, "Grave"),
    ]


def test_attendance_figure_puts_each_outcome_in_its_own_lane_with_late_minutes():
    rows = [
        {
            "number": 1,
            "date": "2026-01-05",
            "attendance": "attended",
            "late_minutes": 0,
            "next_session_booked": True,
        },
        {
            "number": 2,
            "date": "2026-01-12",
            "attendance": "late_start",
            "late_minutes": 15,
            "next_session_booked": True,
        },
        {
            "number": 3,
            "date": "2026-01-19",
            "attendance": "cancelled_clinician",
            "late_minutes": 0,
            "next_session_booked": False,
        },
        {
            "number": 4,
            "date": "2026-01-26",
            "attendance": "no_show",
            "late_minutes": 0,
            "next_session_booked": False,
        },
    ]
    figure = charts.attendance_figure(rows)
    names = [t["name"] for t in figure["data"]]
    assert names == ["Attended", "Late start", "No-show", "Cancelled by clinician"]
    late = _trace(figure, "Late start")
    assert late["customdata"] == [[2, 15, "yes"]]
    assert "min late" in late["hovertemplate"]
    assert len({t["marker"]["symbol"] for t in figure["data"]}) == 4  # not colour alone
    assert figure["layout"]["xaxis"]["type"] == "date"


def test_sparkline_scales_values_into_the_box():
    line = charts.sparkline([16, 40], width=100, height=20, low=16, high=40)
    assert line["points"] == "3,17 97,3"
    assert line["last"] == {"x": 97, "y": 3}
    assert charts.sparkline([])["points"] == ""
    assert charts.sparkline([30], width=50)["points"].count(",") == 2  # one value draws a flat line


def test_sparkline_draws_the_cutoff_line_inside_the_box():
    line = charts.sparkline([16, 40], width=100, height=20, low=16, high=40, cutoff=34)
    assert line["high"] == 40
    assert 3 < line["cutoff_y"] < 17  # between the lowest and the highest point
    assert charts.sparkline([30])["cutoff_y"] is None
