"""The summary as a PDF a payer can read: the page's tables, group by group, with a sparkline per measure
over the months, and each measure's definition at the end.

Rendered with reportlab: pure Python, no browser or system libraries, so the Celery worker makes a PDF
the same way everywhere (a headless browser would be a second Chromium to run beside the worker; a
WeasyPrint install needs Pango). Small cells are suppressed exactly as in the other formats, including the
months of the sparkline (a month whose denominator is below 11 is left as a gap)."""

from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reports.exports import deid
from reports.exports.rows import describe_filters, period, summary_cells
from reports.selectors import MeasureFigure, Report

INK = colors.HexColor("#1f2933")
LINE = colors.HexColor("#2563eb")
RULE = colors.HexColor("#cbd2d9")
# The built-in PDF fonts cover Latin-1 (WinAnsi): a few typographic signs are spelled out.
_PLAIN = str.maketrans({"−": "-", "≥": ">=", "≤": "<=", "×": "x", "’": "'"})


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text).translate(_PLAIN)), style)


def sparkline(figure: MeasureFigure, width: float = 40 * mm, height: float = 9 * mm) -> Drawing:
    drawing = Drawing(width, height)
    drawing.add(Line(0, 0.5, width, 0.5, strokeColor=RULE, strokeWidth=0.5))  # the months' span
    points = figure.months
    shown = [
        (i, p.value) for i, p in enumerate(points) if p.value is not None and not deid.is_small(p.denominator)
    ]
    if not shown or figure.withheld:
        return drawing
    values = [v for _, v in shown]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / max(len(points) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return i * step, 2 + (v - low) / span * (height - 4)

    by_index, run = dict(shown), list[float]()
    for i in range(len(points)):
        value = by_index.get(i)
        if value is None:  # a gap: end the line here
            if len(run) >= 4:
                drawing.add(PolyLine(run, strokeColor=LINE, strokeWidth=1.2))
            run = []
            continue
        run += list(xy(i, value))
    if len(run) >= 4:
        drawing.add(PolyLine(run, strokeColor=LINE, strokeWidth=1.2))
    last_i, last_v = shown[-1]
    x, y = xy(last_i, last_v)
    drawing.add(Circle(x, y, 1.6, fillColor=LINE, strokeColor=LINE))
    return drawing


def _shown(value: object, unit: str) -> str:
    if value is None:
        return "-"
    if value == deid.SUPPRESSED:
        return "suppressed"
    if isinstance(value, float):
        return f"{value:.1f}%" if unit == "percent" else f"{value:.1f} days"
    return str(value)


def write_pdf(path: Path, report: Report, *, level_label: str, clinic_name: str) -> int:
    """Write the PDF; returns the number of measures in it."""
    styles = getSampleStyleSheet()
    body, small = (
        styles["BodyText"],
        ParagraphStyle("small", parent=styles["BodyText"], fontSize=8, leading=10),
    )
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=11)
    story: list = [
        _p(f"{clinic_name}: value-based-care report", styles["Title"]),
        _p(
            f"Period: {period(report.filters)}. Filters: {describe_filters(report)}. Read on {report.as_of:%Y-%m}.",
            body,
        ),
        _p(
            f"{level_label}. Counts below {deid.SMALL_CELL}, and rates resting on them, are suppressed "
            "(CMS cell-size policy).",
            small,
        ),
        Spacer(1, 4 * mm),
    ]
    for title, figures in report.groups():
        story.append(_p(title, styles["Heading2"]))
        data: list[list] = [
            [_p(h, cell) for h in ("Measure", "Value", "Numerator", "Denominator", "By month")]
        ]
        for figure in figures:
            numerator, denominator, value, note = summary_cells(figure)
            unit = figure.measure.unit
            data.append(
                [
                    _p(figure.measure.title, cell),
                    _p(note if figure.withheld else _shown(value, unit), cell),
                    _p(_shown(numerator, "count"), cell),
                    _p(_shown(denominator, "count"), cell),
                    sparkline(figure),
                ]
            )
        table = Table(data, colWidths=[55 * mm, 28 * mm, 24 * mm, 24 * mm, 44 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1f5f9")),
                ]
            )
        )
        story += [table, Spacer(1, 4 * mm)]
    story.append(_p("Definitions", styles["Heading2"]))
    for figure in report.figures:
        m = figure.measure
        story.append(_p(m.title, styles["Heading4"]))
        for label, text in (
            ("Numerator", m.numerator),
            ("Denominator", m.denominator),
            ("Window", m.window),
            ("Exclusions", m.exclusions),
            ("Source", m.source),
        ):
            story.append(_p(f"{label}: {text}", small))
    document = SimpleDocTemplate(
        str(path), pagesize=A4, title=f"{clinic_name} report", leftMargin=15 * mm, rightMargin=15 * mm
    )
    document.build(story)
    return len(report.figures)
