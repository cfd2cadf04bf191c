"""The supervision story in the demo clinic: three of supervisor1's supervisees over the last 12 weeks.

- Jordan Reyes (jordan): over their caseload target, with clinician cancellations rising, the days
  between sessions lengthening and the caseload's alliance drifting down; evening sessions creeping in.
- Priya Shah (priya): steady: a full but manageable caseload, weekly sessions, a strong alliance.
- Sam Okafor (sam): new this month, with a handful of clients: the minimum-n wording shows.

Deterministic: one random stream, dates relative to `now`."""

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from care.models import CheckIn, Clinic, Episode, Score, Session, User
from clinicians.models import Clinician, Supervision
from demo.people import DEMO_PASSWORD, new_client
from instruments.library import get_instrument
from instruments.scoring import score_answers
from risk import engine as risk
from supervision.models import PulseResponse, SupervisionNote

FIRST_CLIENT = 900_001  # the story's clients' references sit well after the generated ones
WEEKS = 12


@dataclass(frozen=True)
class Story:
    username: str
    first: str
    last: str
    clients: int
    started_weeks_ago: int  # when they joined: no sessions before then
    drift: float  # 0 steady … 1 the whole story: cancellations, gaps and alliance all worsen


STORIES = (
    Story("jordan", "Jordan", "Reyes", 32, 52, 1.0),
    Story("priya", "Priya", "Shah", 18, 52, 0.0),
    Story("sam", "Sam", "Okafor", 4, 3, 0.0),
)


STORY_FROM_CLIENTS = 100  # a small clinic (in tests) stays exactly the size it was asked for


@transaction.atomic
def seed_supervision_story(
    clinic: Clinic,
    *,
    now: dt.datetime,
    seed: int = 7,
    clients: int = STORY_FROM_CLIENTS,
    evaluate: bool = True,
) -> list[str]:
    """Add the three supervisees to supervisor1's team; returns their usernames. Their episodes are
    evaluated by the risk engine now, or left due for the sweep when the clinic's are."""
    if clients < STORY_FROM_CLIENTS:
        return []
    rng = random.Random(seed * 101)
    supervisor = Clinician.objects.get(user__clinic=clinic, user__username="supervisor1")
    program = supervisor.programs.order_by("id").first() or clinic.programs.order_by("id").first()
    if program is None:
        return []  # a clinic without programs has nowhere to open an episode
    password = make_password(DEMO_PASSWORD)
    n = FIRST_CLIENT
    for story in STORIES:
        clinician = _clinician(clinic, story, password)
        Supervision.objects.create(
            supervisor=supervisor,
            supervisee=clinician,
            started_on=(now - dt.timedelta(weeks=story.started_weeks_ago)).date(),
        )
        episodes = []
        for _ in range(story.clients):
            client = new_client(rng, clinic, n)
            client.save()
            n += 1
            opened = (now - dt.timedelta(days=rng.randrange(7, 7 * min(story.started_weeks_ago, 20)))).date()
            episodes.append(
                Episode.objects.create(client=client, clinician=clinician, program=program, opened_on=opened)
            )
        _sessions(rng, story, episodes, now)
        if not evaluate:
            Episode.objects.filter(pk__in=[e.pk for e in episodes]).update(evaluation_due_at=now)
        for episode in episodes if evaluate else ():
            risk.evaluate_episode(episode.pk)
    _pulses_and_notes(supervisor, now)
    return [s.username for s in STORIES]


def _clinician(clinic: Clinic, story: Story, password: str) -> Clinician:
    user = User.objects.create(
        username=story.username,
        first_name=story.first,
        last_name=story.last,
        email=f"{story.username}@riverbend.example",
        clinic=clinic,
        role=User.Role.CLINICIAN,
        password=password,
    )
    return Clinician.objects.create(user=user, clinic=clinic, caseload_target=20, credentials="LPC")


def _sessions(rng: random.Random, story: Story, episodes: list[Episode], now: dt.datetime) -> None:
    """Weekly sessions; with drift, the gaps lengthen, the clinician cancels more, evenings creep in
    and the relationship totals slide."""
    relationship = get_instrument("relationship")
    start = now - dt.timedelta(weeks=min(WEEKS, story.started_weeks_ago))
    sessions, totals = [], []
    for episode in episodes:
        day = max(dt.datetime.combine(episode.opened_on, dt.time(14), tzinfo=dt.UTC), start)
        day += dt.timedelta(days=rng.randrange(0, 7))
        number = 0
        # With strain, some recent clients stop after two sessions: early dropout rises with the gaps.
        recent = episode.opened_on > (now - dt.timedelta(days=80)).date()
        stops = recent and rng.random() < 0.45 * story.drift
        while day < now - dt.timedelta(hours=3):
            if day.weekday() >= 5:  # the clinic's week runs Monday to Friday
                day += dt.timedelta(days=7 - day.weekday())
                continue
            progress = max(0.0, (day - (now - dt.timedelta(weeks=WEEKS))) / dt.timedelta(weeks=WEEKS))
            strain = story.drift * progress
            if stops and number == 2:
                _stopped(episode, day, now)
                break
            number += 1
            evening = rng.random() < 0.35 * strain
            begins = day.replace(hour=23 if evening else 15 + rng.randrange(0, 5), minute=0)
            if begins > now - dt.timedelta(hours=1):
                break  # not held yet
            cancelled = rng.random() < 0.02 + 0.3 * strain
            sessions.append(
                Session(
                    episode=episode,
                    number=number,
                    scheduled_start=begins,
                    scheduled_end=begins + dt.timedelta(minutes=50),
                    attendance=Session.Attendance.CANCELLED_BY_CLINICIAN
                    if cancelled
                    else Session.Attendance.ATTENDED,
                    next_session_booked=True,
                    attendance_recorded_at=begins + dt.timedelta(minutes=55),
                )
            )
            totals.append(
                None if cancelled else max(16, min(40, round(37 - 10 * strain + rng.gauss(0, 1.2))))
            )
            day += dt.timedelta(days=7 + round(6 * strain) + rng.choice((0, 0, 1)))
    Session.objects.bulk_create(sessions, batch_size=2000)
    checkins = []
    for session, total in zip(sessions, totals, strict=True):
        if total is None:
            continue
        item = total // 4
        answers = {
            "relationship": {
                "heard": item + (total % 4 > 0),
                "goals": item + (total % 4 > 1),
                "approach": item + (total % 4 > 2),
                "overall": item,
                "belief": item,
                "misunderstood": 0,
            }
        }
        checkins.append(
            CheckIn(
                session=session,
                status=CheckIn.Status.SUBMITTED,
                sent_at=session.scheduled_end,
                submitted_at=session.scheduled_end + dt.timedelta(hours=1),
                instrument_versions={"relationship": "1"},
                answers=answers,
                evaluated_at=session.scheduled_end + dt.timedelta(hours=1),
            )
        )
    CheckIn.objects.bulk_create(checkins, batch_size=2000)
    Score.objects.bulk_create(
        [
            Score(checkin=c, **result.model_dump())
            for c in checkins
            for result in score_answers([relationship], c.answers)
        ],
        batch_size=5000,
    )


def _stopped(episode: Episode, day: dt.datetime, now: dt.datetime) -> None:
    """The client stopped coming after two sessions; the episode was closed a week after the next one."""
    episode.closed_on = min(day.date() + dt.timedelta(days=7), now.date())
    episode.end_reason = Episode.EndReason.CLIENT_STOPPED
    episode.save(update_fields=["closed_on", "end_reason"])


def _pulses_and_notes(supervisor: Clinician, now: dt.datetime) -> None:
    jordan = Clinician.objects.get(user__username="jordan")
    priya = Clinician.objects.get(user__username="priya")
    jordan.pulse_shared = True
    jordan.save(update_fields=["pulse_shared"])
    monday = now.date() - dt.timedelta(days=now.date().weekday())
    for weeks_ago, burnout in ((3, 2), (2, 3), (1, 3), (0, 4)):
        PulseResponse.objects.create(
            clinician=jordan,
            week_start=monday - dt.timedelta(weeks=weeks_ago),
            submitted_at=now,
            burnout=burnout,
            instrument_versions={"pulse": "1"},
            scores={"pulse.burnout": burnout, "pulse.reliability": 3 + weeks_ago},
        )
    PulseResponse.objects.create(
        clinician=priya,
        week_start=monday,
        submitted_at=now,
        burnout=1,
        instrument_versions={"pulse": "1"},
        scores={"pulse.burnout": 1, "pulse.reliability": 8},
    )
    SupervisionNote.objects.create(
        supervision=Supervision.objects.get(supervisor=supervisor, supervisee=jordan, ended_on__isnull=True),
        met_on=monday - dt.timedelta(days=10),
        text="Talked about the waiting list pressure. Agreed to pause new referrals for a month and to move "
        "the evening sessions back into the day where clients can.",
        indicators=[],
        created_by=supervisor.user,
    )
