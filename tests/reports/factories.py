"""Hand-built courses of care for the report tests: an episode with attended sessions on given days,
each with a submitted check-in carrying the given scores, and its treatment plan."""

import datetime as dt
from collections import defaultdict

from care.models import CheckIn, Episode, Score, Session
from clinicians.models import Clinician
from tests.care.factories import ClientFactory, EpisodeFactory, ProgramFactory
from tests.regimen.factories import PlanRevisionFactory

MAXIMUM = {"phq9": 27.0, "gad7": 21.0, "relationship": 40.0}


def at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(16, 0), tzinfo=dt.UTC)  # mid-morning in New York


def course(
    clinician: Clinician,
    *,
    opened: dt.date,
    phq9: list[tuple[dt.date, float]] = (),
    gad7: list[tuple[dt.date, float]] = (),
    relationship: list[tuple[dt.date, float]] = (),
    attended: list[dt.date] = (),
    diagnosis: str = "F33.1",
    born: dt.date = dt.date(1990, 1, 1),
    closed: dt.date | None = None,
    end_reason: str = "",
    payer: str = "Medicaid",
    referred: dt.date | None = None,
    program=None,
) -> Episode:
    """An episode of `clinician`'s; every day named in a score list or `attended` is an attended session
    (its check-in submitted when it carries a score)."""
    episode = EpisodeFactory(
        clinician=clinician,
        client=ClientFactory(clinic=clinician.clinic, date_of_birth=born),
        program=program or ProgramFactory(clinic=clinician.clinic),
        opened_on=opened,
        closed_on=closed,
        end_reason=end_reason if closed else "",
        payer=payer,
        referred_on=referred,
    )
    if diagnosis:
        PlanRevisionFactory(episode=episode, diagnosis_code=diagnosis)
    scores: dict[dt.date, dict[str, float]] = defaultdict(dict)
    for instrument, series in (("phq9", phq9), ("gad7", gad7), ("relationship", relationship)):
        for day, value in series:
            scores[day][instrument] = value
    for day in attended:
        scores.setdefault(day, {})
    for number, day in enumerate(sorted(scores), start=1):
        session = Session.objects.create(
            episode=episode,
            number=number,
            scheduled_start=at_noon(day),
            scheduled_end=at_noon(day) + dt.timedelta(minutes=50),
            attendance=Session.Attendance.ATTENDED,
        )
        if not scores[day]:
            continue
        checkin = CheckIn.objects.create(
            session=session, status="submitted", sent_at=at_noon(day), submitted_at=at_noon(day)
        )
        for instrument, value in scores[day].items():
            Score.objects.create(
                checkin=checkin,
                instrument=instrument,
                version="1",
                scale="total",
                value=value,
                minimum=0,
                maximum=MAXIMUM[instrument],
            )
    return episode
