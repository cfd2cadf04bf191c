"""The relationship chart: rows in, Plotly figure dict out (no ORM, no request)."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from alliance.rules import TOTAL_ITEMS
from instruments.charts import BELOW_CUTOFF, CLIENT, CLINICIAN, GRID, INK, MUTED, base_layout, session_axis

ITEM_MAX = 10  # each relationship item is rated 0–10 (alliance/definitions/relationship.yaml)


def _item_labels() -> dict[str, str]:
    return {
        "heard": _("Felt heard and respected"),
        "goals": _("Worked on what I wanted"),
        "approach": _("Approach fits me"),
        "overall": _("Overall"),
    }


def _panel_decor(suffix: str, label: str, cutoff: float) -> tuple[dict, dict]:
    """The shaded band below the per-item cutoff, and the panel's title."""
    shade = {
        "type": "rect",
        "xref": f"x{suffix} domain",
        "yref": f"y{suffix}",
        "x0": 0,
        "x1": 1,
        "y0": 0,
        "y1": cutoff,
        "fillcolor": BELOW_CUTOFF,
        "line": {"width": 0},
        "layer": "below",
    }
    title = {
        "text": f"<b>{label}</b>",
        "xref": f"x{suffix} domain",
        "yref": f"y{suffix} domain",
        "x": 0,
        "y": 1.16,
        "xanchor": "left",
        "showarrow": False,
        "font": {"size": 12, "color": INK},
    }
    return shade, title


def _rater_traces(rows: list[dict], item: str, index: int, label: str) -> list[dict]:
    """The client's rating (solid, circles) and the clinician's (dashed, diamonds) of one item."""
    suffix = "" if index == 1 else str(index)
    traces = []
    for who, colour, dash, symbol, name in (
        ("client", CLIENT, "solid", "circle", _("Client")),
        ("clinician", CLINICIAN, "dash", "diamond", _("Clinician")),
    ):
        points = [(r["number"], r["date"], (r.get(who) or {}).get(item)) for r in rows]
        points = [p for p in points if p[2] is not None]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "legendgroup": who,
                "showlegend": index == 1,
                "x": [p[0] for p in points],
                "y": [p[2] for p in points],
                "customdata": [p[1] for p in points],
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "line": {"color": colour, "dash": dash, "width": 2},
                "marker": {"symbol": symbol, "size": 8, "color": colour},
                "hovertemplate": f"{name} · {label}<br>"
                + _("Session")
                + " %{x} (%{customdata})<br>%{y}/10<extra></extra>",
            }
        )
    return traces


def relationship_figure(rows: Iterable[dict], *, cutoff: float) -> dict:
    """One small panel per relationship item: the client's rating and the clinician's rating of the same
    item, with the area below the clinic's cutoff shaded. `cutoff` is per item (the clinic's fraction of
    10); the note under the chart also gives it as a total.

    rows: [{"number": 1, "date": "2026-01-05", "client": {"heard": 9, …} | None, "clinician": {…} | None}]"""
    rows = sorted(rows, key=lambda r: r["number"])
    numbers = [r["number"] for r in rows]
    labels = _item_labels()
    layout = base_layout(title=_("Relationship, item by item, by session (0–10)"), height=460)
    layout["grid"] = {"rows": 2, "columns": 2, "pattern": "independent", "ygap": 0.32, "xgap": 0.12}
    layout["margin"].update(t=64, b=56)
    data = []
    for index, item in enumerate(TOTAL_ITEMS, start=1):
        suffix = "" if index == 1 else str(index)
        data += _rater_traces(rows, item, index, labels[item])
        layout[f"xaxis{suffix}"] = {**session_axis(numbers), "title": {"text": ""}}
        layout[f"yaxis{suffix}"] = {
            "range": [0, ITEM_MAX + 0.5],
            "dtick": 5,
            "gridcolor": GRID,
            "zeroline": False,
        }
        shade, title = _panel_decor(suffix, labels[item], cutoff)
        layout["shapes"].append(shade)
        layout["annotations"].append(title)
    total, maximum = cutoff * len(TOTAL_ITEMS), ITEM_MAX * len(TOTAL_ITEMS)
    layout["annotations"].append(
        {
            "text": _("Shaded: below %(cutoff)s") % {"cutoff": f"{cutoff:g} ({total:g}/{maximum:g})"},
            "xref": "paper",
            "yref": "paper",
            "x": 1,
            "y": -0.1,
            "xanchor": "right",
            "yanchor": "top",
            "showarrow": False,
            "font": {"size": 11, "color": MUTED},
        }
    )
    layout["legend"].update(y=-0.1, yanchor="top")
    return {"data": data, "layout": layout}
