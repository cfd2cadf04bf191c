"""A clinician's caseload with full session histories, for dashboard tests and the dashboard benchmark.

Rows are built with the apps' factories and written with bulk inserts, so 500 clients or 150 × 30
sessions take seconds, not minutes."""

import datetime as dt
import random

from django.utils import timezone

from alliance.models import ClinicianRating
from care.models import CheckIn, Client, Episode, Program, Score, Session
from clinicians.models import Clinician
from readiness.models import Goal
from regimen.models import PlanRevision
from risk.models import Flag, FlagEvent
from tests.alliance.factories import ClinicianRatingFactory
from tests.care.factories import CheckInFactory, ClientFactory, EpisodeFactory, ScoreFactory, SessionFactory
from tests.readiness.factories import GoalFactory
from tests.regimen.factories import PlanRevisionFactory
from tests.risk.factories import FlagFactory

RELATIONSHIP_SCALES = {
    "total": ("heard", "goals", "approach", "overall"),
    "bond": ("heard",),
    "goals": ("goals",),
    "tasks": ("approach",),
}
NAMES = ["Ava", "Liam", "Maya", "Noah", "Sofia", "Omar", "Priya", "Diego"]


def seed_caseload(
    clinician: Clinician,
    *,
    clients: int,
    sessions: int,
    program: Program | None = None,
    flag_every: int = 4,
    seed: int = 1,
    prefix: str = "B",
) -> list[Episode]:
    """`clients` open episodes for `clinician`, each with `sessions` past weekly sessions (plus one booked
    ahead), check-ins with scores, clinician ratings, a plan and goals; every `flag_every`-th episode
    carries an open amber relationship flag and every (2·flag_every)-th a red reliability flag too."""
    rng = random.Random(seed)
    program = program or Program.objects.get_or_create(clinic=clinician.clinic, name="Adult outpatient")[0]
    now = timezone.now()
    episodes = _episodes(rng, clinician, program, clients=clients, sessions=sessions, prefix=prefix)
    session_rows = Session.objects.bulk_create(
        _sessions(rng, episodes, sessions=sessions, now=now), batch_size=5000
    )
    attended = [s for s in session_rows if s.attendance in Session.ATTENDED_STATES]
    checkins, ratings = _checkins_and_ratings(rng, attended, clinician)
    checkins = CheckIn.objects.bulk_create(checkins, batch_size=5000)
    ClinicianRating.objects.bulk_create(ratings, batch_size=5000)
    Score.objects.bulk_create(_scores(rng, checkins, {s.pk: s for s in attended}), batch_size=10000)
    if flag_every:
        flags = Flag.objects.bulk_create(_flags(episodes, flag_every=flag_every, now=now))
        FlagEvent.objects.bulk_create(
            [FlagEvent(flag=f, at=f.opened_at, action="raised", note=f.reasons[0]["text"]) for f in flags]
        )
    PlanRevision.objects.bulk_create(
        [
            PlanRevisionFactory.build(
                episode=e, revised_at=now - dt.timedelta(days=7 * sessions), revised_by=clinician.user
            )
            for e in episodes
        ]
    )
    Goal.objects.bulk_create(
        [
            GoalFactory.build(
                episode=e,
                text="Get back to seeing friends on weekends.",
                endorsed_by_client=True,
                set_on=e.opened_on,
            )
            for e in episodes
        ]
    )
    return episodes


def _episodes(rng, clinician, program, *, clients: int, sessions: int, prefix: str) -> list[Episode]:
    clinic = clinician.clinic
    client_rows = Client.objects.bulk_create(
        [
            ClientFactory.build(
                clinic=clinic,
                reference=f"{prefix}{clinician.pk}-{i:05d}",
                given_name=rng.choice(NAMES),
                family_name=f"Client{i:05d}",
                email=f"{prefix.lower()}{clinician.pk}-{i}@example.org",
            )
            for i in range(clients)
        ]
    )
    opened_on = timezone.localdate() - dt.timedelta(days=7 * sessions + 3)
    return Episode.objects.bulk_create(
        [
            EpisodeFactory.build(client=c, clinician=clinician, program=program, opened_on=opened_on)
            for c in client_rows
        ]
    )


def _sessions(rng, episodes, *, sessions: int, now) -> list[Session]:
    """Weekly sessions up to now, mostly attended, then the next one booked ahead."""
    rows = []
    for episode in episodes:
        start = now - dt.timedelta(days=7 * sessions)
        for n in range(1, sessions + 2):
            begins = start + dt.timedelta(days=7 * (n - 1))
            if n == sessions + 1:
                begins = now + dt.timedelta(days=2)  # the next session, booked ahead
                attendance, late = Session.Attendance.SCHEDULED, 0
            else:
                attendance, late = _attendance(rng)
            rows.append(
                SessionFactory.build(
                    episode=episode,
                    number=n,
                    scheduled_start=begins,
                    scheduled_end=begins + dt.timedelta(minutes=50),
                    attendance=attendance,
                    late_minutes=late,
                    next_session_booked=True,
                    attendance_recorded_at=begins + dt.timedelta(hours=1) if n <= sessions else None,
                )
            )
    return rows


def _attendance(rng) -> tuple[str, int]:
    roll = rng.random()
    if roll < 0.08:
        return Session.Attendance.LATE_START, rng.choice([5, 10, 15])
    if roll < 0.12:
        return Session.Attendance.NO_SHOW, 0
    if roll < 0.15:
        return Session.Attendance.CANCELLED_BY_CLIENT, 0
    if roll < 0.17:
        return Session.Attendance.CANCELLED_BY_CLINICIAN, 0
    return Session.Attendance.ATTENDED, 0


def _checkins_and_ratings(rng, attended, clinician) -> tuple[list[CheckIn], list[ClinicianRating]]:
    """A submitted check-in for every attended session (each client rates around a level of their own),
    and the clinician's rating of every other one."""
    checkins, ratings = [], []
    level = {}
    for s in attended:
        base = level.setdefault(s.episode_id, rng.uniform(6.5, 9.5))
        items = {
            k: max(0, min(10, round(base + rng.uniform(-1.5, 1.2))))
            for k in ("heard", "goals", "approach", "overall")
        }
        answers = {
            "relationship": {**items, "belief": items["overall"], "misunderstood": 0},
            "readiness": {"importance": rng.randint(5, 10), "confidence": rng.randint(3, 9)},
            "closing": {"note": "Work has been hard this week." if s.number % 5 == 0 else ""},
        }
        if items["heard"] < 7:
            answers["relationship"]["misunderstood"] = 1
            answers["relationship"]["misunderstood_words"] = "When we talked about my mother I felt rushed."
        checkins.append(
            CheckInFactory.build(
                session=s,
                status=CheckIn.Status.SUBMITTED,
                sent_at=s.scheduled_end,
                submitted_at=s.scheduled_end + dt.timedelta(hours=2),
                language="en",
                instrument_versions={"relationship": "1", "readiness": "1", "closing": "1"},
                answers=answers,
                evaluated_at=s.scheduled_end + dt.timedelta(hours=2),
            )
        )
        if s.number % 2 == 1:
            ratings.append(
                ClinicianRatingFactory.build(
                    session=s,
                    rated_by=clinician.user,
                    rated_at=s.scheduled_end,
                    answers={k: max(0, min(10, v + rng.choice([-1, 0, 1]))) for k, v in items.items()},
                )
            )
    return checkins, ratings


def _scores(rng, checkins, by_session) -> list[Score]:
    """Relationship and readiness scores on every check-in; PHQ-9 and GAD-7 every fourth session."""
    scores = []
    phq = {}
    for c in checkins:
        rel = c.answers["relationship"]
        for scale, keys in RELATIONSHIP_SCALES.items():
            scores.append(_score(c, "relationship", scale, sum(rel[k] for k in keys), 10 * len(keys)))
        scores.append(_score(c, "readiness", "importance", c.answers["readiness"]["importance"], 10))
        scores.append(_score(c, "readiness", "confidence", c.answers["readiness"]["confidence"], 10))
        session = by_session[c.session_id]
        if session.number % 4 == 1:
            value = phq.setdefault(session.episode_id, rng.randint(10, 20))
            phq[session.episode_id] = max(0, value - rng.randint(0, 3))
            scores.append(_score(c, "phq9", "total", value, 27, _phq9_band(value)))
            scores.append(_score(c, "gad7", "total", min(21, max(0, value - 3)), 21))
    return scores


def _score(checkin, instrument, scale, value, maximum, band="") -> Score:
    return ScoreFactory.build(
        checkin=checkin,
        instrument=instrument,
        scale=scale,
        value=float(value),
        maximum=float(maximum),
        band=band,
    )


def _phq9_band(value: int) -> str:
    return ["minimal", "mild", "moderate", "moderately severe", "severe"][min(value // 5, 4)]


def _flags(episodes, *, flag_every: int, now) -> list[Flag]:
    """An open amber relationship flag on every `flag_every`-th episode, a red reliability flag on every
    (2·flag_every)-th."""
    flags = []
    for i, episode in enumerate(episodes):
        if i % flag_every == 0:
            flags.append(
                FlagFactory.build(
                    episode=episode,
                    rule="relationship_drop",
                    pillar="relationship",
                    level=Flag.Level.AMBER,
                    reasons=[
                        {
                            "text": "Relationship fell from 36 to 29 since the session before.",
                            "evidence": {"from": 36, "to": 29},
                        }
                    ],
                    suggested_action="Open the next session by asking what felt off last time.",
                    opened_at=now - dt.timedelta(days=2),
                    updated_at=now - dt.timedelta(days=2),
                )
            )
        if i % (2 * flag_every) == 0:
            flags.append(
                FlagFactory.build(
                    episode=episode,
                    rule="clinician_cancellations",
                    pillar="reliability",
                    level=Flag.Level.RED,
                    reasons=[
                        {
                            "text": "Two sessions cancelled by the clinician in three weeks.",
                            "evidence": {"cancelled": 2},
                        }
                    ],
                    suggested_action="Offer a fixed weekly slot and say it plainly.",
                    opened_at=now - dt.timedelta(days=1),
                    updated_at=now - dt.timedelta(days=1),
                )
            )
    return flags
