"""Recording attendance: audited with what it was before and after, and refused, with nothing changed,
when it makes no sense."""

import pytest

from care.models import AuditEvent, Session
from checkin.attendance import AttendanceError, session_record_attendance
from tests.care.factories import SessionFactory

pytestmark = pytest.mark.django_db


def test_recording_attendance_is_audited_with_before_and_after(personas, django_capture_on_commit_callbacks):
    session = SessionFactory(
        episode=personas["owner_episode"], number=1, attendance=Session.Attendance.SCHEDULED
    )
    with django_capture_on_commit_callbacks(execute=True):
        session_record_attendance(
            actor=personas["owner"].user, session=session, attendance=Session.Attendance.NO_SHOW
        )

    event = AuditEvent.objects.get(object_type="care.Session", object_id=str(session.pk))
    assert event.detail == {"attendance": ["scheduled", "no_show"]}
    assert event.client_id == session.episode.client_id


@pytest.mark.parametrize(
    ("attendance", "late", "message"),
    [
        (Session.Attendance.LATE_START, 0, "minutes late"),
        (Session.Attendance.LATE_START, 500, "minutes late"),
        (Session.Attendance.SCHEDULED, 0, "what happened"),
        ("teleported", 0, "what happened"),
    ],
)
def test_attendance_that_makes_no_sense_is_refused_and_nothing_changes(personas, attendance, late, message):
    session = SessionFactory(
        episode=personas["owner_episode"], number=1, attendance=Session.Attendance.SCHEDULED
    )
    with pytest.raises(AttendanceError, match=message):
        session_record_attendance(
            actor=personas["owner"].user, session=session, attendance=attendance, late_minutes=late
        )
    session.refresh_from_db()
    assert session.attendance == Session.Attendance.SCHEDULED
    assert not AuditEvent.objects.exists()
