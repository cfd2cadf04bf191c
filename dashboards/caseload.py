"""The clinician's home: every open episode they may see, with its trend and pillar status, and the flag
inbox beside it. Each read takes the requesting user and owns its joins."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

from care.access import episodes_visible_to
from care.audit import audit_list_read
from care.models import CheckIn, Client, Episode, Program, Score, Session, User
from care.pillars import CaseloadTrend, all_pillars
from dashboards import charts
from dashboards.status import PillarStatus, PillarWords, pillar_statuses
from risk.models import Flag
from risk.selectors import urgency
from risk.titles import titled


def caseload_for(user: User, *, clinician_id: int | None = None) -> QuerySet[Episode]:
    """Open episodes the user may see, with what a caseload row shows, in a constant number of queries.

    The counts are correlated subqueries rather than joins: joining sessions, check-ins and flags at once
    multiplies rows per episode, and on a 150 × 30 caseload that was most of the page's SQL time."""

    def per_episode(queryset, value):
        return Subquery(queryset.order_by().values("episode_id").annotate(v=value).values("v")[:1])

    sessions = Session.objects.filter(episode_id=OuterRef("pk"))
    episodes = (
        episodes_visible_to(user)
        .filter(closed_on__isnull=True)
        .select_related("client", "program", "clinician__user")
        .annotate(
            sessions_so_far=Coalesce(
                per_episode(sessions.filter(attendance__in=Session.ATTENDED_STATES), Count("id")), 0
            ),
            # The latest session's check-in: walks the (episode, number) index backwards and stops at the
            # first hit, where ordering by submitted_at had to sort every check-in of the episode.
            last_checkin_at=Subquery(
                CheckIn.objects.filter(session__episode_id=OuterRef("pk"), submitted_at__isnull=False)
                .order_by("-session__number")
                .values("submitted_at")[:1]
            ),
            active_flags=Coalesce(
                per_episode(
                    Flag.objects.filter(episode_id=OuterRef("pk")).exclude(status=Flag.Status.RESOLVED),
                    Count("id"),
                ),
                0,
            ),
        )
        .order_by("client__family_name", "client__given_name", "id")
    )
    if clinician_id is not None:
        episodes = episodes.filter(clinician_id=clinician_id)
    return episodes


def caseload_trend() -> CaseloadTrend | None:
    """The score the caseload draws as its trend column: the first pillar that registers one."""
    return next((p.caseload_trend for p in all_pillars() if p.caseload_trend is not None), None)


def episode_week(opened_on: dt.date, today: dt.date) -> int:
    return max((today - opened_on).days // 7 + 1, 1)


# --- The trend column ----------------------------------------------------------------------------

SPARKLINE_SESSIONS = 12

# For each episode, its last 12 attended sessions by the (episode, number) index, then their check-ins'
# scores on the trend's scale: cost follows the caseload, not the clinic. The plain ORM join was planned
# as a scan of every check-in in the clinic, whose cost grew with the clinic (docs/dashboards.md).
_RECENT_VALUES_SQL = """
SELECT e.id, sc.value
FROM unnest(%s::bigint[]) AS e(id)
CROSS JOIN LATERAL (
    SELECT se.id, se.number FROM care_session se
    WHERE se.episode_id = e.id AND se.attendance = ANY(%s)
    ORDER BY se.number DESC LIMIT %s
) s
JOIN care_checkin c ON c.session_id = s.id
JOIN care_score sc ON sc.checkin_id = c.id AND sc.instrument = %s AND sc.scale = %s
ORDER BY e.id, s.number
"""


def recent_scores(episode_ids: list[int], *, instrument: str, scale: str) -> dict[int, list[float]]:
    """{episode id: its scores on `instrument`.`scale` at its last SPARKLINE_SESSIONS attended sessions,
    oldest first}."""
    values: dict[int, list[float]] = defaultdict(list)
    if not episode_ids:
        return values
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _RECENT_VALUES_SQL,
                [episode_ids, list(Session.ATTENDED_STATES), SPARKLINE_SESSIONS, instrument, scale],
            )
            rows = cursor.fetchall()
    else:  # SQLite for a first run: small data, the plain join is fine
        rows = (
            Score.objects.filter(
                checkin__session__episode__in=episode_ids, instrument=instrument, scale=scale
            )
            .order_by("checkin__session__episode_id", "checkin__session__number")
            .values_list("checkin__session__episode_id", "value")
        )
    for episode_id, value in rows:
        values[episode_id].append(value)
    return {k: v[-SPARKLINE_SESSIONS:] for k, v in values.items()}


# --- Rows ----------------------------------------------------------------------------------------

CASELOAD_SORTS = {
    "client": lambda r: (r.client.family_name.lower(), r.client.given_name.lower(), r.episode.pk),
    "week": lambda r: (r.week, r.episode.pk),
    "sessions": lambda r: (r.episode.sessions_so_far, r.episode.pk),
    "checkin": lambda r: (r.episode.last_checkin_at or dt.datetime.min.replace(tzinfo=dt.UTC), r.episode.pk),
    "trend": lambda r: (r.trend[-1] if r.trend else -1, r.episode.pk),
    "flags": lambda r: (r.flag_rank, r.episode.pk),
}


def _client_url(client_id: int) -> str:
    # reverse() once per page, not once per row: it showed up in the caseload's profile.
    return f"{_client_url_prefix()}{client_id}/"


@lru_cache(maxsize=1)
def _client_url_prefix() -> str:
    return reverse("client-detail", args=[1]).removesuffix("1/")


@lru_cache(maxsize=1024)
def _short_date_cached(day: dt.date, language: str) -> str:
    return date_format(day, "M j")


def _short_date(day: dt.date) -> str:
    # Many rows share a date, and the locale machinery is slow: format each date once.
    return _short_date_cached(day, get_language())


@dataclass
class CaseloadRow:
    episode: Any  # an Episode as caseload_page_read loads it: with its counts and active flags annotated
    week: int
    trend: list[float]  # the trend column's scores, oldest first
    flags: list[Flag]
    # What the sparkline and the pillar chips are drawn with: they are drawn for the shown page only.
    sparkline_range: dict
    words: PillarWords

    @cached_property
    def sparkline(self) -> dict:
        return charts.sparkline(self.trend, **self.sparkline_range) if self.trend else {}

    @cached_property
    def pillars(self) -> list[PillarStatus]:
        return pillar_statuses(self.flags, self.words)

    @property
    def client(self) -> Client:
        return self.episode.client

    @property
    def flag_rank(self) -> tuple[int, int]:
        reds = sum(1 for f in self.flags if f.level == Flag.Level.RED)
        return (reds, len(self.flags))

    @cached_property
    def display(self) -> dict:
        """The row as plain strings and numbers: a caseload can run to hundreds of rows, and dict lookups
        are the template engine's fast path."""
        client, episode = self.episode.client, self.episode
        checked = episode.last_checkin_at
        return {
            "url": _client_url(client.pk),
            "name": str(client),
            "reference": client.reference,
            "program": episode.program.name,
            "week": self.week,
            "sessions": episode.sessions_so_far,
            "checkin_iso": checked.isoformat() if checked else "",
            "checkin_label": _short_date(timezone.localdate(checked)) if checked else "",
            "spark": self.sparkline if self.trend else None,
            "latest": f"{self.trend[-1]:.0f}" if self.trend else "",
            "values_text": ", ".join(f"{v:g}" for v in self.trend),
            "pillars": [
                {
                    "level": p.level,
                    "icon": {"red": "✖", "amber": "▲"}.get(p.level, "✓"),
                    "short": p.short,
                    "label": p.label,
                    "level_label": p.level_label,
                    "why": p.why,
                    "tip_id": f"tip-{episode.pk}-{p.key}",
                }
                for p in self.pillars
            ],
            "flag_count": len(self.flags),
            "flag_level": "red" if self.flag_rank[0] else "amber",
        }


PAGE_SIZE = 50  # rows drawn per page: a long caseload stays light on a phone and quick to render
INBOX_SHOWN = 15  # flags listed beside the caseload, most urgent first


@dataclass
class Caseload:
    rows: list[CaseloadRow]  # the shown page
    programs: list[Program]
    flags: list[Flag]  # every active flag on the caseload, most urgent first: the inbox
    total: int
    sort: str
    descending: bool
    flagged_only: bool
    program_id: int | None
    trend: CaseloadTrend | None = None  # None when no pillar registers one: no trend column
    page: int = 1
    pages: int = 1

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last_shown(self) -> int:
        return (self.page - 1) * PAGE_SIZE + len(self.rows)

    @property
    def page_numbers(self) -> range:
        return range(1, self.pages + 1)

    @property
    def inbox_shown(self) -> list[Flag]:
        """The most urgent flags, for the panel beside the table; the flag inbox page has them all."""
        return self.flags[:INBOX_SHOWN]


def _active_flags_prefetch() -> Prefetch:
    return Prefetch(
        "flags",
        queryset=Flag.objects.filter(status__in=Flag.ACTIVE_STATES).order_by("level", "-opened_at", "-id"),
        to_attr="active_flag_list",
    )


def _rows(episodes: list[Any], trend: CaseloadTrend | None) -> list[CaseloadRow]:
    """One row per episode: its week, trend sparkline (one query for all) and pillar chips."""
    values: dict[int, list[float]] = {}
    sparkline_range: dict = {}
    if trend is not None and episodes:
        values = recent_scores([e.pk for e in episodes], instrument=trend.instrument, scale=trend.scale)
        # Every episode on a caseload is in the user's clinic: its line is drawn the same on every row.
        cutoff = trend.cutoff(episodes[0].client.clinic) if trend.cutoff else None
        sparkline_range = {"low": trend.low, "high": trend.high, "cutoff": cutoff}
    today = timezone.localdate()
    words = PillarWords.current()
    rows = []
    for episode in episodes:
        recent = values.get(episode.pk, [])
        rows.append(
            CaseloadRow(
                episode=episode,
                week=episode_week(episode.opened_on, today),
                trend=recent,
                flags=episode.active_flag_list,
                sparkline_range=sparkline_range,
                words=words,
            )
        )
    return rows


def _inbox(rows: list[CaseloadRow]) -> list[Flag]:
    """Every active flag on the rows, most urgent first (risk.selectors.urgency: red, then the longest
    waiting, then amber), titled as on every page."""
    inbox = titled(sorted((f for r in rows for f in r.flags), key=urgency))
    by_id = {r.episode.pk: r.episode for r in rows}
    for flag in inbox:  # the inbox shows whose flag it is without another query
        flag.episode = by_id[flag.episode_id]
    return inbox


def caseload_page_read(
    user: User,
    *,
    sort: str = "flags",
    descending: bool = True,
    flagged_only: bool = False,
    program_id: int | None = None,
    page: int = 1,
) -> Caseload:
    """The clinician's home. Four queries whatever the caseload's size (episodes, their active flags,
    their trend scores, the audit row); sparklines and pillar chips are drawn for the shown page only.

    Filters apply in Python: the whole caseload is loaded anyway for the program list, and a caseload is
    hundreds of rows at most."""
    everything: list[Any] = list(  # Episodes with caseload_for's annotations
        caseload_for(user)
        .select_related(None)
        # The clinician is the user: no need to load them per row. The clinic is the trend's cutoff.
        .select_related("client__clinic", "program")
        .prefetch_related(_active_flags_prefetch())
    )
    programs = sorted({e.program_id: e.program for e in everything}.values(), key=lambda p: (p.name, p.pk))
    episodes = [
        e
        for e in everything
        if (not flagged_only or e.active_flags) and (program_id is None or e.program_id == program_id)
    ]
    trend = caseload_trend()
    rows = _rows(episodes, trend)
    if sort not in CASELOAD_SORTS or (sort == "trend" and trend is None):
        sort = "flags"
    rows.sort(key=CASELOAD_SORTS[sort], reverse=descending)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    inbox = _inbox(rows)
    # What the page shows: its rows, and the clients named in the inbox (which covers every page).
    audit_list_read(
        actor=user,
        what="caseload",
        client_ids=[r.client.pk for r in shown] + [f.episode.client_id for f in inbox],
    )
    return Caseload(
        rows=shown,
        programs=programs,
        flags=inbox,
        total=len(rows),
        sort=sort,
        descending=descending,
        flagged_only=flagged_only,
        program_id=program_id,
        trend=trend,
        page=page,
        pages=pages,
    )
