import pytest

from care.models import Session
from tests.care.factories import SessionFactory
from tests.checkin.factories import attend


@pytest.fixture
def scheduled_session(personas):
    return SessionFactory(
        episode=personas["owner_episode"], number=1, attendance=Session.Attendance.SCHEDULED
    )


@pytest.fixture
def opened(scheduled_session, personas, django_capture_on_commit_callbacks):
    """An attended session with its check-in open; returns (session, token)."""
    token = attend(scheduled_session, personas["owner"].user, django_capture_on_commit_callbacks)
    scheduled_session.refresh_from_db()
    return scheduled_session, token
