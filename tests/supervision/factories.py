"""Sessions at a given local time, scores on them, and pulses: the supervision indicators' small data."""

import datetime as dt
from zoneinfo import ZoneInfo

import factory

from care.models import Session
from supervision.models import PulseResponse
from tests.care.factories import CheckInFactory, ScoreFactory, SessionFactory

NEW_YORK = ZoneInfo("America/New_York")
# A Wednesday afternoon in New York: its week runs from Monday 23 November 2026.
NOW = dt.datetime(2026, 11, 25, 20, 0, tzinfo=dt.UTC)


def local(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=NEW_YORK)


def session_at(episode, start: dt.datetime, attendance=Session.Attendance.ATTENDED, *, late=0, number=None):
    """A 50-minute session of `episode` starting at `start`."""
    if attendance == Session.Attendance.LATE_START and not late:
        late = 12
    kwargs = {"number": number} if number else {}
    return SessionFactory(
        episode=episode,
        scheduled_start=start,
        scheduled_end=start + dt.timedelta(minutes=50),
        attendance=attendance,
        late_minutes=late,
        **kwargs,
    )


def scored_at(episode, start: dt.datetime, total: float):
    """An attended session at `start` whose check-in scored `total` on the relationship."""
    session = session_at(episode, start)
    return ScoreFactory(checkin=CheckInFactory(session=session), value=total)


class PulseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PulseResponse

    week_start = dt.date(2026, 11, 23)
    submitted_at = NOW
    burnout = 2
    scores = factory.LazyAttribute(lambda o: {"pulse.burnout": o.burnout})
