"""The bulk writer: one batch of clients with their episodes, sessions, check-ins, scores and the
pillars' rows, in a fixed order of random draws so a seed always gives the same clinic."""

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from alliance.models import ClinicianRating
from care.models import CheckIn, Client, Clinic, Episode, Program, Score, Session, User
from clinicians.models import Clinician
from demo import intake
from demo.courses import (
    Course,
    alliance_level,
    checkin_answers,
    clinician_rating_answers,
    leaves_early,
    pick_course,
)
from demo.people import PAYERS, new_client
from instruments.library import instruments_for_session
from instruments.schemas import Instrument
from instruments.scoring import score_answers
from readiness.models import Goal, IntakeReadiness
from regimen.models import PlanRevision

SESSION_HOURS = [9, 10, 11, 13, 14, 15, 16, 17]
SESSION_MINUTES = 50
# Sorted: a set's order changes with Python's hash seed, and the clinic must not change with it.
CLINICIAN_TROUBLE = sorted(Session.CLINICIAN_INITIATED) + [Session.Attendance.LATE_START]


@dataclass
class BatchResult:
    clients: int
    episodes: int
    sessions: int
    checkins: int  # submitted ones
    courses: dict[int, Course]  # episode id → its course


class Builder:
    """What every batch shares: the random stream, the clinic, its staff and the clock."""

    def __init__(
        self,
        rng: random.Random,
        clinic: Clinic,
        now: dt.datetime,
        clinicians: list[Clinician],
        programs: list[Program],
    ):
        self.rng = rng
        self.clinic = clinic
        self.now = now
        self.tz = ZoneInfo(clinic.time_zone)
        self.today = now.astimezone(self.tz).date()
        self.programs = programs
        # Supervisors carry about half a clinician's caseload: they appear once in the rota, clinicians twice.
        supervisors = [c for c in clinicians if c.user.role == User.Role.SUPERVISOR]
        self.rota = supervisors + [c for c in clinicians if c.user.role != User.Role.SUPERVISOR] * 2
        self._instruments: dict[int, list[Instrument]] = {}

    def instruments_for(self, number: int) -> list[Instrument]:
        if number not in self._instruments:
            self._instruments[number] = instruments_for_session(clinic=self.clinic, session_number=number)
        return self._instruments[number]

    def at(self, day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=self.tz)


def write_batch(b: Builder, first: int, count: int) -> BatchResult:
    """Create `count` clients (numbered from `first`) with their episodes, sessions and check-ins.

    The steps run in this order because each draws from the same random stream."""
    clients = _clients(b, first, count)
    episodes, courses = _episodes(b, clients, first)
    sessions = _sessions(b, episodes, courses)
    course_of = {e.pk: c for e, c in zip(episodes, courses, strict=True)}
    checkins, asked = _checkins_and_ratings(b, sessions, course_of)
    _scores(checkins, asked)
    _intake_records(b, episodes, course_of)
    # Everything just written is new to the risk engine: the outbox says so.
    Episode.objects.filter(pk__in=[e.pk for e in episodes]).update(evaluation_due_at=b.now)
    return BatchResult(
        clients=len(clients),
        episodes=len(episodes),
        sessions=len(sessions),
        checkins=sum(1 for c in checkins if c.submitted_at),
        courses=course_of,
    )


def _clients(b: Builder, first: int, count: int) -> list[Client]:
    clients = [new_client(b.rng, b.clinic, n) for n in range(first, first + count)]
    Client.objects.bulk_create(clients, batch_size=2000)
    return clients


def _episodes(b: Builder, clients: list[Client], first: int) -> tuple[list[Episode], list[Course]]:
    """One episode per client; courses[i] is how episodes[i] unfolds."""
    rng = b.rng
    episodes, courses = [], []
    for n, client in enumerate(clients, start=first):
        courses.append(pick_course(rng))
        # Recent intakes are over-represented so every caseload has clients in sessions 1–3.
        days_ago = rng.choice([rng.randrange(3, 28), rng.randrange(28, 200)])
        opened_on = b.today - dt.timedelta(days=days_ago)
        # Referral waits of one to six weeks, intake a few days before the first session.
        intake_on = opened_on - dt.timedelta(days=rng.randrange(0, 8))
        episodes.append(
            Episode(
                client=client,
                clinician=b.rota[n % len(b.rota)],
                program=b.programs[rng.randrange(len(b.programs))],
                payer=rng.choice(PAYERS),
                referred_on=intake_on - dt.timedelta(days=rng.randrange(7, 43)),
                intake_on=intake_on,
                opened_on=opened_on,
            )
        )
    Episode.objects.bulk_create(episodes, batch_size=2000)
    return episodes, courses


def _sessions(b: Builder, episodes: list[Episode], courses: list[Course]) -> list[Session]:
    """Every episode's sessions up to the next appointment; episodes that ended are closed."""
    sessions: list[Session] = []
    closed = []
    for episode, course in zip(episodes, courses, strict=True):
        episode_sessions, ending = _schedule(b, episode, course)
        sessions += episode_sessions
        if ending:
            episode.closed_on, episode.end_reason = max(ending[0], episode.opened_on), ending[1]
            closed.append(episode)
    Session.objects.bulk_create(sessions, batch_size=5000)
    Episode.objects.bulk_update(closed, ["closed_on", "end_reason"], batch_size=2000)
    return sessions


def _schedule(
    b: Builder, episode: Episode, course: Course
) -> tuple[list[Session], tuple[dt.date, str] | None]:
    """One episode's sessions, and how it ended (day and reason) if it has."""
    rng = b.rng
    length = rng.randint(*course.length)
    hour = rng.choice(SESSION_HOURS)
    day = episode.opened_on
    sessions = []
    last_attended_day = None
    quit_after = None  # stops coming for reasons beyond the alliance (demo.courses.leaves_early)
    for number in range(1, length + 1):
        start = b.at(day, hour)
        end = start + dt.timedelta(minutes=SESSION_MINUTES)
        if start > b.now:
            # The next appointment, if the client is still coming.
            sessions.append(Session(episode=episode, number=number, scheduled_start=start, scheduled_end=end))
            return sessions, None
        stopped = quit_after is not None or (
            course.dropout_after is not None and number > course.dropout_after
        )
        attendance, late = _attendance(rng, course, number, stopped=stopped)
        sessions.append(
            Session(
                episode=episode,
                number=number,
                scheduled_start=start,
                scheduled_end=end,
                attendance=attendance,
                late_minutes=late,
                next_session_booked=not stopped and number < length,
                attendance_recorded_at=start + dt.timedelta(minutes=55),
            )
        )
        if attendance in Session.ATTENDED_STATES:
            last_attended_day = day
        if stopped:
            return sessions, (day, Episode.EndReason.CLIENT_STOPPED)
        gap = 7 if course.name != "unreliable_care" else rng.choice([7, 7, 14, 21])
        trouble = attendance in CLINICIAN_TROUBLE
        if leaves_early(rng, course, number, gap_days=gap, trouble=trouble) and quit_after is None:
            quit_after = number
        day = day + dt.timedelta(days=gap + rng.choice([0, 0, 0, 1, -1]))
    if last_attended_day:
        return sessions, (last_attended_day, Episode.EndReason.MUTUAL)
    return sessions, None


def _attendance(rng: random.Random, course: Course, number: int, *, stopped: bool) -> tuple[str, int]:
    """What happened to a past session, and how many minutes late it started."""
    roll = rng.random()
    if stopped:
        attendance = Session.Attendance.NO_SHOW
    elif course.clinician_unreliable and number <= 4 and roll < 0.35:
        attendance = rng.choice(CLINICIAN_TROUBLE)
    elif roll < 0.05:
        attendance = Session.Attendance.NO_SHOW
    elif roll < 0.10:
        attendance = Session.Attendance.CANCELLED_BY_CLIENT
    elif roll < 0.14:
        attendance = Session.Attendance.LATE_START
    else:
        attendance = Session.Attendance.ATTENDED
    late = rng.choice([5, 10, 15, 20]) if attendance == Session.Attendance.LATE_START else 0
    return attendance, late


def _checkins_and_ratings(
    b: Builder, sessions: list[Session], course_of: dict[int, Course]
) -> tuple[list[CheckIn], list[list[Instrument] | None]]:
    """A check-in (and often the clinician's rating) for every attended session.

    Returns the check-ins and, for each, the instruments it answered (None when unanswered)."""
    checkins, asked, ratings = [], [], []
    level_of: dict[int, float] = {}
    for session in sessions:
        if session.attendance not in Session.ATTENDED_STATES:
            continue
        course = course_of[session.episode_id]
        # The episode's starting level is kept from its first session, but a draw is made every
        # session: the random stream, and so every seed's clinic, depends on it.
        base = level_of.setdefault(session.episode_id, course.start + b.rng.gauss(0, 0.3))
        level = alliance_level(base, course, session.number)
        checkin, answered = _checkin(b, session, course, level)
        checkins.append(checkin)
        asked.append(answered)
        if rating := _clinician_rating(b.rng, session, course, level):
            ratings.append(rating)
    CheckIn.objects.bulk_create(checkins, batch_size=5000)
    ClinicianRating.objects.bulk_create(ratings, batch_size=5000)
    return checkins, asked


def _checkin(b: Builder, session: Session, course: Course, level: float) -> tuple[CheckIn, list | None]:
    """About 10% of check-ins go unanswered (30% when the alliance is weak)."""
    rng, now = b.rng, b.now
    chosen = b.instruments_for(session.number)
    keys = {i.key for i in chosen}
    sent = session.scheduled_end
    answered = rng.random() < (0.92 if level >= 8 else 0.7) and sent < now - dt.timedelta(hours=2)
    language = session.episode.client.preferred_language
    answers = checkin_answers(rng, course, session.number, level, keys, language=language) if answered else {}
    submitted = min(sent + dt.timedelta(minutes=rng.randrange(5, 600)), now) if answered else None
    if answered:
        status = CheckIn.Status.SUBMITTED
    elif sent < now - dt.timedelta(hours=b.clinic.checkin_link_ttl_hours):
        status = CheckIn.Status.EXPIRED
    else:
        status = CheckIn.Status.SENT
    checkin = CheckIn(
        session=session,
        status=status,
        sent_at=sent,
        opened_at=submitted - dt.timedelta(minutes=2) if submitted else None,
        submitted_at=submitted,
        language=language,
        instrument_versions={i.key: i.version for i in chosen},
        answers={k: v for k, v in answers.items() if k in keys},
    )
    return checkin, chosen if answered else None


def _clinician_rating(
    rng: random.Random, session: Session, course: Course, level: float
) -> ClinicianRating | None:
    """Clinicians rate 70% of sessions, and notice about 40% of ruptures."""
    if rng.random() >= 0.7:
        return None
    answers = clinician_rating_answers(rng, level)
    noticed = course.rupture_at == session.number and rng.random() < 0.4
    return ClinicianRating(
        session=session,
        rated_by_id=session.episode.clinician.user_id,
        rated_at=session.scheduled_end + dt.timedelta(minutes=10),
        instrument_version="1",
        answers=answers,
        rupture_noticed=noticed,
        rupture_note="Client went quiet when I suggested homework." if noticed else "",
    )


def _scores(checkins: list[CheckIn], asked: list[list[Instrument] | None]) -> None:
    """Scored with the same pure functions the live check-in uses."""
    scores = []
    for checkin, chosen in zip(checkins, asked, strict=True):
        if chosen is None:
            continue
        for result in score_answers(chosen, checkin.answers):
            scores.append(Score(checkin=checkin, **result.model_dump()))
    Score.objects.bulk_create(scores, batch_size=10000)


def _intake_records(b: Builder, episodes: list[Episode], course_of: dict[int, Course]) -> None:
    """The pillars' intake rows: the treatment plan, a goal and readiness for every episode."""
    program_ids = [p.pk for p in b.programs]
    plans, goals, intakes = [], [], []
    for episode in episodes:
        course = course_of[episode.pk]
        program_index = program_ids.index(episode.program_id)
        # The plan is written up at 18:00 on the day the episode opens.
        plans += intake.plan_revisions(b.rng, episode, course, program_index, b.at(episode.opened_on, 18))
        goals.append(intake.goal(b.rng, episode, course))
        intakes.append(intake.intake_readiness(b.rng, episode, course))
    PlanRevision.objects.bulk_create(plans, batch_size=5000)
    Goal.objects.bulk_create(goals, batch_size=5000)
    IntakeReadiness.objects.bulk_create(intakes, batch_size=5000)
