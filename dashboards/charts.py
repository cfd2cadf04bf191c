"""The read side's own charts: the outcome measures by session, the attendance timeline, the caseload's
sparklines. Pure: rows in, Plotly figure dict out (no ORM, no request). Each pillar builds its own charts
(care.pillars.Figure) in the same house style (instruments.charts).

The dicts are handed to the page with `json_script` and drawn by static/js/dashboards/charts.js with the
plotly.min.js we serve ourselves. Colour is never the only signal: every series also differs by line
dash or marker symbol, and each chart has a text summary next to it."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from instruments import outcomes
from instruments.charts import BAD, CLIENT, CLINICIAN, GOOD, GRID, MUTED, base_layout, session_axis
from instruments.library import get_instrument


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
    norms: outcomes.MeasureNorms

    @property
    def reliable_change(self) -> float:
        """Smallest change from the first score that counts as reliable (Jacobson & Truax 1991)."""
        return outcomes.reliable_change_threshold(self.norms)


def outcome_measure(key: str) -> Measure:
    """A measure the outcome maths has norms for (instruments.outcomes.NORMS), with the severity bands of
    its definition's total scale, labelled in the active language."""
    norms = outcomes.NORMS[key]
    total = next(s for s in get_instrument(key).scales if s.key == "total")
    language = (get_language() or "en").split("-")[0]
    return Measure(
        key=key,
        title=norms.name,
        maximum=norms.maximum,
        bands=tuple(
            Band(b.min, b.max, capfirst(b.label.get(language) or b.label["en"])) for b in total.bands
        ),
        norms=norms,
    )


_BAND_TINTS = ("#f7fbf8", "#fbfaf0", "#fdf5e6", "#fcece6", "#fbe3e3")


def _band_decor(measure: Measure) -> tuple[list[dict], list[dict]]:
    """A tinted stripe and a label at the right edge for each severity band."""
    shapes, labels = [], []
    for index, band in enumerate(measure.bands):
        shapes.append(
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
        labels.append(
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
    return shapes, labels


def _change_markers(numbers: list[int], values: list[float], changes: list[str]) -> list[dict]:
    """Reliable improvement (green, triangle down) and deterioration (red, triangle up)."""
    traces = []
    for kind, name, colour, symbol in (
        ("improved", _("Reliable improvement"), GOOD, "triangle-down"),
        ("deteriorated", _("Reliable deterioration"), BAD, "triangle-up"),
    ):
        picked = [(n, v) for n, v, c in zip(numbers, values, changes, strict=True) if c == kind]
        traces.append(
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
    return traces


def outcome_figure(measure: Measure, rows: Iterable[dict]) -> dict:
    """A symptom measure (PHQ-9, GAD-7) by session, over its severity bands, with reliable improvement and
    deterioration marked against the first score (instruments.outcomes decides which change is reliable).

    rows: [{"number": 1, "date": "2026-01-05", "value": 14.0, "band": "moderate"}]"""
    rows = sorted(rows, key=lambda r: r["number"])
    numbers = [r["number"] for r in rows]
    values = [r["value"] for r in rows]
    layout = base_layout(
        title=_("%(measure)s by session (0–%(max)s)")
        % {"measure": measure.title, "max": f"{measure.maximum:g}"}
    )
    layout["xaxis"] = session_axis(numbers)
    layout["yaxis"] = {"range": [0, measure.maximum + 0.5], "gridcolor": GRID, "zeroline": False}
    layout["margin"]["r"] = 110
    layout["shapes"], layout["annotations"] = _band_decor(measure)
    line = {
        "type": "scatter",
        "mode": "lines+markers",
        "name": measure.title,
        "x": numbers,
        "y": values,
        "customdata": [[r["date"], r.get("band", "")] for r in rows],
        "line": {"color": CLIENT, "width": 2},
        "marker": {"size": 8, "color": CLIENT},
        "hovertemplate": _("Session") + " %{x} (%{customdata[0]})<br>%{y} · %{customdata[1]}<extra></extra>",
    }
    changes = outcomes.changes_from_first(values, norms=measure.norms)
    return {"data": [line, *_change_markers(numbers, values, changes)], "layout": layout}


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


def _lane_trace(lane: tuple[str, str, str, str], picked: list[dict]) -> dict:
    """One attendance lane's sessions, with the session number, minutes late and next booking on hover."""
    value, label, colour, symbol = lane
    yes, no = _("yes"), _("no")
    return {
        "type": "scatter",
        "mode": "markers",
        "name": label,
        "x": [r["date"] for r in picked],
        "y": [label] * len(picked),
        "customdata": [
            [r["number"], r.get("late_minutes") or 0, yes if r.get("next_session_booked") else no]
            for r in picked
        ],
        "marker": {"symbol": symbol, "size": 12, "color": colour, "line": {"width": 2, "color": colour}},
        "hovertemplate": label
        + "<br>"
        + _("Session")
        + " %{customdata[0]} · %{x|%b %d, %Y}"
        + ("<br>%{customdata[1]} " + _("min late") if value == "late_start" else "")
        + "<br>"
        + _("Next session booked")
        + ": %{customdata[2]}<extra></extra>",
    }


def attendance_figure(rows: Iterable[dict]) -> dict:
    """A timeline of sessions by date, one lane per outcome, so gaps, late starts and who cancelled show.
    Sessions are the spine's: this chart stays with the read side whatever pillars there are.

    rows: [{"number": 3, "date": "2026-01-19", "attendance": "late_start", "late_minutes": 10,
            "next_session_booked": True}]"""
    rows = sorted(rows, key=lambda r: (r["date"], r["number"]))
    lanes = _attendance_lanes()
    data = []
    for lane in lanes:
        picked = [r for r in rows if r["attendance"] == lane[0]]
        if picked:
            data.append(_lane_trace(lane, picked))
    layout = base_layout(title=_("Attendance and reliability"), height=300)
    layout["xaxis"] = {"type": "date", "gridcolor": GRID, "title": {"text": ""}}
    layout["yaxis"] = {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": [label for _value, label, _c, _s in reversed(lanes)],
        "gridcolor": GRID,
        "automargin": True,
    }
    layout["showlegend"] = False
    layout["margin"].update(l=10, b=40)
    return {"data": data, "layout": layout}


def sparkline(
    values: Sequence[float],
    *,
    width: int = 96,
    height: int = 24,
    low: float = 0,
    high: float = 40,
    cutoff: float | None = None,
) -> dict:
    """An inline SVG sparkline as plain numbers: the polyline points, the last point, the scale's top
    (`high`, shown after the latest value) and the height of the clinic's cutoff line, if any.

    Drawn server-side, because a caseload of 150 rows should not start 150 Plotly charts."""
    values = list(values)
    if not values:
        return {"points": "", "last": None, "width": width, "height": height, "high": high, "cutoff_y": None}
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
        "high": high,
        "cutoff_y": y(cutoff) if cutoff is not None else None,
    }
