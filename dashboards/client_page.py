"""The single-case page: one client's episode, session by session, for their clinician (and that
clinician's supervisor) and, through their own link, for the client.

The spine's rows (sessions, check-ins, scores, flags) are loaded here; everything a pillar adds (its
cards, charts, summary lines, notes on each session) comes from its `client_page` hook in the registry
(care.pillars), which loads the pillar's own rows for the episode. Constant queries however long the
episode: sessions with check-ins, their scores, flags, flag events, then one or none per pillar."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from care.access import access_client, episodes_visible_to, may_write
from care.audit import audit_record
from care.models import AuditEvent, Client, Episode, Score, Session, User
from care.pillars import (
    ClientPageContribution,
    ClientPageInput,
    Figure,
    Section,
    SessionNote,
    SessionRecord,
    client_page_contributions,
)
from dashboards import charts
from dashboards.answers import describe_answers
from dashboards.caseload import episode_week
from dashboards.status import PillarStatus, pillar_statuses
from dashboards.summary import Summary, client_summary, staff_summary
from instruments import outcomes
from instruments.library import InstrumentResolver
from risk.models import Flag, FlagEvent
from risk.titles import titled

OUTCOMES_ORDER, ATTENDANCE_ORDER = 20, 90  # where the spine's charts sit among the pillars' (Figure.order)


@dataclass
class SessionView:
    record: SessionRecord  # what the pillars were handed
    answers: list[dict]  # [{"title": …, "items": [(question, answer)]}]
    own_words: list[tuple[str, str]]  # [(what was asked, what the client wrote)]
    notes: list[SessionNote] = field(default_factory=list)  # what each pillar adds to this session

    @property
    def session(self) -> Session:
        return self.record.session

    @property
    def scores(self) -> Mapping[str, Score]:
        return self.record.scores


@dataclass
class ClientPage:
    client: Client
    episode: Episode | None
    other_episodes: list[Episode]
    week: int = 0
    sessions: list[SessionView] = field(default_factory=list)
    pillars: list[PillarStatus] = field(default_factory=list)
    active_flags: list[Flag] = field(default_factory=list)
    past_flags: list[Flag] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)  # each pillar's cards, in pillar order
    figures: dict[str, Figure] = field(default_factory=dict)
    summary: Summary = field(default_factory=Summary)
    next_session: Session | None = None
    may_write: bool = False  # the reader holds the episode (care.access.may_write)


def client_page_read(user: User, client_id: object, *, episode_id: object = None) -> ClientPage:
    """Everything the single-case page shows for one client, scoped to `user`. Writes one audit event."""
    client = access_client(user, client_id)
    episodes = list(
        episodes_visible_to(user)
        .filter(client=client)
        .select_related("program", "clinician__user")
        .order_by("closed_on", "-opened_on", "-id")  # open episodes (closed_on null) sort first
    )
    page = build_client_page(client, episodes, episode_id=episode_id, reader=user)
    audit_record(
        actor=user,
        action=AuditEvent.Action.READ,
        obj=client,
        client=client,
        detail={"page": "client", "episode": page.episode.pk if page.episode else None},
    )
    return page


def build_client_page(
    client: Client, episodes: list[Episode], *, episode_id: object = None, reader: User | None = None
) -> ClientPage:
    """The page's content for `client` from `episodes` the caller has already scoped: to the staff
    member `reader`, or (reader None) to the client's own link, which gets the client's own page."""
    chosen = _choose_episode(client, episodes, episode_id)
    others = [e for e in episodes if e is not chosen]
    if chosen is None:
        return ClientPage(client=client, episode=None, other_episodes=others)
    sessions = _session_views(client, chosen)
    active, past = _flags(chosen)
    titled([*active, *past])  # the same title, level and words as the inbox
    view = ClientPageInput(
        client=client,
        episode=chosen,
        sessions=tuple(s.record for s in sessions),
        for_client=reader is None,
        may_write=reader is not None and may_write(reader, chosen),
    )
    contributions = client_page_contributions(view)
    for session_view in sessions:
        pk = session_view.session.pk
        session_view.notes = [note for c in contributions for note in c.session_notes.get(pk, ())]
    return ClientPage(
        client=client,
        episode=chosen,
        other_episodes=others,
        week=episode_week(chosen.opened_on, timezone.localdate()),
        sessions=sessions,
        pillars=pillar_statuses(active),
        active_flags=active,
        past_flags=past,
        sections=[s for c in contributions for s in c.sections],
        figures=_figures(view.sessions, contributions),
        summary=client_summary(view.sessions, contributions)
        if view.for_client
        else staff_summary(view.sessions, active, contributions),
        next_session=_next_session(sessions),
        may_write=view.may_write,
    )


def _choose_episode(client: Client, episodes: list[Episode], episode_id: object) -> Episode | None:
    """The episode asked for if it is one of `episodes`, else the first (open ones sort first)."""
    for episode in episodes:
        episode.client = client  # already loaded and scoped: no query per episode or per flag
    chosen = episodes[0] if episodes else None
    if episode_id not in (None, ""):
        chosen = next((e for e in episodes if str(e.pk) == str(episode_id)), chosen)
    return chosen


def _session_views(client: Client, episode: Episode) -> list[SessionView]:
    """Every session of the episode with its check-in's answers described and its scores (two queries)."""
    rows = (
        Session.objects.filter(episode=episode)
        .select_related("checkin")
        .prefetch_related(Prefetch("checkin__scores", queryset=Score.objects.order_by("instrument", "scale")))
        .order_by("number")
    )
    instruments = InstrumentResolver(client.clinic_id)
    views = []
    for session in rows:
        session.episode = episode
        checkin = getattr(session, "checkin", None)
        date = timezone.localtime(session.scheduled_start).date().isoformat()
        if checkin is None or checkin.submitted_at is None:
            views.append(
                SessionView(record=SessionRecord(session=session, date=date), answers=[], own_words=[])
            )
            continue
        answers, own_words = describe_answers(checkin, instruments=instruments)
        record = SessionRecord(
            session=session,
            date=date,
            answers=checkin.answers or {},
            scores={f"{s.instrument}.{s.scale}": s for s in checkin.scores.all()},
        )
        views.append(SessionView(record=record, answers=answers, own_words=own_words))
    return views


def _flags(episode: Episode) -> tuple[list[Flag], list[Flag]]:
    """The episode's flags with their history (two queries): active ones, then the rest."""
    flags = list(
        Flag.objects.filter(episode=episode)
        .select_related("session")
        .prefetch_related(Prefetch("events", queryset=FlagEvent.objects.select_related("actor")))
        .order_by("-opened_at", "-id")
    )
    for flag in flags:
        flag.episode = episode
    return [f for f in flags if f.is_active], [f for f in flags if not f.is_active]


def _figures(
    records: Sequence[SessionRecord], contributions: list[ClientPageContribution]
) -> dict[str, Figure]:
    """Each pillar's charts, every outcome measure with scores and the attendance timeline, in their
    order (care.pillars.Figure.order)."""
    figures = [f for c in contributions for f in c.figures]
    for key in outcomes.NORMS:
        rows = [
            {"number": r.session.number, "date": r.date, "value": score.value, "band": score.band}
            for r in records
            if (score := r.scores.get(f"{key}.total")) is not None
        ]
        if rows:
            figure = charts.outcome_figure(charts.outcome_measure(key), rows)
            figures.append(Figure(key=key, figure=figure, order=OUTCOMES_ORDER))
    attendance = [
        {
            "number": r.session.number,
            "date": r.date,
            "attendance": r.session.attendance,
            "late_minutes": r.session.late_minutes,
            "next_session_booked": r.session.next_session_booked,
        }
        for r in records
    ]
    if attendance:
        figure = charts.attendance_figure(attendance)
        figures.append(Figure(key="attendance", figure=figure, wide=True, order=ATTENDANCE_ORDER))
    return {f.key: f for f in sorted(figures, key=lambda f: f.order)}


def _next_session(sessions: list[SessionView]) -> Session | None:
    now = timezone.now()
    upcoming = [
        s.session
        for s in sessions
        if s.session.attendance == Session.Attendance.SCHEDULED and s.session.scheduled_start >= now
    ]
    return upcoming[0] if upcoming else None
