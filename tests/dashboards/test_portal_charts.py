"""The client's own page draws its charts on the server (dashboards.svg_charts): the same figures the
staff pages draw with Plotly, as inline SVG with their numbers in text, and no script at all."""

import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import translation

from alliance.charts import relationship_figure
from care.models import Score
from care.pillars import Figure
from dashboards import charts, svg_charts
from dashboards.portal import portal_charts, portal_link_issue, portal_read
from readiness.charts import readiness_figure
from tests.dashboards.factories import seed_caseload


def _phq9(values: list[float]) -> Figure:
    rows = [
        {"number": n, "date": f"2026-01-{n:02d}", "value": v, "band": ""}
        for n, v in enumerate(values, start=1)
    ]
    return Figure(key="phq9", figure=charts.outcome_figure(charts.outcome_measure("phq9"), rows))


def _xml(html: str) -> ElementTree.Element:
    """The drawing is well-formed markup (every element closed), so it parses as XML."""
    return ElementTree.fromstring(html)  # noqa: S314 — our own output, in a test


def test_an_outcome_chart_keeps_its_bands_scale_and_reliable_change():
    # Given a PHQ-9 that falls from 20 to 12: a reliable improvement at session 3
    chart = svg_charts.chart(_phq9([20, 17, 12]))
    (panel,) = chart.panels
    # Then the severity bands are shaded and named beside the plot, on the 0–27 scale's ticks
    assert [text for _y, text in panel.labels] == [
        "Minimal",
        "Mild",
        "Moderate",
        "Moderately severe",
        "Severe",
    ]
    assert len(panel.shades) == 5
    assert [label for _y, label in panel.y_ticks] == ["0", "5", "10", "15", "20", "25"]
    # And the line holds every score, the improvement its own marker, told apart in the legend
    line, improved = panel.series
    assert [p.y_label for p in line.points] == ["20", "17", "12"]
    assert improved.name == "Reliable improvement" and improved.symbol == "triangle-down"
    assert [p.x_label for p in improved.points] == ["Session 3"]
    assert [s.name for s in chart.legend] == ["PHQ-9", "Reliable improvement"]


def test_points_sit_where_the_scale_puts_them():
    # Sessions 1–3 on a 0.5–3.5 axis: the middle session halfway across; 0 at the bottom, 27.5 at the top
    chart = svg_charts.chart(_phq9([0, 27.5, 13.75]))
    points = chart.panels[0].series[0].points
    assert [round(p.x, 3) for p in points] == [0.167, 0.5, 0.833]
    height = svg_charts.HEIGHTS[1]
    assert points[0].y == svg_charts.TOP + height
    assert points[1].y == svg_charts.TOP
    assert points[2].y == pytest.approx(svg_charts.TOP + height / 2, abs=0.1)
    html = svg_charts.render(chart)
    assert 'x="50%" y="8.0"' in html or 'x="50%" y="8"' in html


def test_the_relationship_grid_becomes_four_titled_panels_with_the_clinics_line():
    # Given the client's own ratings only (their page never shows the clinician's)
    rows = [
        {
            "number": n,
            "date": f"2026-02-{n:02d}",
            "client": {"heard": 9, "goals": 8, "approach": 7, "overall": 6},
        }
        for n in (1, 2)
    ]
    chart = svg_charts.chart(
        Figure(key="relationship", figure=relationship_figure(rows, cutoff=9), wide=True)
    )
    # Then each item has its panel, the area below the cutoff of 9 shaded, and the note says so
    assert [p.title for p in chart.panels] == [
        "Felt heard and respected",
        "Worked on what I wanted",
        "Approach fits me",
        "Overall",
    ]
    for panel in chart.panels:
        ((top, bottom, _fill),) = panel.shades
        assert bottom - top == pytest.approx(svg_charts.HEIGHTS[2] * 9 / 10.5, abs=0.2)
        assert [s.name for s in panel.series] == ["Client"]  # no empty clinician line
    assert chart.note == "Shaded: below 9 (36/40)"
    assert chart.legend == ()  # one rater: the panel titles say it all
    # And the numbers table has a row per session and a column per item
    assert chart.head == (
        "Session",
        "Felt heard and respected",
        "Worked on what I wanted",
        "Approach fits me",
        "Overall",
    )
    assert chart.rows == (("Session 1", "9", "8", "7", "6"), ("Session 2", "9", "8", "7", "6"))
    html = svg_charts.render(chart)
    assert "svgc-grid-of-panels" in html and "chart-wide" in html


def test_attendance_draws_only_the_lanes_that_happened_top_lane_first_with_month_ticks():
    rows = [
        {"number": 1, "date": "2026-01-05", "attendance": "attended"},
        {"number": 2, "date": "2026-02-02", "attendance": "no_show"},
        {"number": 3, "date": "2026-03-02", "attendance": "attended"},
        {"number": 4, "date": "2026-04-06", "attendance": "scheduled"},
    ]
    chart = svg_charts.chart(Figure(key="attendance", figure=charts.attendance_figure(rows), wide=True))
    (panel,) = chart.panels
    assert [name for _y, name in panel.lanes] == ["Attended", "No-show", "Scheduled"]
    assert [label for _x, label in panel.x_ticks] == ["Jan 2026", "Feb", "Mar", "Apr"]
    assert chart.rows[:2] == (("Jan 5, 2026", "Attended"), ("Feb 2, 2026", "No-show"))
    assert chart.legend == ()  # the lanes are labelled


def test_the_drawing_is_an_accessible_image_with_its_values_in_words_and_a_table():
    rows = [{"number": 1, "date": "2026-01-05", "importance": 8, "confidence": 5}]
    html = str(svg_charts.render(svg_charts.chart(Figure(key="readiness", figure=readiness_figure(rows)))))
    figure = _xml(html)
    svg = figure.find(".//svg[@role='img']")
    labelled_by = svg.get("aria-labelledby").split()
    ids = {el.get("id"): "".join(el.itertext()) for el in svg.iter() if el.get("id")}
    assert ids[labelled_by[0]] == "Readiness for change by session (0–10)"
    assert ids[labelled_by[1]] == "Importance — Session 1: 8; Confidence — Session 1: 5"
    table = figure.find(".//table")
    assert [th.text for th in table.iter("th")] == ["Session", "Importance", "Confidence", "Session 1"]
    assert [td.text for td in table.iter("td")] == ["8", "5"]
    assert "<script" not in html and "style=" not in html  # nothing the strict CSP would refuse


def test_text_in_a_figure_is_escaped():
    figure = {
        "data": [{"type": "scatter", "name": "<img src=x onerror=alert(1)>", "x": [1], "y": [2]}],
        "layout": {"title": {"text": "<script>alert(1)</script>"}},
    }
    html = str(svg_charts.render(svg_charts.chart(Figure(key="x", figure=figure))))
    assert "<script" not in html and "<img" not in html
    _xml(html)


def test_what_it_cannot_draw_is_named_and_still_in_the_numbers():
    figure = {
        "data": [
            {"type": "bar", "name": "Bars", "x": [1], "y": [3]},
            {"type": "scatter", "name": "Line", "x": [1, 2], "y": [3, 4]},
        ],
        "layout": {"title": {"text": "Mixed"}},
    }
    chart = svg_charts.chart(Figure(key="mixed", figure=figure))
    assert chart.unsupported == ("trace type bar",)
    assert chart.head == ("Session", "Bars", "Line")
    html = str(svg_charts.render(chart))
    assert html.count("<use ") == 2  # the line's two markers, not the bar


@pytest.mark.django_db
def test_every_chart_of_a_real_own_page_is_drawn_whole(personas, django_assert_num_queries):
    # Given a client twelve sessions in, with every chart the own page has
    episode = seed_caseload(personas["owner"], clients=1, sessions=12, flag_every=1, prefix="S")[0]
    page = portal_read(token=portal_link_issue(client=episode.client))
    assert set(page.figures) == {"relationship", "phq9", "gad7", "readiness", "attendance"}
    # When it is drawn: without a query, and nothing left out
    with django_assert_num_queries(0):
        html = str(portal_charts(page))
    for figure in page.figures.values():
        assert svg_charts.chart(figure).unsupported == ()
    # Then every figure is there, each an image, each with its numbers, and the markup is well formed
    root = _xml(f"<div>{html}</div>")
    assert len(root.findall(".//figure")) == 5
    assert len(root.findall(".//svg[@role='img']")) == 4 + 4  # four relationship panels, four charts
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    # And the PHQ-9 table holds the client's own scores
    phq9 = [
        f"{v:g}"
        for v in Score.objects.filter(checkin__session__episode=episode, instrument="phq9", scale="total")
        .order_by("checkin__session__number")
        .values_list("value", flat=True)
    ]
    table = next(f for f in root.iter("figure") if "chart-phq9" in f.get("class")).find(".//table")
    assert [td.text for td in table.iter("td")] == phq9


@pytest.mark.django_db
def test_the_own_page_loads_no_script_and_the_staff_page_keeps_plotly(client, personas):
    episode = seed_caseload(personas["owner"], clients=1, sessions=6, flag_every=1, prefix="S")[0]
    body = client.get(reverse("portal", args=[portal_link_issue(client=episode.client)])).content.decode()
    assert "<script" not in body and "plotly" not in body
    assert body.count('class="card chart-card svgc') == 5
    assert re.search(r'<svg class="svgc-svg"[^>]*role="img"', body)
    client.force_login(personas["owner"].user)
    staff = client.get(reverse("client-detail", args=[episode.client_id])).content.decode()
    assert "vendor/plotly/plotly.min" in staff and "svgc" not in staff


def test_a_first_session_draws_single_points_and_spanish_months(personas):
    # Given one session: one score, one attendance, on a date axis a few days wide
    rows = [{"number": 1, "date": "2026-08-05", "attendance": "attended"}]
    with translation.override("es"):
        attendance = svg_charts.chart(Figure(key="attendance", figure=charts.attendance_figure(rows)))
        html = str(svg_charts.render(svg_charts.chart(_phq9([14]))))
    # Then the lone point is a marker (no line to draw), and the dates are the page's language
    assert [label for _x, label in attendance.panels[0].x_ticks] == ["Ago 5"]
    assert html.count('<use href="#svgc-circle"') == 1 and "<polyline" not in html
    assert "Sesión 1" in html
