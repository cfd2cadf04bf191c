"""The report's charts. Pure: figures in, Plotly dicts or SVG points out (static/js/dashboards/charts.js
draws the Plotly ones with our own plotly.min.js). Every chart has its numbers in text beside it."""

import textwrap
from collections.abc import Sequence

from django.utils.translation import gettext as _

from instruments.charts import BAD, CLIENT, GRID, MUTED, base_layout
from reports.comparison import Comparison
from reports.selectors import MeasureFigure, MonthPoint

SPARK_WIDTH, SPARK_HEIGHT = 132, 32


def sparkline(points: Sequence[MonthPoint]) -> dict | None:
    """SVG polyline segments (a month with no denominator breaks the line), or None with no data."""
    values = [p.value for p in points]
    known = [v for v in values if v is not None]
    if not known:
        return None
    low, high = min(known), max(known)
    if high == low:
        low, high = low - 1, high + 1
    step = SPARK_WIDTH / max(1, len(values) - 1)
    segments: list[list[tuple[float, float]]] = [[]]
    last = (0.0, 0.0)
    for i, value in enumerate(values):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        x = round(i * step, 1)
        y = round(SPARK_HEIGHT - 3 - (value - low) / (high - low) * (SPARK_HEIGHT - 6), 1)
        segments[-1].append((x, y))
        last = (x, y)
    return {
        "segments": [" ".join(f"{x},{y}" for x, y in s) for s in segments if len(s) > 1],
        "dots": [{"x": s[0][0], "y": s[0][1]} for s in segments if len(s) == 1],
        "last": {"x": last[0], "y": last[1]},
        "width": SPARK_WIDTH,
        "height": SPARK_HEIGHT,
    }


def outcomes_figure(figures: Sequence[MeasureFigure]) -> dict | None:
    """Outcome rates side by side, each bar labelled with its value and denominator."""
    shown = [f for f in figures if f.measure.outcome and f.value is not None and not f.withheld]
    if not shown:
        return None
    shown = list(reversed(shown))  # Plotly draws horizontal bars bottom-up: keep the registry's order
    layout = base_layout(title=_("Outcomes in this period"), height=max(220, 52 * len(shown) + 90))
    layout["margin"] = {"l": 12, "r": 12, "t": 48, "b": 40}
    # Room right of 100% for the labels; the measure names wrap, so a phone keeps some width for bars.
    layout["xaxis"] = {
        "range": [0, 135],
        "tickvals": [0, 25, 50, 75, 100],
        "ticktext": ["0%", "25%", "50%", "75%", "100%"],
        "gridcolor": GRID,
        "zeroline": False,
    }
    layout["yaxis"] = {"automargin": True, "tickfont": {"size": 12}}
    layout["showlegend"] = False
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": ["<br>".join(textwrap.wrap(str(f.measure.title), 22)) for f in shown],
                "x": [f.value for f in shown],
                "text": [f"{f.value:g}% · n {f.denominator:g}" for f in shown],
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": [CLIENT if f.measure.higher_is_better else BAD for f in shown]},
                "hovertemplate": "%{y}: %{text}<extra></extra>",
            }
        ],
        "layout": layout,
    }


def comparison_figure(comparison: Comparison) -> dict | None:
    """Each clinician's adjusted estimate with its 90% interval, in alphabetical order, against the
    clinic mean: a picture of overlap, not a ranking."""
    if not comparison.estimates:
        return None
    names = [e.name for e in reversed(comparison.estimates)]
    layout = base_layout(
        title=_("Severity-adjusted effect size (PHQ-9), 90% intervals"), height=70 + 36 * len(names) + 60
    )
    layout["xaxis"] = {"title": {"text": _("Effect size")}, "gridcolor": GRID, "zeroline": False}
    layout["yaxis"] = {"automargin": True, "type": "category"}
    layout["showlegend"] = False
    if comparison.clinic_effect_size is not None:
        layout["shapes"] = [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": comparison.clinic_effect_size,
                "x1": comparison.clinic_effect_size,
                "y0": 0,
                "y1": 1,
                "line": {"color": MUTED, "dash": "dash", "width": 1},
            }
        ]
    estimates = list(reversed(comparison.estimates))
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers",
                "y": names,
                "x": [e.estimate for e in estimates],
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [round(e.high - e.estimate, 2) for e in estimates],
                    "arrayminus": [round(e.estimate - e.low, 2) for e in estimates],
                    "color": CLIENT,
                },
                "marker": {"size": 9, "color": CLIENT},
                "hovertemplate": "%{y}: %{x}<extra></extra>",
            }
        ],
        "layout": layout,
    }
