"""Reminders after the clinic's delay: once per check-in, with a fresh working link."""

import datetime as dt

import pytest
from django.core import mail

from care.models import AccessLink, CheckIn
from checkin import tasks
from checkin.services import checkin_send_reminders
from tests.care.factories import CheckInFactory
from tests.checkin.factories import GOOD, LINK

pytestmark = pytest.mark.django_db


def test_no_reminder_before_the_delay(opened):
    session, _token = opened
    sent = CheckIn.objects.get(session=session).sent_at
    assert checkin_send_reminders(now=sent + dt.timedelta(hours=47)) == 0


def test_one_reminder_after_the_delay_with_a_fresh_link_that_works(
    client, opened, django_capture_on_commit_callbacks
):
    session, first_token = opened
    sent = CheckIn.objects.get(session=session).sent_at
    with django_capture_on_commit_callbacks(execute=True):
        assert checkin_send_reminders(now=sent + dt.timedelta(hours=49)) == 1
    reminder = mail.outbox[-1]
    assert "reminder" in reminder.subject.lower()
    token = LINK.search(reminder.body)[1]
    assert token != first_token
    first, fresh = AccessLink.objects.filter(checkin__session=session).order_by("created_at")
    assert first.reminded_at is not None
    assert abs(fresh.expires_at - first.expires_at) < dt.timedelta(seconds=1), "same end date"
    # Running again (beat overlap, a retry) sends nothing more.
    assert checkin_send_reminders(now=sent + dt.timedelta(hours=50)) == 0
    assert checkin_send_reminders(now=sent + dt.timedelta(hours=60)) == 0
    assert client.post(f"/c/{token}/", GOOD).status_code == 200


def test_no_reminder_once_answered_and_expired_checkins_are_marked(client, opened, personas):
    session, token = opened
    client.post(f"/c/{token}/", GOOD)
    sent = CheckIn.objects.get(session=session).sent_at
    assert checkin_send_reminders(now=sent + dt.timedelta(hours=49)) == 0

    other = CheckInFactory(session__episode=personas["owner_episode"], session__number=2)
    assert checkin_send_reminders(now=sent + dt.timedelta(hours=49)) == 0
    other.refresh_from_db()
    assert other.status == CheckIn.Status.EXPIRED, "no live link left: the check-in is marked expired"
    assert CheckIn.objects.get(session=session).status == CheckIn.Status.SUBMITTED


def test_the_beat_task_runs_the_same_service(opened):
    assert tasks.send_checkin_reminders.delay().get() == 0
