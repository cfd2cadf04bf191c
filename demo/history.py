"""The demo clinic's past: a few hundred finished episodes over the last two years, so the reports'
outcome measures (6- and 12-month remission and response, HEDIS follow-up, the NHS Talking Therapies
measures) and the clinician comparison (at least 15 finished cases each) have figures to show.

Built like the current caseload (demo.batch): the same courses of care, attendance and early leaving,
check-ins answered by demo.courses and scored by the live check-in's own scoring, clinicians' ratings,
goals and readiness. The plans lean to depression (F32/F33/F34.1), with a few exclusions (bipolar,
personality disorder), some clients do not improve or get worse, and clinicians differ a little. Nearly
half the courses without early dropout run on into monthly maintenance sessions past six months. Every
episode is closed and its flags resolved, so none adds a row to a current caseload or a flags inbox."""

import dataclasses
import datetime as dt
import random

from django.db import connection, transaction

from alliance.client_page import total_cutoff
from care.models import CheckIn, Client, Clinic, Episode, Program, Score, Session
from clinicians.models import Clinician
from demo import intake
from demo.batch import (
    CLINICIAN_TROUBLE,
    SESSION_HOURS,
    SESSION_MINUTES,
    Builder,
    _attendance,
    _checkins_and_ratings,
)
from demo.courses import RELATIONSHIP_ITEMS, Course, leaves_early, pick_course
from demo.people import PAYERS, new_client
from instruments.schemas import Instrument
from instruments.scoring import score_answers
from readiness.models import Goal, IntakeReadiness
from regimen.models import PlanRevision
from risk.models import Flag

EPISODES = 300
FIRST_CLIENT = 800_001  # after the generated clients, before the supervision story's (900_001)
REFERENCE_PREFIX = "RB-P"  # the past's clients are RB-P00001…, apart from the current caseload's
LONG_SHARE = 0.45  # maintenance courses that run past a year (the 12-month windows)
# The past ends 13 weeks ago: nothing in it reaches a caseload, a flags inbox or the supervision pages'
# 12-week indicators.
QUIET_DAYS = 91
# (weight, code, label): mostly depression, which the remission measures need; a few exclusions.
DIAGNOSES = [
    (30, "F33.1", "Major depressive disorder, recurrent, moderate"),
    (15, "F32.1", "Major depressive disorder, single episode, moderate"),
    (8, "F32.0", "Major depressive disorder, single episode, mild"),
    (6, "F34.1", "Dysthymic disorder"),
    (20, "F41.1", "Generalized anxiety disorder"),
    (8, "F43.10", "Post-traumatic stress disorder, unspecified"),
    (4, "F31.81", "Bipolar II disorder"),
    (3, "F60.3", "Borderline personality disorder"),
]
MODALITIES = ["cbt", "act", "ipt", "dbt", "emdr"]


def seed_history(
    clinic: Clinic,
    clinicians: list[Clinician],
    programs: list[Program],
    *,
    now: dt.datetime,
    seed: int,
    episodes: int = EPISODES,
) -> int:
    """Write `episodes` finished episodes (one client each). Returns how many check-ins were submitted.

    Its own random stream: the current caseload stays the same, draw for draw, with or without it."""
    b = Builder(random.Random(f"history-{seed}"), clinic, now, clinicians, programs)
    with transaction.atomic():
        rows = _episodes(b, episodes)
        sessions: list[Session] = []
        course_of: dict[int, Course] = {}
        for episode, course, long in rows:
            episode_sessions, ending = _schedule(b, episode, course, long)
            sessions += episode_sessions
            course_of[episode.pk] = course
            episode.closed_on, episode.end_reason = _ending(b.rng, episode, ending)
        Session.objects.bulk_create(sessions, batch_size=5000)
        Episode.objects.bulk_update([e for e, _c, _l in rows], ["closed_on", "end_reason"], batch_size=2000)
        checkins, asked = _checkins_and_ratings(b, sessions, course_of)
        _insert_scores(checkins, asked)
        _intake_records(b, [e for e, _c, _l in rows], course_of)
        _flags(b, checkins, course_of, total_cutoff(clinic))
    return sum(1 for c in checkins if c.submitted_at)


def _episodes(b: Builder, count: int) -> list[tuple[Episode, Course, bool]]:
    rng = b.rng
    clients = [new_client(rng, b.clinic, n) for n in range(FIRST_CLIENT, FIRST_CLIENT + count)]
    for n, client in enumerate(clients, start=1):
        client.reference = f"{REFERENCE_PREFIX}{n:05d}"
    Client.objects.bulk_create(clients, batch_size=2000)
    # Clinicians differ a little in how much their clients improve (a therapist effect), so the
    # adjusted comparison has something to show.
    skill = {c.pk: min(1.6, max(0.5, rng.gauss(1.0, 0.35))) for c in sorted(set(b.rota), key=lambda c: c.pk)}
    rows = []
    for n, client in enumerate(clients):
        clinician = b.rota[n % len(b.rota)]
        course = _outcome(rng, pick_course(rng), skill[clinician.pk])
        long = course.dropout_after is None and rng.random() < LONG_SHARE
        # Long courses start 8 to 24 months ago, so their 6- and 12-month windows have closed; the
        # others end over the last year, where the report's default period looks.
        days_ago = rng.randrange(240, 730) if long else rng.randrange(QUIET_DAYS + 100, 430)
        opened_on = b.today - dt.timedelta(days=days_ago)
        intake_on = opened_on - dt.timedelta(days=rng.randrange(0, 8))
        episode = Episode(
            client=client,
            clinician=clinician,
            program=b.programs[0 if rng.random() < 0.8 else 1],
            payer=rng.choice(PAYERS),
            referred_on=intake_on - dt.timedelta(days=rng.randrange(7, 43)),
            intake_on=intake_on,
            opened_on=opened_on,
        )
        rows.append((episode, course, long))
    Episode.objects.bulk_create([e for e, _c, _l in rows], batch_size=2000)
    return rows


def _outcome(rng: random.Random, course: Course, skill: float) -> Course:
    """The course with this client's own severity and improvement: about one in four does not improve
    and one in twelve gets worse, as in routine care, fewer with a more effective clinician (`skill`)."""
    roll = rng.random() * skill
    if roll < 0.08:
        slope = rng.uniform(0.3, 0.7)
    elif roll < 0.32:
        slope = rng.uniform(-0.2, 0.2)
    else:
        slope = course.phq9_slope * skill * rng.uniform(0.5, 1.3)
    start = max(6, min(24, round(course.phq9_start + rng.gauss(0, 3))))
    return dataclasses.replace(course, phq9_start=start, phq9_slope=slope)


def _schedule(
    b: Builder, episode: Episode, course: Course, long: bool
) -> tuple[list[Session], tuple[dt.date, str] | None]:
    """demo.batch._schedule for the past: weekly, then every three to five weeks on a long course,
    and over before the last 13 weeks."""
    rng = b.rng
    length = rng.randint(course.length[0], course.length[1] + (4 if long else 0))
    hour = rng.choice(SESSION_HOURS)
    day, last_attended, quit_after = episode.opened_on, None, None
    sessions: list[Session] = []
    for number in range(1, length + 1):
        if day > b.today - dt.timedelta(days=QUIET_DAYS):
            break
        start = b.at(day, hour)
        stopped = quit_after is not None or (
            course.dropout_after is not None and number > course.dropout_after
        )
        attendance, late = _attendance(rng, course, number, stopped=stopped)
        sessions.append(
            Session(
                episode=episode,
                number=number,
                scheduled_start=start,
                scheduled_end=start + dt.timedelta(minutes=SESSION_MINUTES),
                attendance=attendance,
                late_minutes=late,
                next_session_booked=not stopped and number < length,
                attendance_recorded_at=start + dt.timedelta(minutes=55),
            )
        )
        if attendance in Session.ATTENDED_STATES:
            last_attended = day
        if stopped:
            return sessions, (day, Episode.EndReason.CLIENT_STOPPED)
        gap = rng.choice([21, 28, 28, 35]) if long and number >= 6 else 7
        if quit_after is None and leaves_early(
            rng, course, number, gap_days=gap, trouble=attendance in CLINICIAN_TROUBLE
        ):
            quit_after = number
        day += dt.timedelta(days=gap + rng.choice([0, 0, 0, 1, -1]))
    return sessions, (last_attended, Episode.EndReason.MUTUAL) if last_attended else None


def _ending(rng: random.Random, episode: Episode, ending: tuple[dt.date, str] | None) -> tuple[dt.date, str]:
    """Every past episode is closed: a planned ending now and then becomes a transfer, a death or a
    move to hospice (which the outcome measures leave out); one never attended is a dropout."""
    if ending is None:
        return episode.opened_on, Episode.EndReason.CLIENT_STOPPED
    day, reason = max(ending[0], episode.opened_on), ending[1]
    if reason == Episode.EndReason.MUTUAL:
        roll = rng.random()
        if roll < 0.04:
            reason = Episode.EndReason.TRANSFERRED
        elif roll < 0.05:
            reason = Episode.EndReason.DIED if roll < 0.045 else Episode.EndReason.HOSPICE
    return day, reason


def _intake_records(b: Builder, episodes: list[Episode], course_of: dict[int, Course]) -> None:
    """The plan (depression-heavy; a few revised at two months), a goal and readiness."""
    rng = b.rng
    codes = [d[1:] for d in DIAGNOSES]
    weights = [d[0] for d in DIAGNOSES]
    plans, goals, intakes = [], [], []
    for episode in episodes:
        course = course_of[episode.pk]
        code, label = rng.choices(codes, weights=weights)[0]
        revised_at = b.at(episode.opened_on, 18)
        plan = {
            "episode": episode,
            "diagnosis_code": code,
            "diagnosis_label": label,
            "modality": rng.choice(MODALITIES),
            "container": PlanRevision.Container.INDIVIDUAL,
            "revised_by_id": episode.clinician.user_id,
        }
        plans.append(PlanRevision(number=1, frequency="weekly", note="Initial plan agreed at intake.",
                                  revised_at=revised_at, **plan))  # fmt: skip
        if (
            rng.random() < 0.1
            and episode.closed_on
            and episode.closed_on > episode.opened_on + dt.timedelta(days=60)
        ):
            plans.append(PlanRevision(number=2, frequency="fortnightly", note="Reviewed at two months.",
                                      revised_at=revised_at + dt.timedelta(days=60), **plan))  # fmt: skip
        goals.append(intake.goal(rng, episode, course))
        intakes.append(intake.intake_readiness(rng, episode, course))
    PlanRevision.objects.bulk_create(plans, batch_size=5000)
    Goal.objects.bulk_create(goals, batch_size=5000)
    IntakeReadiness.objects.bulk_create(intakes, batch_size=5000)


REPAIR_NOTE = "Asked what felt off last time; agreed to check in on pace at the start of each session."


def _flags(b: Builder, checkins: list[CheckIn], course_of: dict[int, Course], cutoff: float) -> None:
    """The relationship flag the risk engine raised on a low total in sessions 1–3, resolved when the
    episode closed; on a repaired rupture, with the clinician's repair recorded a week later."""
    flags, seen = [], set()
    for checkin in checkins:
        session, episode = checkin.session, checkin.session.episode
        if not checkin.submitted_at or session.number > 3 or episode.pk in seen:
            continue
        total = sum(checkin.answers["relationship"][k] for k in RELATIONSHIP_ITEMS)
        if total >= cutoff:
            continue
        seen.add(episode.pk)
        repaired = course_of[episode.pk].name == "rupture_repaired"
        opened_at = checkin.submitted_at + dt.timedelta(minutes=1)
        closed_at = b.at(episode.closed_on or episode.opened_on, 18)  # every past episode is closed
        reason = {
            "text": f"After session {session.number} the client's relationship total was {total} of 40 "
            f"(below {cutoff:g}).",
            "evidence": {"value": total, "answer": "relationship.total", "session": session.number},
        }
        flags.append(
            Flag(
                episode=episode,
                session=session,
                rule="relationship.low_total",
                rule_version="2",
                pillar="relationship",
                level=Flag.Level.RED if total < 30 else Flag.Level.AMBER,
                status=Flag.Status.RESOLVED,
                reasons=[reason],
                suggested_action="Ask what felt off last time, and what would make the sessions more useful.",
                opened_at=opened_at,
                updated_at=closed_at,
                acknowledged_at=opened_at + dt.timedelta(days=1),
                acknowledged_by_id=episode.clinician.user_id,
                repair_note=REPAIR_NOTE if repaired else "",
                repair_recorded_at=opened_at + dt.timedelta(days=7) if repaired else None,
                repair_recorded_by_id=episode.clinician.user_id if repaired else None,
                resolved_at=max(closed_at, opened_at),
                resolved_by_id=episode.clinician.user_id,
                resolution="The episode closed.",
            )
        )
    Flag.objects.bulk_create(flags, batch_size=2000)


def _insert_scores(checkins: list[CheckIn], asked: list[list[Instrument] | None]) -> None:
    """demo.batch._scores (the live check-in's scoring) with one executemany: built through the ORM, the
    past's ~20,000 Score rows were most of its time."""
    fields = ["checkin", "instrument", "version", "scale", "value", "minimum", "maximum", "band"]
    column_of = {f.name: str(f.column) for f in Score._meta.concrete_fields}
    columns = ", ".join(column_of[name] for name in fields)
    rows = [
        (checkin.pk, s.instrument, s.version, s.scale, s.value, s.minimum, s.maximum, s.band)
        for checkin, chosen in zip(checkins, asked, strict=True)
        if chosen is not None
        for s in score_answers(chosen, checkin.answers)
    ]
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {Score._meta.db_table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608
