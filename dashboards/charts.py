"""Pure chart builders: rows in, Plotly figure dict out (no ORM, no request).

The dicts are handed to the page with `json_script` and drawn by static/js/dashboards/charts.js with the
plotly.min.js we serve ourselves. Colour is never the only signal: every series also differs by line
dash or marker symbol, and each chart has a text summary next to it."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from instruments.outcomes import NORMS
from instruments.outcomes import reliable_change as jacobson_truax

INK = "#1d2733"
MUTED = "#55606e"
GRID = "#e6eaef"
CLIENT = "#1f5f8b"
CLINICIAN = "#8a5300"
GOOD = "#1e6b35"
BAD = "#a4262c"

# Relationship items are rated 0–10. Alliance scales bunch near the top, so the line sits high:
# 9 per item is the 36-out-of-40 convention used for session-rating scales.
RELATIONSHIP_ITEMS = ("heard", "goals", "approach", "overall")
RELATIONSHIP_ITEM_CUTOFF = 9.0


def _item_labels() -> dict[str, str]:
    return {
        "heard": _("Felt heard and respected"),
        "goals": _("Worked on what I wanted"),
        "approach": _("Approach fits me"),
        "overall": _("Overall"),
    }


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    label: str


@dataclass(frozen=True)
class Measure:
    """An outcome measure as the chart needs it: range, severity bands and the reliable-change size."""

    key: str
    title: str
    maximum: float
    bands: tuple[Band, ...]
    # Smallest change from the first score that counts as reliable (Jacobson & Truax 1991).
    reliable_change: float


def _base_layout(*, title: str, height: int = 320) -> dict:
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


def _session_axis(numbers: Sequence[int]) -> dict:
    last = max(numbers, default=1)
    return {
        "title": {"text": ""},  # the chart's title says "by session"; an axis title collided with the legend
        "tickmode": "linear" if last <= 12 else "auto",
        "dtick": 1,
        "range": [0.5, last + 0.5],
        "gridcolor": GRID,
        "zeroline": False,
    }


def relationship_figure(rows: Iterable[dict], *, cutoff: float = RELATIONSHIP_ITEM_CUTOFF) -> dict:
    """One small panel per relationship item: the client's rating (solid, circles) and the clinician's
    rating of the same item (dashed, diamonds), with the area below the cutoff shaded.

    rows: [{"number": 1, "date": "2026-01-05", "client": {"heard": 9, …} | None, "clinician": {…} | None}]"""
    rows = sorted(rows, key=lambda r: r["number"])
    numbers = [r["number"] for r in rows]
    labels = _item_labels()
    layout = _base_layout(title=_("Relationship, item by item, by session (0–10)"), height=460)
    layout["grid"] = {"rows": 2, "columns": 2, "pattern": "independent", "ygap": 0.32, "xgap": 0.12}
    layout["margin"]["t"] = 64
    data = []
    for index, item in enumerate(RELATIONSHIP_ITEMS, start=1):
        suffix = "" if index == 1 else str(index)
        for who, colour, dash, symbol, name in (
            ("client", CLIENT, "solid", "circle", _("Client")),
            ("clinician", CLINICIAN, "dash", "diamond", _("Clinician")),
        ):
            points = [(r["number"], r["date"], (r.get(who) or {}).get(item)) for r in rows]
            points = [p for p in points if p[2] is not None]
            data.append(
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
                    "hovertemplate": f"{name} · {labels[item]}<br>"
                    + _("Session")
                    + " %{x} (%{customdata})<br>%{y}/10<extra></extra>",
                }
            )
        layout[f"xaxis{suffix}"] = {**_session_axis(numbers), "title": {"text": ""}}
        layout[f"yaxis{suffix}"] = {"range": [0, 10.5], "dtick": 5, "gridcolor": GRID, "zeroline": False}
        layout["shapes"].append(
            {
                "type": "rect",
                "xref": f"x{suffix} domain",
                "yref": f"y{suffix}",
                "x0": 0,
                "x1": 1,
                "y0": 0,
                "y1": cutoff,
                "fillcolor": "rgba(164, 38, 44, 0.07)",
                "line": {"width": 0},
                "layer": "below",
            }
        )
        layout["annotations"].append(
            {
                "text": f"<b>{labels[item]}</b>",
                "xref": f"x{suffix} domain",
                "yref": f"y{suffix} domain",
                "x": 0,
                "y": 1.16,
                "xanchor": "left",
                "showarrow": False,
                "font": {"size": 12, "color": INK},
            }
        )
    layout["annotations"].append(
        {
            "text": _("Shaded: below %(cutoff)s") % {"cutoff": f"{cutoff:g}"},
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
    layout["legend"]["y"] = -0.1
    layout["legend"]["yanchor"] = "top"
    layout["margin"]["b"] = 56
    return {"data": data, "layout": layout}


def reliable_changes(values: Sequence[float], threshold: float) -> list[str]:
    """For each score, compared with the first: 'improved', 'deteriorated' or '' (lower is better).

    Reliable means the change is larger than `threshold` (Jacobson & Truax's 1.96·S_diff), i.e. more
    than measurement error alone would explain."""
    if not values:
        return []
    first = values[0]
    out = [""]
    for value in values[1:]:
        change = value - first
        if change < -threshold:
            out.append("improved")
        elif change > threshold:
            out.append("deteriorated")
        else:
            out.append("")
    return out


_BAND_TINTS = ("#f7fbf8", "#fbfaf0", "#fdf5e6", "#fcece6", "#fbe3e3")


def outcome_figure(measure: Measure, rows: Iterable[dict]) -> dict:
    """A symptom measure (PHQ-9, GAD-7) by session, over its severity bands, with reliable improvement
    (green, triangle down) and reliable deterioration (red, triangle up) marked against the first score.

    rows: [{"number": 1, "date": "2026-01-05", "value": 14.0, "band": "Moderate"}]"""
    rows = sorted(rows, key=lambda r: r["number"])
    numbers = [r["number"] for r in rows]
    values = [r["value"] for r in rows]
    changes = reliable_changes(values, measure.reliable_change)
    layout = _base_layout(
        title=_("%(measure)s by session (0–%(max)s)")
        % {"measure": measure.title, "max": f"{measure.maximum:g}"}
    )
    layout["xaxis"] = _session_axis(numbers)
    layout["yaxis"] = {"range": [0, measure.maximum + 0.5], "gridcolor": GRID, "zeroline": False}
    layout["margin"]["r"] = 110
    for index, band in enumerate(measure.bands):
        layout["shapes"].append(
            {
                "type": "rect",
                "xref": "x domain",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": band.low,
                "y1": band.high + (1 if index < len(measure.bands) - 1 else 0.5),
                "fillcolor": _BAND_TINTS[min(index, len(_BAND_TINTS) - 1)],
                "line": {"width": 0},
                "layer": "below",
            }
        )
        layout["annotations"].append(
            {
                "text": band.label,
                "xref": "paper",
                "yref": "y",
                "x": 1.01,
                "y": (band.low + band.high + 1) / 2,
                "xanchor": "left",
                "showarrow": False,
                "font": {"size": 11, "color": MUTED},
            }
        )
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": measure.title,
            "x": numbers,
            "y": values,
            "customdata": [[r["date"], r.get("band", "")] for r in rows],
            "line": {"color": CLIENT, "width": 2},
            "marker": {"size": 8, "color": CLIENT},
            "hovertemplate": _("Session")
            + " %{x} (%{customdata[0]})<br>%{y} · %{customdata[1]}<extra></extra>",
        }
    ]
    for kind, name, colour, symbol in (
        ("improved", _("Reliable improvement"), GOOD, "triangle-down"),
        ("deteriorated", _("Reliable deterioration"), BAD, "triangle-up"),
    ):
        picked = [(n, v) for n, v, c in zip(numbers, values, changes, strict=True) if c == kind]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": [p[0] for p in picked],
                "y": [p[1] for p in picked],
                "marker": {
                    "symbol": symbol,
                    "size": 14,
                    "color": colour,
                    "line": {"width": 1, "color": "#fff"},
                },
                "hovertemplate": name + "<br>" + _("Session") + " %{x}: %{y}<extra></extra>",
                "visible": True if picked else "legendonly",
            }
        )
    return {"data": data, "layout": layout}


def readiness_figure(rows: Iterable[dict]) -> dict:
    """Importance and confidence of change (0–10 rulers) by session.

    rows: [{"number": 1, "date": "…", "importance": 8, "confidence": 5}]"""
    rows = sorted(rows, key=lambda r: r["number"])
    numbers = [r["number"] for r in rows]
    layout = _base_layout(title=_("Readiness for change by session (0–10)"))
    layout["xaxis"] = _session_axis(numbers)
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


def _attendance_lanes() -> list[tuple[str, str, str, str]]:
    """(attendance value, label, colour, marker symbol), top lane first."""
    return [
        ("attended", _("Attended"), GOOD, "circle"),
        ("late_start", _("Late start"), CLINICIAN, "circle-open"),
        ("no_show", _("No-show"), BAD, "x"),
        ("cancelled_client", _("Cancelled by client"), MUTED, "square-open"),
        ("cancelled_clinician", _("Cancelled by clinician"), BAD, "square"),
        ("rescheduled_clinician", _("Rescheduled by clinician"), CLINICIAN, "diamond"),
        ("scheduled", _("Scheduled"), CLIENT, "circle-open-dot"),
    ]


def attendance_figure(rows: Iterable[dict]) -> dict:
    """A timeline of sessions by date, one lane per outcome, so gaps, late starts and who cancelled show.

    rows: [{"number": 3, "date": "2026-01-19", "attendance": "late_start", "late_minutes": 10,
            "next_session_booked": True}]"""
    rows = sorted(rows, key=lambda r: (r["date"], r["number"]))
    lanes = _attendance_lanes()
    labels = [label for _value, label, _c, _s in lanes]
    yes, no = _("yes"), _("no")
    data = []
    for value, label, colour, symbol in lanes:
        picked = [r for r in rows if r["attendance"] == value]
        if not picked:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": label,
                "x": [r["date"] for r in picked],
                "y": [label] * len(picked),
                "customdata": [
                    [
                        r["number"],
                        r.get("late_minutes") or 0,
                        yes if r.get("next_session_booked") else no,
                    ]
                    for r in picked
                ],
                "marker": {
                    "symbol": symbol,
                    "size": 12,
                    "color": colour,
                    "line": {"width": 2, "color": colour},
                },
                "hovertemplate": label
                + "<br>"
                + _("Session")
                + " %{customdata[0]} · %{x|%b %d, %Y}"
                + ("<br>%{customdata[1]} " + _("min late") if value == "late_start" else "")
                + "<br>"
                + _("Next session booked")
                + ": %{customdata[2]}<extra></extra>",
            }
        )
    layout = _base_layout(title=_("Attendance and reliability"), height=300)
    layout["xaxis"] = {"type": "date", "gridcolor": GRID, "title": {"text": ""}}
    layout["yaxis"] = {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": list(reversed(labels)),
        "gridcolor": GRID,
        "automargin": True,
    }
    layout["showlegend"] = False
    layout["margin"]["l"] = 10
    layout["margin"]["b"] = 40
    return {"data": data, "layout": layout}


def sparkline(
    values: Sequence[float], *, width: int = 96, height: int = 24, low: float = 0, high: float = 40
) -> dict:
    """An inline SVG sparkline as plain numbers: the polyline points and the last point.

    Drawn server-side, because a caseload of 150 rows should not start 150 Plotly charts."""
    values = list(values)
    if not values:
        return {"points": "", "last": None, "width": width, "height": height}
    span = (high - low) or 1
    pad = 3
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(value: float) -> float:
        clamped = min(max(value, low), high)
        return round(height - pad - (clamped - low) / span * (height - 2 * pad), 1)

    coords = [(round(pad + i * step, 1), y(v)) for i, v in enumerate(values)]
    if len(coords) == 1:
        coords = [(pad, coords[0][1]), (width - pad, coords[0][1])]
    return {
        "points": " ".join(f"{x:g},{yy:g}" for x, yy in coords),
        "last": {"x": coords[-1][0], "y": coords[-1][1]},
        "width": width,
        "height": height,
    }


def default_measures() -> dict[str, Measure]:
    """PHQ-9 and GAD-7 with their published severity bands; the reliable-change threshold comes from
    instruments.outcomes (Jacobson & Truax with the norms documented there: about 6 points on the PHQ-9, 4 on
    the GAD-7)."""

    def threshold(key: str) -> float:
        norms = NORMS[key]
        return jacobson_truax(0, 0, sd=norms.sd, reliability=norms.reliability).threshold

    return {
        "phq9": Measure(
            key="phq9",
            title="PHQ-9",
            maximum=27,
            bands=(
                Band(0, 4, _("Minimal")),
                Band(5, 9, _("Mild")),
                Band(10, 14, _("Moderate")),
                Band(15, 19, _("Moderately severe")),
                Band(20, 27, _("Severe")),
            ),
            reliable_change=threshold("phq9"),
        ),
        "gad7": Measure(
            key="gad7",
            title="GAD-7",
            maximum=21,
            bands=(
                Band(0, 4, _("Minimal")),
                Band(5, 9, _("Mild")),
                Band(10, 14, _("Moderate")),
                Band(15, 21, _("Severe")),
            ),
            reliable_change=threshold("gad7"),
        ),
    }
