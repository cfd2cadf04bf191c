"""The readiness chart the pillar hands the client page: pure, rows in, Plotly figure dict out."""

from readiness.charts import readiness_figure


def _trace(figure, name, axis="x"):
    return next(t for t in figure["data"] if t["name"] == name and t.get("xaxis", "x") == axis)


def test_readiness_figure_skips_missing_answers():
    rows = [
        {"number": 1, "date": "2026-01-05", "importance": 8, "confidence": None},
        {"number": 2, "date": "2026-01-12", "importance": 9, "confidence": 6},
    ]
    figure = readiness_figure(rows)
    assert _trace(figure, "Importance")["y"] == [8, 9]
    assert _trace(figure, "Confidence")["x"] == [2]
