"""Reads of client data for pages and the API. Each takes the requesting user and owns its joins."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from care.access import access_client, episodes_visible_to
from care.audit import audit_list_read, audit_record
from care.models import AuditEvent, CheckIn, Client, Clinic, Episode, Program, Score, Session, User
from care.pillars import all_pillars
from dashboards import charts
from instruments import outcomes
from instruments.library import InstrumentResolver
from risk.models import Flag, FlagEvent


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


def caseload_read(user: User) -> list[Episode]:
    rows = list(caseload_for(user))
    audit_list_read(actor=user, what="caseload", client_ids=[e.client_id for e in rows])
    return rows


# --- Pillar status -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PillarStatus:
    key: str
    label: str
    level: str  # "red", "amber" or "green"
    why: str
    level_label: str  # the level in words ("Act now", "Watch", "On track"): colour is never the only signal

    @property
    def short(self) -> str:
        return self.label.split()[0]  # "Regimen attunement" fits a chip as "Regimen"


@dataclass(frozen=True)
class PillarWords:
    """Translated once per page, not once per chip: gettext is costly at hundreds of calls."""

    pillars: list[tuple[str, str]]  # [(key, label)]
    levels: dict[str, str]
    no_flags: str
    open_flag: str

    @classmethod
    def current(cls) -> "PillarWords":
        return cls(
            pillars=[(p.key, str(p.label)) for p in all_pillars()],
            levels={"red": _("Act now"), "amber": _("Watch"), "green": _("On track")},
            no_flags=_("No open flags."),
            open_flag=_("Open flag."),
        )


def pillar_statuses(active_flags: list[Flag], words: PillarWords | None = None) -> list[PillarStatus]:
    """One status per pillar from the episode's active flags: red if any red flag, amber if any amber,
    else green; `why` is the flags' reasons in plain words."""
    words = words or PillarWords.current()
    by_pillar: dict[str, list[Flag]] = defaultdict(list)
    for flag in active_flags:
        by_pillar[flag.pillar].append(flag)
    statuses = []
    for key, label in words.pillars:
        flags = by_pillar.get(key, [])
        if not flags:
            statuses.append(PillarStatus(key, label, "green", words.no_flags, words.levels["green"]))
            continue
        level = "red" if any(f.level == Flag.Level.RED for f in flags) else "amber"
        why = " ".join(reason.get("text", "") for f in flags for reason in f.reasons if reason.get("text"))
        statuses.append(PillarStatus(key, label, level, why or words.open_flag, words.levels[level]))
    return statuses


# --- Caseload page -------------------------------------------------------------------------------

CASELOAD_SORTS = {
    "client": lambda r: (r.client.family_name.lower(), r.client.given_name.lower(), r.episode.pk),
    "week": lambda r: (r.week, r.episode.pk),
    "sessions": lambda r: (r.episode.sessions_so_far, r.episode.pk),
    "checkin": lambda r: (r.episode.last_checkin_at or dt.datetime.min.replace(tzinfo=dt.UTC), r.episode.pk),
    "alliance": lambda r: (r.alliance[-1] if r.alliance else -1, r.episode.pk),
    "flags": lambda r: (r.flag_rank, r.episode.pk),
}


def _client_url(client_id: int) -> str:
    # reverse() once per page, not once per row (it showed up at ~0.2 ms a call on a 150-row caseload).
    return f"{_client_url_prefix()}{client_id}/"


@lru_cache(maxsize=1)
def _client_url_prefix() -> str:
    return reverse("client-detail", args=[1]).removesuffix("1/")


@lru_cache(maxsize=1024)
def _short_date_cached(day: dt.date, language: str) -> str:
    return date_format(day, "M j")


def _short_date(day: dt.date) -> str:
    # Many rows share a date; formatting each one through the locale machinery cost ~0.4 ms a row.
    return _short_date_cached(day, get_language())


@dataclass
class CaseloadRow:
    episode: Episode
    week: int
    alliance: list[float]
    sparkline: dict
    pillars: list[PillarStatus]
    flags: list[Flag]

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
            "spark": self.sparkline if self.alliance else None,
            "latest": f"{self.alliance[-1]:.0f}" if self.alliance else "",
            "values_text": ", ".join(f"{v:g}" for v in self.alliance),
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


@dataclass
class Caseload:
    rows: list[CaseloadRow]
    programs: list[Program]
    flags: list[Flag]  # every active flag on the caseload, most urgent first: the inbox
    total: int
    sort: str
    descending: bool
    flagged_only: bool
    program_id: int | None


def episode_week(opened_on: dt.date, today: dt.date) -> int:
    return max((today - opened_on).days // 7 + 1, 1)


def _active_flags_prefetch() -> Prefetch:
    return Prefetch(
        "flags",
        queryset=Flag.objects.filter(status__in=Flag.ACTIVE_STATES).order_by("level", "-opened_at", "-id"),
        to_attr="active_flag_list",
    )


SPARKLINE_SESSIONS = 12

# For each episode, its last 12 attended sessions by the (episode, number) index, then their check-ins'
# relationship totals: cost follows the caseload, not the clinic. The plain ORM join was planned as a
# scan of every check-in in the clinic (78 ms at 50,000 clients).
_RECENT_TOTALS_SQL = """
SELECT e.id, sc.value
FROM unnest(%s::bigint[]) AS e(id)
CROSS JOIN LATERAL (
    SELECT se.id, se.number FROM care_session se
    WHERE se.episode_id = e.id AND se.attendance = ANY(%s)
    ORDER BY se.number DESC LIMIT %s
) s
JOIN care_checkin c ON c.session_id = s.id
JOIN care_score sc ON sc.checkin_id = c.id AND sc.instrument = 'relationship' AND sc.scale = 'total'
ORDER BY e.id, s.number
"""


def recent_relationship_totals(episode_ids: list[int]) -> dict[int, list[float]]:
    """{episode id: relationship totals of its last SPARKLINE_SESSIONS attended sessions, oldest first}."""
    totals: dict[int, list[float]] = defaultdict(list)
    if not episode_ids:
        return totals
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _RECENT_TOTALS_SQL, [episode_ids, list(Session.ATTENDED_STATES), SPARKLINE_SESSIONS]
            )
            rows = cursor.fetchall()
    else:  # SQLite for a first run: small data, the plain join is fine
        rows = (
            Score.objects.filter(
                checkin__session__episode__in=episode_ids, instrument="relationship", scale="total"
            )
            .order_by("checkin__session__episode_id", "checkin__session__number")
            .values_list("checkin__session__episode_id", "value")
        )
    for episode_id, value in rows:
        totals[episode_id].append(value)
    return {k: v[-SPARKLINE_SESSIONS:] for k, v in totals.items()}


def caseload_page_read(
    user: User,
    *,
    sort: str = "flags",
    descending: bool = True,
    flagged_only: bool = False,
    program_id: int | None = None,
) -> Caseload:
    """The clinician's home: every open episode they hold with its trend and pillar status, plus the
    flag inbox. Four queries whatever the caseload's size (episodes, their active flags, their relationship
    totals, the audit row).

    Filters apply in Python: the whole caseload is loaded anyway for the program list, and a caseload is
    hundreds of rows at most."""
    everything = list(
        caseload_for(user)
        .select_related(None)
        .select_related("client", "program")  # the clinician is the user: no need to load them per row
        .prefetch_related(_active_flags_prefetch())
    )
    programs = sorted({e.program_id: e.program for e in everything}.values(), key=lambda p: (p.name, p.pk))
    episodes = [
        e
        for e in everything
        if (not flagged_only or e.active_flags) and (program_id is None or e.program_id == program_id)
    ]
    totals = recent_relationship_totals([e.pk for e in episodes])
    today = timezone.localdate()
    words = PillarWords.current()
    rows = []
    for episode in episodes:
        recent = totals.get(episode.pk, [])
        rows.append(
            CaseloadRow(
                episode=episode,
                week=episode_week(episode.opened_on, today),
                alliance=recent,
                sparkline=charts.sparkline(recent, low=16, high=40),
                pillars=pillar_statuses(episode.active_flag_list, words),
                flags=episode.active_flag_list,
            )
        )
    if sort not in CASELOAD_SORTS:
        sort = "flags"
    rows.sort(key=CASELOAD_SORTS[sort], reverse=descending)
    inbox = sorted(
        (f for r in rows for f in r.flags),
        key=lambda f: (f.level != Flag.Level.RED, f.status != Flag.Status.OPEN, -f.opened_at.timestamp()),
    )
    by_id = {r.episode.pk: r.episode for r in rows}
    for flag in inbox:  # the inbox shows whose flag it is without another query
        flag.episode = by_id[flag.episode_id]
    audit_list_read(actor=user, what="caseload", client_ids=[r.client.pk for r in rows])
    return Caseload(
        rows=rows,
        programs=programs,
        flags=inbox,
        total=len(rows),
        sort=sort,
        descending=descending,
        flagged_only=flagged_only,
        program_id=program_id,
    )


# --- Client page ---------------------------------------------------------------------------------


@dataclass
class SessionView:
    session: Session
    answers: list[dict]  # [{"title": …, "items": [(question, answer)]}]
    own_words: list[tuple[str, str]]  # [(what was asked, what the client wrote)]
    scores: dict[str, Score]
    clinician_rating: object | None

    @property
    def relationship_total(self) -> float | None:
        score = self.scores.get("relationship.total")
        return score.value if score is not None else None


@dataclass
class ClientPage:
    client: Client
    episode: Episode | None
    other_episodes: list[Episode]
    week: int
    sessions: list[SessionView]
    pillars: list[PillarStatus]
    active_flags: list[Flag]
    past_flags: list[Flag]
    plan: object | None
    plan_history: list
    goals: list
    figures: dict[str, dict]
    summary: dict[str, list[str]] = field(default_factory=dict)
    next_session: Session | None = None


def _answer_label(item, value) -> str:
    if item.type == "text":
        return str(value)
    if item.type == "yesno":
        return _("Yes") if value else _("No")
    if item.type == "choice":
        for option in item.options:
            if option.value == value:
                return option.label.get("en", str(value))
    if item.type == "scale":
        return f"{value}/{item.max}"
    return str(value)


def describe_answers(checkin, *, instruments) -> tuple[list[dict], list[tuple[str, str]]]:
    """A check-in's answers as the clinician reads them: question text with the answer in words, and the
    client's own free-text words pulled out.

    Each instrument is read at the version the check-in used, a clinic's loaded definitions (licensed
    scales, FHIR imports) included; `instruments` is one InstrumentResolver shared by the whole page."""
    sections, own_words = [], []
    for key, answers in (checkin.answers or {}).items():
        instrument = instruments.get(key, (checkin.instrument_versions or {}).get(key))
        items = []
        for item_key, value in answers.items():
            if instrument is None:
                items.append((item_key, str(value)))
                continue
            try:
                item = instrument.item(item_key)
            except KeyError:
                items.append((item_key, str(value)))
                continue
            question = item.text.get("en", item_key)
            if item.type == "text":
                if str(value).strip():
                    own_words.append((question, str(value)))
                continue
            items.append((question, _answer_label(item, value)))
        title = instrument.title.get("en", key) if instrument else key
        if items:
            sections.append({"key": key, "title": title, "items": items})
    return sections, own_words


def _summary(sessions: list[SessionView], active_flags: list[Flag]) -> dict[str, list[str]]:
    """What's working and what isn't, in a few plain sentences from the latest scores."""
    working, not_working = [], []
    totals = [
        (s.session.number, s.scores["relationship.total"].value)
        for s in sessions
        if "relationship.total" in s.scores
    ]
    if totals:
        number, latest = totals[-1]
        if latest >= charts.RELATIONSHIP_ITEM_CUTOFF * 4:
            working.append(_("Relationship rated %(v)g/40 at session %(n)s.") % {"v": latest, "n": number})
        else:
            not_working.append(
                _("Relationship rated %(v)g/40 at session %(n)s, below %(c)g.")
                % {"v": latest, "n": number, "c": charts.RELATIONSHIP_ITEM_CUTOFF * 4}
            )
        if len(totals) > 1 and latest < totals[-2][1]:
            not_working.append(
                _("Relationship dropped from %(a)g to %(b)g since the session before.")
                % {"a": totals[-2][1], "b": latest}
            )
    for key, title in (("phq9", "PHQ-9"), ("gad7", "GAD-7")):
        values = [s.scores[f"{key}.total"].value for s in sessions if f"{key}.total" in s.scores]
        if len(values) > 1:
            result = outcomes.outcome(key, values[0], values[-1])
            words = {
                "improved": _("reliable improvement"),
                "deteriorated": _("reliable deterioration"),
            }.get(result.change.direction, _("no reliable change"))
            sentence = _("%(m)s from %(a)g to %(b)g: %(words)s.") % {
                "m": title,
                "a": values[0],
                "b": values[-1],
                "words": words,
            }
            (not_working if result.change.direction == "deteriorated" else working).append(sentence)
    missed = [
        s.session
        for s in sessions
        if s.session.attendance in {Session.Attendance.NO_SHOW, *Session.CLINICIAN_INITIATED}
    ]
    if missed:
        not_working.append(
            ngettext(
                "%(n)s no-show or clinician cancellation so far.",
                "%(n)s no-shows or clinician cancellations so far.",
                len(missed),
            )
            % {"n": len(missed)}
        )
    late = [s.session for s in sessions if s.session.attendance == Session.Attendance.LATE_START]
    if late:
        not_working.append(ngettext("%(n)s late start.", "%(n)s late starts.", len(late)) % {"n": len(late)})
    attended = [s for s in sessions if s.session.was_attended]
    if attended and not missed and not late:
        working.append(_("Every session so far started on time."))
    if active_flags:
        not_working.append(
            ngettext("%(n)s active flag: see below.", "%(n)s active flags: see below.", len(active_flags))
            % {"n": len(active_flags)}
        )
    return {"working": working, "not_working": not_working}


def _chart_rows(sessions: list[SessionView]) -> dict[str, list[dict]]:
    relationship, readiness, attendance = [], [], []
    outcomes: dict[str, list[dict]] = {"phq9": [], "gad7": []}
    for view in sessions:
        session = view.session
        date = timezone.localtime(session.scheduled_start).date().isoformat()
        attendance.append(
            {
                "number": session.number,
                "date": date,
                "attendance": session.attendance,
                "late_minutes": session.late_minutes,
                "next_session_booked": session.next_session_booked,
            }
        )
        checkin = getattr(session, "checkin", None)
        client_items = None
        if checkin is not None and checkin.submitted_at is not None:
            client_items = (checkin.answers or {}).get("relationship") or None
        rating = view.clinician_rating
        if client_items or rating is not None:
            relationship.append(
                {
                    "number": session.number,
                    "date": date,
                    "client": client_items,
                    "clinician": rating.answers if rating is not None else None,
                }
            )
        if "readiness.importance" in view.scores or "readiness.confidence" in view.scores:
            readiness.append(
                {
                    "number": session.number,
                    "date": date,
                    "importance": getattr(view.scores.get("readiness.importance"), "value", None),
                    "confidence": getattr(view.scores.get("readiness.confidence"), "value", None),
                }
            )
        for key in outcomes:
            score = view.scores.get(f"{key}.total")
            if score is not None:
                outcomes[key].append(
                    {"number": session.number, "date": date, "value": score.value, "band": score.band}
                )
    return {"relationship": relationship, "readiness": readiness, "attendance": attendance, **outcomes}


def client_page_read(user: User, client_id: object, *, episode_id: object = None) -> ClientPage:
    """Everything the single-case page shows for one client, in a constant number of queries however many
    sessions, flags or plan revisions there are. Writes one audit event for the read."""
    client = access_client(user, client_id)
    episodes = list(
        episodes_visible_to(user)
        .filter(client=client)
        .select_related("program", "clinician__user")
        .order_by("closed_on", "-opened_on", "-id")  # open episodes (closed_on null) sort first
    )
    page = build_client_page(client, episodes, episode_id=episode_id)
    audit_record(
        actor=user,
        action=AuditEvent.Action.READ,
        obj=client,
        client=client,
        detail={"page": "client", "episode": page.episode.pk if page.episode else None},
    )
    return page


def build_client_page(client: Client, episodes: list[Episode], *, episode_id: object = None) -> ClientPage:
    """The page's content for `client` from `episodes` the caller has already scoped (staff or the client's
    own link). Not for use without that scoping."""
    for episode in episodes:
        episode.client = client  # already loaded and scoped: no query per episode or per flag
    chosen = episodes[0] if episodes else None
    if episode_id not in (None, ""):
        chosen = next((e for e in episodes if str(e.pk) == str(episode_id)), chosen)
    sessions: list[SessionView] = []
    active, past, plan_history, goals = [], [], [], []
    if chosen is not None:
        session_rows = list(
            Session.objects.filter(episode=chosen)
            # Pillar rows come through their reverse relations: care imports no pillar app.
            .select_related("checkin", "clinician_rating")
            .prefetch_related(
                Prefetch("checkin__scores", queryset=Score.objects.order_by("instrument", "scale")),
            )
            .order_by("number")
        )
        instruments = InstrumentResolver(client.clinic_id)
        for session in session_rows:
            checkin = getattr(session, "checkin", None)
            scores, answers, own_words = {}, [], []
            if checkin is not None and checkin.submitted_at is not None:
                scores = {f"{s.instrument}.{s.scale}": s for s in checkin.scores.all()}
                answers, own_words = describe_answers(checkin, instruments=instruments)
            sessions.append(
                SessionView(
                    session=session,
                    answers=answers,
                    own_words=own_words,
                    scores=scores,
                    clinician_rating=getattr(session, "clinician_rating", None),
                )
            )
        flags = list(
            Flag.objects.filter(episode=chosen)
            .select_related("session")
            .prefetch_related(Prefetch("events", queryset=FlagEvent.objects.select_related("actor")))
            .order_by("-opened_at", "-id")
        )
        for flag in flags:
            flag.episode = chosen
        active = [f for f in flags if f.is_active]
        past = [f for f in flags if not f.is_active]
        plan_history = list(chosen.plan_revisions.select_related("revised_by").order_by("-number"))
        goals = list(chosen.goals.order_by("achieved_on", "set_on", "id"))
    rows = _chart_rows(sessions)
    measures = outcome_measures()
    figures = {}
    if rows["relationship"]:
        figures["relationship"] = charts.relationship_figure(rows["relationship"])
    for key in ("phq9", "gad7"):
        if rows[key]:
            figures[key] = charts.outcome_figure(measures[key], rows[key])
    if rows["readiness"]:
        figures["readiness"] = charts.readiness_figure(rows["readiness"])
    if rows["attendance"]:
        figures["attendance"] = charts.attendance_figure(rows["attendance"])
    now = timezone.now()
    upcoming = [
        s.session
        for s in sessions
        if s.session.attendance == Session.Attendance.SCHEDULED and s.session.scheduled_start >= now
    ]
    return ClientPage(
        client=client,
        episode=chosen,
        other_episodes=[e for e in episodes if e is not chosen],
        week=episode_week(chosen.opened_on, timezone.localdate()) if chosen else 0,
        sessions=sessions,
        pillars=pillar_statuses(active),
        active_flags=active,
        past_flags=past,
        plan=plan_history[0] if plan_history else None,
        plan_history=plan_history,
        goals=goals,
        figures=figures,
        summary=_summary(sessions, active),
        next_session=upcoming[0] if upcoming else None,
    )


def holds_client(user: User, client: Client) -> bool:
    """Does the user hold an open episode with this client themself (not only through supervision)?"""
    return (
        episodes_visible_to(user).filter(client=client, clinician__user=user, closed_on__isnull=True).exists()
    )


def outcome_measures() -> dict[str, charts.Measure]:
    return charts.default_measures()


def client_detail_read(user: User, client_id: object) -> tuple[Client, list[Episode]]:
    client = access_client(user, client_id)
    episodes = list(
        episodes_visible_to(user)
        .filter(client=client)
        .select_related("program", "clinician__user")
        .prefetch_related(
            Prefetch("sessions", queryset=Session.objects.select_related("checkin").order_by("number")),
            Prefetch("flags", queryset=Flag.objects.order_by("-opened_at")),
        )
    )
    audit_record(actor=user, action=AuditEvent.Action.READ, obj=client, client=client)
    return client, episodes


@dataclass(frozen=True)
class ClinicFigures:
    clinic: Clinic
    clients: int
    open_episodes: int
    clinicians: int
    active_flags: int
    checkins_submitted: int
    checkins_sent: int


def clinic_figures(user: User) -> ClinicFigures:
    """Aggregates only: what a clinic admin sees, with no client-level rows."""
    clinic = user.clinic
    episodes = Episode.objects.filter(client__clinic=clinic)
    checkins = Session.objects.filter(episode__client__clinic=clinic, checkin__isnull=False)
    return ClinicFigures(
        clinic=clinic,
        clients=Client.objects.filter(clinic=clinic).count(),
        open_episodes=episodes.filter(closed_on__isnull=True).count(),
        clinicians=clinic.clinicians.count(),
        active_flags=Flag.objects.filter(episode__client__clinic=clinic)
        .exclude(status=Flag.Status.RESOLVED)
        .count(),
        checkins_submitted=checkins.filter(checkin__submitted_at__isnull=False).count(),
        checkins_sent=checkins.count(),
    )
