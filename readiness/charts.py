"""The readiness chart: rows in, Plotly figure dict out (no ORM, no request)."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from instruments.charts import CLIENT, GOOD, GRID, base_layout, session_axis


def readiness_figure(rows: Iterable[dict]) -> dict:
    """Importance and confidence of change (0–10 rulers) by session.

    rows: [{"number": 1, "date": "…", "importance": 8, "confidence": 5}]"""
    rows = sorted(rows, key=lambda r: r["number"])
    numbers = [r["number"] for r in rows]
    layout = base_layout(title=_("Readiness for change by session (0–10)"))
    layout["xaxis"] = session_axis(numbers)
    layout["yaxis"] = {"range": [0, 10.5], "dtick": 2, "gridcolor": GRID, "zeroline": False}
    data = []
    for key, name, colour, dash, symbol in (
        ("importance", _("Importance"), CLIENT, "solid", "circle"),
        ("confidence", _("Confidence"), GOOD, "dot", "square"),
    ):
        points = [(r["number"], r["date"], r.get(key)) for r in rows if r.get(key) is not None]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": [p[0] for p in points],
                "y": [p[2] for p in points],
                "customdata": [p[1] for p in points],
                "line": {"color": colour, "dash": dash, "width": 2},
                "marker": {"symbol": symbol, "size": 8, "color": colour},
                "hovertemplate": name
                + "<br>"
                + _("Session")
                + " %{x} (%{customdata}): %{y}/10<extra></extra>",
            }
        )
    return {"data": data, "layout": layout}
