"""The house style of a chart of scores by session, shared by the read side's charts and every pillar's.

Plain dicts for Plotly (no ORM, no request): the page hands figures over with `json_script` and
static/js/dashboards/charts.js draws them. Colour is never the only signal: series also differ by line
dash or marker symbol, and each chart has a text summary next to it."""

from collections.abc import Sequence

INK = "#1d2733"
MUTED = "#55606e"
GRID = "#e6eaef"
CLIENT = "#1f5f8b"
CLINICIAN = "#8a5300"
GOOD = "#1e6b35"
BAD = "#a4262c"
BELOW_CUTOFF = "rgba(164, 38, 44, 0.07)"


def base_layout(*, title: str, height: int = 320) -> dict:
    return {
        "title": {"text": title, "font": {"size": 15, "color": INK}, "x": 0, "xanchor": "left"},
        "height": height,
        "margin": {"l": 44, "r": 12, "t": 48, "b": 64},
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif", "color": INK},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.14, "yanchor": "top", "x": 0},
        "shapes": [],
        "annotations": [],
    }


def session_axis(numbers: Sequence[int]) -> dict:
    last = max(numbers, default=1)
    return {
        "title": {"text": ""},  # the chart's title says "by session"; an axis title collided with the legend
        "tickmode": "linear" if last <= 12 else "auto",
        "dtick": 1,
        "range": [0.5, last + 0.5],
        "gridcolor": GRID,
        "zeroline": False,
    }
