"""Supervision charts: 12-week trends, funnel plots and the alliance sparkline. Pure: numbers in,
Plotly figure dicts (or SVG points) out, drawn by static/js/dashboards/charts.js with our own plotly.min.js.
Colour is never the only signal: lines differ by dash, points by symbol, and each chart has a summary."""

from collections.abc import Sequence
from dataclasses import dataclass

from instruments.charts import BAD, CLIENT, GRID, MUTED, base_layout
from supervision import funnel


def trend_figure(
    title: str, labels: Sequence[str], values: Sequence[float | None], *, unit: str = ""
) -> dict:
    """One indicator by week, oldest first; weeks with no value are left as gaps in the line."""
    layout = base_layout(title=title, height=260)
    layout["xaxis"] = {"type": "category", "gridcolor": GRID, "tickangle": -45, "nticks": 6}
    # Only "%" rides on the ticks: a word such as " days" would be clipped at the chart's left edge.
    suffix = unit if unit == "%" else ""
    layout["yaxis"] = {"gridcolor": GRID, "zeroline": False, "rangemode": "tozero", "ticksuffix": suffix}
    layout["showlegend"] = False
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": list(labels),
            "y": list(values),
            "name": title,
            "line": {"color": CLIENT, "width": 2},
            "marker": {"size": 6},
            "connectgaps": False,
            "hovertemplate": "week of %{x}: %{y}" + unit + "<extra></extra>",
        }
    ]
    return {"data": data, "layout": layout}


@dataclass(frozen=True)
class FunnelPoint:
    label: str
    events: int
    n: int


def funnel_figure(title: str, points: Sequence[FunnelPoint], *, p: float, min_n: int) -> dict:
    """Each clinician's rate against their number of cases, inside the clinic rate's 95% and 99.8% limits.
    Clinicians under the minimum n are left off the chart (the page says who and why)."""
    shown = [pt for pt in points if pt.n >= min_n]
    n_max = max([pt.n for pt in shown] + [min_n * 2, 20])
    curve = funnel.curve(p, n_max)
    ns = [lim.n for lim in curve]
    layout = base_layout(title=title, height=340)
    layout["xaxis"] = {"title": {"text": "Cases (n)"}, "gridcolor": GRID, "rangemode": "tozero"}
    layout["yaxis"] = {"title": {"text": "Rate"}, "gridcolor": GRID, "range": [0, 1], "tickformat": ".0%"}

    def line(name: str, ys: list[float], dash: str, colour: str) -> dict:
        return {
            "type": "scatter",
            "mode": "lines",
            "x": ns,
            "y": ys,
            "name": name,
            "line": {"color": colour, "dash": dash, "width": 1.5},
            "hoverinfo": "skip",
        }

    data = [
        line("Clinic rate", [p] * len(ns), "solid", MUTED),
        line("95% limits", [lim.upper95 for lim in curve], "dash", MUTED),
        {**line("95% limits", [lim.lower95 for lim in curve], "dash", MUTED), "showlegend": False},
        line("99.8% limits", [lim.upper998 for lim in curve], "dot", BAD),
        {**line("99.8% limits", [lim.lower998 for lim in curve], "dot", BAD), "showlegend": False},
        {
            "type": "scatter",
            "mode": "markers+text",
            "x": [pt.n for pt in shown],
            "y": [pt.events / pt.n for pt in shown],
            "text": [pt.label for pt in shown],
            "textposition": "top center",
            "name": "Clinicians",
            "marker": {"color": CLIENT, "size": 9, "symbol": "diamond"},
            "hovertemplate": "%{text}: %{y:.0%} of %{x}<extra></extra>",
        },
    ]
    return {"data": data, "layout": layout}


def spark_points(
    values: Sequence[float | None], *, low: float, high: float, width: int = 96, height: int = 24
) -> str:
    """SVG polyline points for the weeks that have a value (server-side: no chart library per card)."""
    present = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(present) < 2:
        return ""
    span, pad = (high - low) or 1, 3
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    coords = [
        (
            round(pad + i * step, 1),
            round(height - pad - (min(max(v, low), high) - low) / span * (height - 2 * pad), 1),
        )
        for i, v in present
    ]
    return " ".join(f"{x:g},{y:g}" for x, y in coords)
