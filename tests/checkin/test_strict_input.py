"""Input that once gave a 500: a NUL or another control character in a check-in's words, and minutes
late written with other digits ("²", "٥") or as a 5,000-digit number. Now a clear message, nothing
stored."""

import pytest

from care.models import CheckIn, Session
from tests.care.factories import SessionFactory
from tests.checkin.factories import GOOD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("words", ["a\x00b", "\x00", "bell\x07", "esc\x1b[31m", "del\x7f"])
def test_control_characters_in_words_are_refused_with_a_message(client, opened, words):
    session, token = opened
    response = client.post(f"/c/{token}/", {**GOOD, "closing.note": words})
    assert response.status_code == 400
    assert "characters that can&#x27;t be saved" in response.content.decode()
    assert CheckIn.objects.get(session=session).status != CheckIn.Status.SUBMITTED


@pytest.mark.parametrize("words", ["two\nlines", "tab\there", "crlf\r\nok", "café ☕ ١٢"])
def test_line_breaks_tabs_and_any_script_are_kept(client, opened, words):
    session, token = opened
    assert client.post(f"/c/{token}/", {**GOOD, "closing.note": words}).status_code == 200
    assert CheckIn.objects.get(session=session).answers["closing"]["note"] == words


@pytest.mark.parametrize("late", ["²", "٥", "5" * 5000, "-5", "12345", " 1 0"])
def test_minutes_late_only_from_ascii_digits_in_range(client, personas, late):
    session = SessionFactory(episode=personas["owner_episode"], attendance=Session.Attendance.SCHEDULED)
    client.force_login(personas["owner"].user)
    response = client.post(
        f"/sessions/{session.pk}/attendance/", {"attendance": "late_start", "late_minutes": late}
    )
    assert response.status_code == 400
    assert "Say how many minutes late" in response.content.decode()
    session.refresh_from_db()
    assert session.attendance == Session.Attendance.SCHEDULED and session.late_minutes == 0


def test_plain_minutes_late_still_work(client, personas, django_capture_on_commit_callbacks):
    session = SessionFactory(episode=personas["owner_episode"], attendance=Session.Attendance.SCHEDULED)
    client.force_login(personas["owner"].user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/sessions/{session.pk}/attendance/", {"attendance": "late_start", "late_minutes": " 15 "}
        )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.late_minutes == 15
