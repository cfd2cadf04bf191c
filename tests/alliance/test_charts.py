"""The relationship chart the pillar hands the client page: pure, rows in, Plotly figure dict out."""

import json

from alliance.charts import relationship_figure


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
