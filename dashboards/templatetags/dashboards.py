"""The two long lists of the dashboards, rendered in Python: caseload rows and session-by-session answers.

A caseload can run to hundreds of rows with four pillar chips each, and a client page to 30 sessions of
answers. Through the template engine (and even format_html, in Django's lazy-string wrappers) these lists
were most of the pages' time (figures in docs/dashboards.md); plain f-strings with html.escape are not.
Every interpolated value goes through `e()`: nothing reaches the page unescaped (tests check it)."""

from functools import lru_cache
from html import escape

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from care.models import Session

register = template.Library()


def e(value) -> str:
    return escape(str(value), quote=True)


def _spark(d: dict, labels: dict) -> str:
    spark = d["spark"]
    if not spark:
        return f'<span class="muted">{labels["no_ratings"]}</span>'
    w, h = e(spark["width"]), e(spark["height"])
    top = e(f"{spark['high']:g}")  # the scale's maximum, after the latest value
    line = ""
    if spark["cutoff_y"] is not None:  # the clinic's own cutoff, faint and dashed
        cy = e(spark["cutoff_y"])
        line = (
            f'<line x1="0" x2="{w}" y1="{cy}" y2="{cy}" stroke="#a4262c" stroke-width="1" '
            f'stroke-dasharray="2 2" opacity=".55"/>'
        )
    return (
        f'<span class="spark"><svg class="sparkline" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        f'aria-hidden="true" focusable="false">{line}<polyline points="{e(spark["points"])}" fill="none" '
        f'stroke="#1f5f8b" stroke-width="1.6" stroke-linejoin="round"/>'
        f'<circle cx="{e(spark["last"]["x"])}" cy="{e(spark["last"]["y"])}" r="2.4" fill="#1f5f8b"/></svg>'
        f'<span class="spark-value">{e(d["latest"])}<span class="muted">/{top}</span></span>'
        f'<span class="visually-hidden">{labels["values"]} {e(d["values_text"])}</span></span>'
    )


def _chip(p: dict) -> str:
    tip = e(p["tip_id"])
    level_label = e(p["level_label"])
    return (
        f'<li><span class="chip chip-{e(p["level"])} tip-host" tabindex="0" aria-describedby="{tip}">'
        f'<span aria-hidden="true" class="chip-icon">{e(p["icon"])}</span> {e(p["short"])}'
        f'<span class="visually-hidden">: {level_label}</span>'
        f'<span class="tip" role="tooltip" id="{tip}">{e(p["label"])} — {level_label}. {e(p["why"])}</span>'
        f"</span></li>"
    )


def _row(d: dict, labels: dict) -> str:
    if d["checkin_iso"]:
        checkin = f'<time datetime="{e(d["checkin_iso"])}">{e(d["checkin_label"])}</time>'
    else:
        checkin = f'<span class="muted">{labels["none_yet"]}</span>'
    if d["flag_count"]:
        flags = (
            f'<span class="chip chip-{e(d["flag_level"])}"><span aria-hidden="true">⚑</span> '
            f"{e(d['flag_count'])} {labels['open']}</span>"
        )
    else:
        flags = f'<span class="muted">{labels["none"]}</span>'
    trend = f'<td data-label="{labels["trend"]}">{_spark(d, labels)}</td>' if labels["trend"] else ""
    return (
        f"<tr{' class="flagged"' if d['flag_count'] else ''}>"
        f'<th scope="row" data-label="{labels["client"]}"><a href="{e(d["url"])}">{e(d["name"])}</a> '
        f'<span class="ref">{e(d["reference"])}</span><span class="sub">{e(d["program"])}</span></th>'
        f'<td class="num" data-label="{labels["week"]}">{e(d["week"])}</td>'
        f'<td class="num" data-label="{labels["sessions"]}">{e(d["sessions"])}</td>'
        f'<td class="num" data-label="{labels["checkin"]}">{checkin}</td>{trend}'
        f'<td data-label="{labels["pillars"]}"><ul class="chips">{"".join(_chip(p) for p in d["pillars"])}</ul></td>'
        f'<td data-label="{labels["flags"]}">{flags}</td></tr>\n'
    )


@register.simple_tag
def caseload_rows(rows, trend=None) -> SafeString:
    """The caseload's rows; `trend` is the registered caseload trend (care.pillars.CaseloadTrend), or None
    for no trend column."""
    labels = {
        key: e(text)
        for key, text in {
            "client": _("Client"),
            "week": _("Week"),
            "sessions": _("Sessions"),
            "checkin": _("Last check-in"),
            "trend": str(trend.label) if trend else "",
            "values": str(trend.values_label) if trend else "",
            "pillars": _("Pillars"),
            "flags": _("Flags"),
            "none_yet": _("none yet"),
            "no_ratings": _("no ratings yet"),
            "open": _("open"),
            "none": _("none"),
        }.items()
    }
    return mark_safe("".join(_row(row.display, labels) for row in rows))  # noqa: S308 — every value escaped above


@lru_cache(maxsize=4096)
def _long_date(day, language: str) -> str:
    return date_format(day, "D M j, Y")


def _session_words() -> dict:
    return {
        "session": _("Session %(n)s"),
        "minutes": _("%(m)s min"),
        "own_words": e(_("own words")),
        "no_answers": e(_("No answers submitted for this session.")),
        "no_checkin": e(_("No check-in for this session.")),
        "open_session": e(_("Open the session page")),
        "booked": e(_("Next session booked.")),
        "not_booked": e(_("No next session booked at the time.")),
        "attendance": {value: e(label) for value, label in Session.Attendance.choices},
    }


def _note_block(note) -> str:
    """A pillar's titled rows in a session's body (care.pillars.SessionNote)."""
    html = ""
    if note.rows:
        html = (
            f'<h4>{e(note.title)}</h4><dl class="answers">'
            + "".join(f"<div><dt>{e(k)}</dt><dd>{e(v)}</dd></div>" for k, v in note.rows)
            + "</dl>"
        )
    if note.remark:
        label, text = note.remark
        html += f"<p><strong>{e(label)}</strong> {e(text)}</p>"
    return html


def _session_body(view, w: dict, *, staff: bool, session_url: str) -> str:
    s = view.session
    body = []
    if view.own_words:
        body.append(
            '<div class="own-words">'
            + "".join(
                f'<p class="q">{e(q)}</p><blockquote>{e(text)}</blockquote>' for q, text in view.own_words
            )
            + "</div>"
        )
    for section in view.answers:
        body.append(
            f'<h4>{e(section["title"])}</h4><dl class="answers">'
            + "".join(f"<div><dt>{e(q)}</dt><dd>{e(a)}</dd></div>" for q, a in section["items"])
            + "</dl>"
        )
    if not view.answers:
        checkin = getattr(s, "checkin", None)
        body.append(f'<p class="muted">{w["no_answers"] if checkin is not None else w["no_checkin"]}</p>')
    body += [_note_block(note) for note in view.notes]
    if staff:
        body.append(f'<p class="small"><a href="{e(session_url)}">{w["open_session"]}</a></p>')
    body.append(f'<p class="muted small">{w["booked"] if s.next_session_booked else w["not_booked"]}</p>')
    return "".join(body)


def _session_item(view, w: dict, *, staff: bool, open_: bool, session_url: str) -> str:
    s = view.session
    att = w["attendance"].get(s.attendance, e(s.attendance))
    if s.late_minutes:
        att += " (" + e(w["minutes"] % {"m": s.late_minutes}) + ")"
    chips = "".join(f'<span class="s-score">{e(note.chip)}</span>' for note in view.notes if note.chip)
    if view.own_words:
        chips += f'<span class="chip chip-words"><span aria-hidden="true">❝</span> {w["own_words"]}</span>'
    when = _long_date(timezone.localdate(s.scheduled_start), get_language())
    return (
        f'<li class="session-row att-{e(s.attendance)}"><details{" open" if open_ else ""}><summary>'
        f'<span class="s-num">{e(w["session"] % {"n": s.number})}</span>'
        f'<span class="s-date">{e(when)}</span><span class="s-att">{att}</span>{chips}</summary>'
        f'<div class="session-body">{_session_body(view, w, staff=staff, session_url=session_url)}</div>'
        "</details></li>"
    )


@register.simple_tag
def session_list(sessions, staff: bool = False) -> SafeString:
    """Newest first; the newest session with answers starts open."""
    if not sessions:
        return mark_safe(f'<p class="muted">{e(_("No sessions yet."))}</p>')  # noqa: S308 — escaped
    w = _session_words()
    prefix = reverse("session-detail", args=[1]).removesuffix("1/") if staff else ""
    items = []
    for index, view in enumerate(reversed(sessions)):
        items.append(
            _session_item(
                view,
                w,
                staff=staff,
                open_=index == 0 and bool(view.answers),
                session_url=f"{prefix}{view.session.pk}/",
            )
        )
    return mark_safe('<ol class="session-list">' + "".join(items) + "</ol>")  # noqa: S308 — every value escaped
