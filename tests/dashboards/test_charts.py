"""Chart builders are pure: rows in, Plotly figure dict out. The read side's own charts, and the charts
the relationship and readiness pillars hand the client page."""

import json

import pytest
from django.utils import translation

from alliance.charts import relationship_figure
from dashboards import charts
from readiness.charts import readiness_figure


def _trace(figure, name, axis="x"):
    return next(t for t in figure["data"] if t["name"] == name and t.get("xaxis", "x") == axis)


def test_relationship_figure_has_one_panel_per_item_with_both_raters_and_the_cutoff_shaded():
    # Given two sessions, the clinician rated only the first
    rows = [
        {
            "number": 1,
            "date": "2026-01-05",
            "client": {"heard": 9, "goals": 8, "approach": 9, "overall": 9},
            "clinician": {"heard": 10, "goals": 9, "approach": 9, "overall": 10},
        },
        {
            "number": 2,
            "date": "2026-01-12",
            "client": {"heard": 6, "goals": 7, "approach": 8, "overall": 6},
            "clinician": None,
        },
    ]
    # When the figure is built
    figure = relationship_figure(rows, cutoff=9)
    # Then there are 4 panels × 2 raters, the client's line has both points, the clinician's one
    assert len(figure["data"]) == 8
    assert _trace(figure, "Client")["y"] == [9, 6]
    assert _trace(figure, "Clinician")["y"] == [10]
    assert _trace(figure, "Client", "x4")["y"] == [9, 6]  # "overall" is the fourth panel
    # And each panel shades 0 to the cutoff
    shaded = [s for s in figure["layout"]["shapes"] if s["type"] == "rect"]
    assert len(shaded) == 4 and {(s["y0"], s["y1"]) for s in shaded} == {(0, 9)}
    # And the two raters differ by more than colour
    assert _trace(figure, "Client")["line"]["dash"] != _trace(figure, "Clinician")["line"]["dash"]
    json.dumps(figure)  # it must survive json_script


def test_relationship_figure_notes_the_cutoff_per_item_and_as_a_total():
    rows = [{"number": 1, "date": "2026-01-05", "client": {"heard": 9}, "clinician": None}]
    note = relationship_figure(rows, cutoff=8.5)["layout"]["annotations"][-1]["text"]
    assert note == "Shaded: below 8.5 (34/40)"


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


def test_readiness_figure_skips_missing_answers():
    rows = [
        {"number": 1, "date": "2026-01-05", "importance": 8, "confidence": None},
        {"number": 2, "date": "2026-01-12", "importance": 9, "confidence": 6},
    ]
    figure = readiness_figure(rows)
    assert _trace(figure, "Importance")["y"] == [8, 9]
    assert _trace(figure, "Confidence")["x"] == [2]


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
