"""The client's own page draws its charts on the server, as inline SVG, so a phone downloads no charting
library (Plotly's bundle alone is 1.4 MB compressed; the page is held under 150 KB, docs/performance.md).

Pure: a figure in, HTML out (no ORM, no request). The figures are the ones the page already has: each
pillar's and the read side's Plotly dicts (care.pillars.Figure), built in the house style of
instruments.charts. This draws that style's vocabulary: scatter traces as lines and markers on a session,
date or category axis; rectangles shaded across a panel; labels beside a panel at a value; panel titles
in a grid of panels; a note under the chart. A trace or shape outside it is left out of the drawing (the
numbers under the chart still list every trace), and `unsupported` names it so a test can say so.

Without script, at any width: x positions are percentages of the plot's width and y positions pixels of
a fixed plot height, so a chart stretches to its card while text and markers keep their size. The
margins for the axis labels are the plot's CSS padding (static/css/attune.css, "Charts drawn on the
server"), where the labels overflow to. Colour is never the only signal (dash and marker differ, as in
Plotly), each chart is an image with a title and a description that reads its values, and the numbers are
in a table below it."""

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from care.pillars import Figure

TOP = 8  # room above the plot for a marker at the top of the scale
TICKS_BELOW = 22  # the x-axis labels under the plot
LANE = 38  # one lane of a category chart: its label, then its markers
HEIGHTS = {1: 190, 2: 120}  # the plot's height: one panel, or each of a grid's panels
DASHES = {"dash": "6 4", "dot": "2 3", "dashdot": "6 3 2 3", "longdash": "10 4"}
SYMBOLS = (
    "circle",
    "circle-open",
    "circle-open-dot",
    "square",
    "square-open",
    "diamond",
    "x",
    "triangle-up",
    "triangle-down",
)


@dataclass(frozen=True)
class Point:
    x: float  # 0–1 across the plot
    y: float  # pixels from the top of the svg
    x_label: str  # "Session 3" or a date
    y_label: str  # the value, or a lane's name


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    dash: str  # an SVG stroke-dasharray, "" when solid
    symbol: str  # one of SYMBOLS
    lines: bool
    markers: bool
    legend: bool  # listed in the legend (the relationship grid lists each rater once)
    points: tuple[Point, ...]
    drawn: bool = True  # False: a trace type this does not draw (it is still in the numbers)


@dataclass(frozen=True)
class Panel:
    title: str
    height: int  # the svg's height, ticks included
    series: tuple[Series, ...]
    shades: tuple[tuple[float, float, str], ...] = ()  # (top px, bottom px, fill)
    labels: tuple[tuple[float, str], ...] = ()  # (y px, text) beside the plot: severity bands
    y_ticks: tuple[tuple[float, str], ...] = ()
    x_ticks: tuple[tuple[float, str], ...] = ()
    lanes: tuple[tuple[float, str], ...] = ()  # (marker row px, name): a category axis
    x_heading: str = ""  # what the x axis counts: sessions or dates
    bottom: float = 0  # where the plot ends and the x-axis labels begin


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    panels: tuple[Panel, ...]
    legend: tuple[Series, ...]
    note: str
    head: tuple[str, ...]  # the numbers table
    rows: tuple[tuple[str, ...], ...]
    wide: bool = False
    unsupported: tuple[str, ...] = field(default=())


# --- Reading a figure -----------------------------------------------------------------------------


def _plain(text: object) -> str:
    """Plotly text without its markup (<b>…</b>, <br>)."""
    return re.sub(r"<[^>]+>", " ", str(text or "")).replace("  ", " ").strip()


def _suffix(ref: str) -> str:
    """The axis number in a reference: "x2 domain" → "2", "y" → ""."""
    return ref.split()[0][1:]


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _nice_step(span: float, most: int = 6) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500):
        if span / step <= most:
            return step
    return 10 ** math.ceil(math.log10(span or 1))


def _as_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


class _XAxis:
    """Session numbers (or any numbers) or dates, mapped to 0–1 across the plot."""

    def __init__(self, axis: dict, values: Sequence[object]):
        self.dates = axis.get("type") == "date" or (
            bool(values) and all(_as_date(v) is not None for v in values)
        )
        if self.dates:
            ordinals = [d.toordinal() for v in values if (d := _as_date(v))] or [dt.date.today().toordinal()]
            self.first, self.last = min(ordinals), max(ordinals)
            pad = max((self.last - self.first) * 0.04, 4)
            self.low, self.high = self.first - pad, self.last + pad
        else:
            numbers = [float(v) for v in values if isinstance(v, int | float)] or [1.0]
            low, high = axis.get("range") or (min(numbers) - 0.5, max(numbers) + 0.5)
            self.low, self.high = float(low), float(high)

    def at(self, value: object) -> float | None:
        if self.dates:
            date = _as_date(value)
            raw = float(date.toordinal()) if date else None
        else:
            raw = float(value) if isinstance(value, int | float) else None
        if raw is None:
            return None
        return (raw - self.low) / ((self.high - self.low) or 1)

    def label(self, value: object) -> str:
        if self.dates:
            date = _as_date(value)
            return dateformat.format(date, "M j, Y") if date else str(value)
        return _("Session %(n)s") % {"n": _number(value)}

    def ticks(self) -> tuple[tuple[float, str], ...]:
        if self.dates:
            return self._month_ticks()
        first, last = math.ceil(self.low), math.floor(self.high)
        step = _nice_step(last - first + 1)
        values = [v for v in range(first, last + 1) if v % step == 0 or step == 1]
        return tuple((self._fraction(v), _number(v)) for v in values)

    def _fraction(self, raw: float) -> float:
        return (raw - self.low) / ((self.high - self.low) or 1)

    def _month_ticks(self) -> tuple[tuple[float, str], ...]:
        start, end = dt.date.fromordinal(math.ceil(self.low)), dt.date.fromordinal(math.floor(self.high))
        months = []
        day = dt.date(start.year, start.month, 1)
        while day <= end:
            if day >= start:
                months.append(day)
            day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        if len(months) < 2:  # a few weeks: the first and the last session's day instead
            days = sorted({self.first, self.last})
            return tuple((self._fraction(d), dateformat.format(dt.date.fromordinal(d), "M j")) for d in days)
        step = math.ceil(len(months) / 5)
        shown = months[::step]
        return tuple(
            (
                self._fraction(d.toordinal()),
                dateformat.format(d, "M Y" if i == 0 or d.month == 1 else "M"),
            )
            for i, d in enumerate(shown)
        )


class _YAxis:
    """A numeric scale mapped to pixels of the plot's height, or the lanes of a category axis."""

    def __init__(self, axis: dict, values: Sequence[object], height: int):
        self.categories: list[str] = []
        if axis.get("type") == "category" or any(isinstance(v, str) for v in values):
            order = [
                str(c) for c in reversed(axis.get("categoryarray") or [])
            ]  # Plotly draws the first lowest
            present = {str(v) for v in values}
            self.categories = [c for c in order if c in present] + sorted(present - set(order))
            self.height = LANE * max(len(self.categories), 1)
            return
        numbers = [float(v) for v in values if isinstance(v, int | float)] or [0.0, 1.0]
        low, high = axis.get("range") or (min(0.0, *numbers), max(numbers))
        self.low, self.high, self.height = float(low), float(high), height
        self.dtick = axis.get("dtick")

    def at(self, value: object) -> float | None:
        if self.categories:
            return self.lane_y(str(value)) if str(value) in self.categories else None
        if not isinstance(value, int | float):
            return None
        clamped = min(max(float(value), self.low), self.high)
        return round(TOP + (self.high - clamped) / ((self.high - self.low) or 1) * self.height, 1)

    def lane_y(self, category: str) -> float:
        return TOP + self.categories.index(category) * LANE + LANE - 12

    def ticks(self) -> tuple[tuple[float, str], ...]:
        if self.categories:
            return ()
        step = float(self.dtick or _nice_step(self.high - self.low))
        first = math.ceil(self.low / step) * step
        count = int((self.high - first) // step) + 1
        values = [first + i * step for i in range(count)]
        return tuple((y, _number(v)) for v in values if (y := self.at(v)) is not None)


def _panel_suffixes(data: Sequence[dict]) -> list[str]:
    found = {_suffix(t.get("xaxis", "x")) for t in data}
    return sorted(found or {""}, key=lambda s: int(s or 1))


def _series(trace: dict, x: _XAxis, y: _YAxis) -> Series:
    line, marker = trace.get("line") or {}, trace.get("marker") or {}
    mode = trace.get("mode", "lines+markers")
    points = []
    for x_value, y_value in zip(trace.get("x") or [], trace.get("y") or [], strict=False):
        px, py = x.at(x_value), y.at(y_value)
        if px is not None and py is not None:
            points.append(Point(round(px, 4), py, x.label(x_value), _number(y_value)))
    symbol = marker.get("symbol", "circle")
    return Series(
        name=_plain(trace.get("name")),
        colour=str(line.get("color") or marker.get("color") or "#1f5f8b"),
        dash=DASHES.get(line.get("dash", "solid"), ""),
        symbol=symbol if symbol in SYMBOLS else "circle",
        lines="lines" in mode,
        markers="markers" in mode,
        legend=trace.get("showlegend", True) is not False,
        points=tuple(points),
        drawn=trace.get("type", "scatter") == "scatter",
    )


def _decor(layout: dict, suffix: str, y: _YAxis) -> tuple[list, list, str]:
    """A panel's shaded rectangles, its labels beside the plot and its title."""
    shades, labels, title = [], [], ""
    for shape in layout.get("shapes") or []:
        if shape.get("type") == "rect" and _suffix(shape.get("yref", "y")) == suffix and not y.categories:
            top, bottom = y.at(max(shape["y0"], shape["y1"])), y.at(min(shape["y0"], shape["y1"]))
            if top is not None and bottom is not None and bottom > top:
                shades.append((top, bottom, str(shape.get("fillcolor", "#f3f5f7"))))
    for note in layout.get("annotations") or []:
        xref, yref = note.get("xref", "paper"), note.get("yref", "paper")
        if yref.endswith("domain") and _suffix(yref) == suffix:
            title = _plain(note.get("text"))
        elif (
            xref == "paper"
            and yref != "paper"
            and _suffix(yref) == suffix
            and (at := y.at(note.get("y"))) is not None
        ):
            labels.append((at, _plain(note.get("text"))))
    return shades, labels, title


def _unsupported(figure: dict) -> tuple[str, ...]:
    found = [
        f"trace type {t.get('type')}" for t in figure.get("data", []) if t.get("type", "scatter") != "scatter"
    ]
    found += [
        f"shape {s.get('type')}"
        for s in figure.get("layout", {}).get("shapes") or []
        if s.get("type") != "rect"
    ]
    return tuple(found)


def chart(figure: Figure) -> Chart:
    """What the SVG shows of a Plotly figure of the house style: its panels, legend, note and numbers."""
    data = figure.figure.get("data", [])
    layout = figure.figure.get("layout", {})
    suffixes = _panel_suffixes(data)
    height = HEIGHTS[1 if len(suffixes) == 1 else 2]
    panels = []
    for suffix in suffixes:
        traces = [t for t in data if _suffix(t.get("xaxis", "x")) == suffix]
        x = _XAxis(layout.get(f"xaxis{suffix}") or {}, [v for t in traces for v in t.get("x") or []])
        y = _YAxis(layout.get(f"yaxis{suffix}") or {}, [v for t in traces for v in t.get("y") or []], height)
        series = tuple(s for t in traces if (s := _series(t, x, y)).points)
        shades, labels, title = _decor(layout, suffix, y)
        bottom = TOP + y.height + (4 if y.categories else 0)
        panels.append(
            Panel(
                title=title,
                height=round(bottom + TICKS_BELOW),
                series=series,
                shades=tuple(shades),
                labels=tuple(labels),
                y_ticks=y.ticks(),
                x_ticks=x.ticks(),
                lanes=tuple((y.lane_y(c), c) for c in y.categories),
                x_heading=_("Date") if x.dates else _("Session"),
                bottom=bottom,
            )
        )
    legend = _legend(panels) if layout.get("showlegend", True) is not False else ()
    notes = [
        _plain(a.get("text"))
        for a in layout.get("annotations") or []
        if a.get("xref") == "paper" and a.get("yref") == "paper"
    ]
    head, rows = _numbers(panels, title=_plain((layout.get("title") or {}).get("text")))
    return Chart(
        key=figure.key,
        title=_plain((layout.get("title") or {}).get("text")),
        panels=tuple(panels),
        legend=legend,
        note=" ".join(notes),
        head=head,
        rows=rows,
        wide=figure.wide,
        unsupported=_unsupported(figure.figure),
    )


def _legend(panels: Sequence[Panel]) -> tuple[Series, ...]:
    """Each named series once, if there is more than one to tell apart."""
    seen: dict[str, Series] = {}
    for panel in panels:
        for series in panel.series:
            if series.legend and series.drawn and series.name not in seen and not panel.lanes:
                seen[series.name] = series
    return tuple(seen.values()) if len(seen) > 1 else ()


def _column(panel: Panel, series: Series) -> str:
    if not panel.title:
        return series.name
    return panel.title if len(panel.series) == 1 else f"{panel.title}: {series.name}"


def _numbers(panels: Sequence[Panel], *, title: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The chart's values as a table: a row per session (or date), a column per series; a category
    chart lists each date with its lane."""
    if any(p.lanes for p in panels):
        events = sorted(
            ((pt.x, pt.x_label, pt.y_label, s.name) for p in panels for s in p.series for pt in s.points),
            key=lambda e: e[0],
        )
        return (_("Date"), title), tuple((label, name) for _x, label, _y, name in events)
    columns = [(p, s) for p in panels for s in p.series]
    by_x: dict[float, dict[int, str]] = {}
    labels: dict[float, str] = {}
    for index, (_panel, series) in enumerate(columns):
        for pt in series.points:
            by_x.setdefault(pt.x, {})[index] = pt.y_label
            labels[pt.x] = pt.x_label
    head = (panels[0].x_heading if panels else "", *(_column(p, s) for p, s in columns))
    rows = tuple((labels[x], *(by_x[x].get(i, "–") for i in range(len(columns)))) for x in sorted(by_x))
    return head, rows


# --- Drawing it -----------------------------------------------------------------------------------


def sprite() -> SafeString:
    """The marker shapes, once per page, drawn in the colour (currentColor) of each <use>."""
    shapes = {
        "circle": '<circle r="4.5" fill="currentColor"/>',
        "circle-open": '<circle r="5" fill="#fff" stroke="currentColor" stroke-width="2"/>',
        "circle-open-dot": '<circle r="5.5" fill="#fff" stroke="currentColor" stroke-width="2"/>'
        '<circle r="1.6" fill="currentColor"/>',
        "square": '<rect x="-4.5" y="-4.5" width="9" height="9" fill="currentColor"/>',
        "square-open": '<rect x="-4.5" y="-4.5" width="9" height="9" fill="#fff" stroke="currentColor" '
        'stroke-width="2"/>',
        "diamond": '<path d="M0-6 6 0 0 6-6 0z" fill="currentColor"/>',
        "x": '<path d="M-4.5-4.5 4.5 4.5M4.5-4.5-4.5 4.5" stroke="currentColor" stroke-width="3.5"/>',
        "triangle-up": '<path d="M0-6.5 7 5.5H-7z" fill="currentColor" stroke="#fff"/>',
        "triangle-down": '<path d="M0 6.5 7-5.5H-7z" fill="currentColor" stroke="#fff"/>',
    }
    defs = "".join(f'<g id="svgc-{name}">{shape}</g>' for name, shape in shapes.items())
    return mark_safe(  # noqa: S308 — constant markup, no input
        f'<svg class="svgc-sprite" width="0" height="0" aria-hidden="true" focusable="false"><defs>{defs}</defs></svg>'
    )


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.2f}".rstrip("0").rstrip(".") + "%"


def _lines(series: Series, height: int) -> SafeString:
    """The series' line: a polyline in an inner svg stretched to the plot's width (x 0–1000), whose
    stroke keeps its width and dashes however far it stretches."""
    if not series.lines or len(series.points) < 2:
        return mark_safe("")
    points = " ".join(f"{p.x * 1000:.1f},{p.y:g}" for p in series.points)
    dash = format_html(' stroke-dasharray="{}"', series.dash) if series.dash else ""
    return format_html(
        '<svg width="100%" height="{}" viewBox="0 0 1000 {}" preserveAspectRatio="none" overflow="visible">'
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{} vector-effect="non-scaling-stroke"/>'
        "</svg>",
        height,
        height,
        points,
        series.colour,
        dash,
    )


def _markers(series: Series) -> SafeString:
    """Each point's marker (a line with one point gets one too). The values are in the chart's
    description and table, not in a tooltip per point: those would double the page's weight."""
    if not series.markers and len(series.points) > 1:
        return mark_safe("")
    uses = format_html_join(
        "", '<use href="#svgc-{}" x="{}" y="{}"/>', ((series.symbol, _pct(p.x), p.y) for p in series.points)
    )
    return format_html('<g color="{}">{}</g>', series.colour, uses)


def _description(panel: Panel) -> str:
    if panel.lanes:
        return "; ".join(f"{p.x_label}: {s.name}" for s in panel.series for p in s.points)
    parts = []
    for series in panel.series:
        values = ", ".join(f"{p.x_label}: {p.y_label}" for p in series.points)
        parts.append(f"{series.name} — {values}" if len(panel.series) > 1 else values)
    return "; ".join(parts)


def _panel_svg(chart: Chart, index: int, panel: Panel) -> SafeString:
    ident = f"svgc-{chart.key}-{index}"
    shades = format_html_join(
        "",
        '<rect x="0" y="{}" width="100%" height="{}" fill="{}"/>',
        ((t, round(b - t, 1), f) for t, b, f in panel.shades),
    )
    y_grid = format_html_join(
        "",
        '<line class="svgc-grid" x1="0" x2="100%" y1="{0}" y2="{0}"/>'
        '<text class="svgc-tick svgc-y" x="0" dx="-6" y="{0}">{1}</text>',
        panel.y_ticks,
    )
    x_grid = format_html_join(
        "",
        '<line class="svgc-grid" x1="{0}" x2="{0}" y1="{1}" y2="{2}"/>'
        '<text class="svgc-tick svgc-x" x="{0}" y="{3}">{4}</text>',
        (
            (_pct(x), TOP if not panel.lanes else 0, panel.bottom, panel.bottom + 16, label)
            for x, label in panel.x_ticks
        ),
    )
    lanes = format_html_join(
        "",
        '<line class="svgc-grid" x1="0" x2="100%" y1="{0}" y2="{0}"/><text class="svgc-lane" x="0" y="{1}">{2}</text>',
        ((y, y - 13, name) for y, name in panel.lanes),
    )
    labels = format_html_join("", '<text class="svgc-band" x="100%" y="{}">{}</text>', panel.labels)
    drawn = format_html_join(
        "", "{}{}", ((_lines(s, panel.height), _markers(s)) for s in panel.series if s.drawn)
    )
    return format_html(
        '<svg class="svgc-svg" width="100%" height="{}" overflow="visible" role="img" aria-labelledby="{}-t {}-d">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}{}{}{}{}{}</svg>',
        panel.height,
        ident,
        ident,
        ident,
        panel.title or chart.title,
        ident,
        _description(panel),
        shades,
        y_grid,
        x_grid,
        lanes,
        labels,
        drawn,
    )


def _legend_html(legend: Iterable[Series]) -> SafeString:
    items = format_html_join(
        "",
        '<li><svg width="30" height="14" aria-hidden="true" focusable="false">{}{}</svg>{}</li>',
        (
            (
                format_html(
                    '<line x1="1" x2="29" y1="7" y2="7" stroke="{}" stroke-width="2"{}/>',
                    s.colour,
                    format_html(' stroke-dasharray="{}"', s.dash) if s.dash else "",
                )
                if s.lines
                else "",
                format_html('<use href="#svgc-{}" x="15" y="7" color="{}"/>', s.symbol, s.colour)
                if s.markers
                else "",
                s.name,
            )
            for s in legend
        ),
    )
    return format_html('<ul class="svgc-legend">{}</ul>', items) if legend else mark_safe("")


def _table(chart: Chart) -> SafeString:
    head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in chart.head))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (
                format_html_join(
                    "",
                    "{}",
                    (
                        (
                            format_html('<th scope="row">{}</th>', c)
                            if i == 0
                            else format_html('<td class="num">{}</td>', c),
                        )
                        for i, c in enumerate(row)
                    ),
                ),
            )
            for row in chart.rows
        ),
    )
    return format_html(
        '<details class="svgc-numbers"><summary>{}<span class="visually-hidden">: {}</span></summary>'
        '<div class="table-wrap"><table><caption class="visually-hidden">{}</caption><thead><tr>{}</tr></thead>'
        "<tbody>{}</tbody></table></div></details>",
        _("The numbers"),
        chart.title,  # five "The numbers" in a row tell a screen reader nothing: say of which chart
        chart.title,
        head,
        body,
    )


def render(chart: Chart) -> SafeString:
    """One chart as a <figure>: its title, its panels (a grid when there are several), legend, note and
    the numbers."""
    panels = format_html_join(
        "",
        '<div class="svgc-panel">{}<div class="svgc-plot{}">{}</div></div>',
        (
            (
                format_html('<p class="svgc-panel-title">{}</p>', p.title) if p.title else "",
                " svgc-lanes" if p.lanes else (" svgc-banded" if p.labels else ""),
                _panel_svg(chart, i, p),
            )
            for i, p in enumerate(chart.panels)
        ),
    )
    classes = "card chart-card svgc chart-" + chart.key + (" chart-wide" if chart.wide else "")
    grid = " svgc-grid-of-panels" if len(chart.panels) > 1 else ""
    return format_html(
        '<figure class="{}"><figcaption class="svgc-title">{}</figcaption><div class="svgc-panels{}">{}</div>'
        "{}{}{}</figure>",
        classes,
        chart.title,
        grid,
        panels,
        _legend_html(chart.legend),
        format_html('<p class="svgc-note">{}</p>', chart.note) if chart.note else "",
        _table(chart),
    )


def draw(figures: Iterable[Figure]) -> SafeString:
    """Every figure of a page as inline SVG, in the page's order, with the marker shapes they share."""
    drawn = [render(chart(f)) for f in figures]
    if not drawn:
        return mark_safe("")
    return format_html(
        '{}<div class="chart-grid svgc-charts">{}</div>',
        sprite(),
        format_html_join("", "{}", ((d,) for d in drawn)),
    )
