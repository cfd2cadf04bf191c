import re

import pytest
from django.core import mail
from django.core.management import call_command

from care.models import Session
from checkin.attendance import session_record_attendance
from tests import factories

LINK = re.compile(r"/c/([A-Za-z0-9_-]+)/")


@pytest.fixture(scope="session", autouse=True)
def cache_table(django_db_setup, django_db_blocker):
    """The tablet-code throttle counts wrong codes in the database cache, as in production."""
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture
def scheduled_session(personas):
    return factories.SessionFactory(
        episode=personas["owner_episode"], number=1, attendance=Session.Attendance.SCHEDULED
    )


def attend(session, actor, django_capture_on_commit_callbacks) -> str:
    """Mark the session attended (as the clinician would) and return the token from the emailed link."""
    sent_before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        session_record_attendance(actor=actor, session=session, attendance=Session.Attendance.ATTENDED)
    assert len(mail.outbox) == sent_before + 1
    return LINK.search(mail.outbox[-1].body)[1]


@pytest.fixture
def opened(scheduled_session, personas, django_capture_on_commit_callbacks):
    """An attended session with its check-in open; returns (session, token)."""
    token = attend(scheduled_session, personas["owner"].user, django_capture_on_commit_callbacks)
    scheduled_session.refresh_from_db()
    return scheduled_session, token


GOOD = {
    "relationship.heard": "8",
    "relationship.goals": "7",
    "relationship.approach": "9",
    "relationship.overall": "8",
    "relationship.belief": "9",
    "relationship.misunderstood": "0",
    "readiness.importance": "9",
    "readiness.confidence": "6",
    "stage.stage": "3",
    "regimen.frequency": "1",
    "regimen.format": "1",
    "regimen.plan_understood": "2",
    "regimen.plan_agreed": "2",
    "reliability.on_time": "1",
    "reliability.present": "10",
    "reliability.safe_to_say": "8",
    "closing.note": "",
}


def good_answers() -> dict[str, dict]:
    """The same answers as GOOD, as the service takes them."""
    answers: dict[str, dict] = {}
    for name, value in GOOD.items():
        section, item = name.split(".")
        answers.setdefault(section, {})
        if value:
            answers[section][item] = int(value)
    return answers
