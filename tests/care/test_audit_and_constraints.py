"""Audit events record who read which client and can never be changed; the database keeps
the spine's invariants even when application code is bypassed."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from care.audit import audit_record
from care.models import AuditEvent, CheckIn, Episode, Score, Session
from tests.care.factories import CheckInFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_opening_a_client_page_writes_who_read_which_client(client, personas):
    owner = personas["owner"].user
    episode = personas["owner_episode"]
    client.force_login(owner)

    client.get(reverse("client-detail", args=[episode.client_id]))

    event = AuditEvent.objects.filter(client_id=episode.client_id, action="read").get()
    assert (event.actor, event.actor_label) == (owner, "owner")


def test_a_refused_read_writes_no_audit_of_someone_elses_client(client, personas):
    client.force_login(personas["colleague"].user)
    episode = personas["owner_episode"]

    assert client.get(reverse("client-detail", args=[episode.client_id])).status_code == 404
    assert not AuditEvent.objects.filter(client_id=episode.client_id).exists()


def test_audit_events_cannot_be_edited_or_deleted(personas):
    event = audit_record(
        actor=personas["owner"].user, action="read", obj=personas["owner_episode"].client, client=None
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_label == "owner"


def test_one_client_check_in_per_session(personas):
    session = SessionFactory(episode=personas["owner_episode"], number=1)
    CheckInFactory(session=session)
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(session=session, sent_at=timezone.now())


def test_a_submitted_check_in_has_a_submission_time(personas):
    session = SessionFactory(episode=personas["owner_episode"], number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(session=session, sent_at=timezone.now(), status=CheckIn.Status.SUBMITTED)


def test_scores_must_lie_within_their_range(personas):
    checkin = CheckInFactory(session=SessionFactory(episode=personas["owner_episode"]))
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(
            checkin=checkin, instrument="phq9", version="1", scale="total", value=28, minimum=0, maximum=27
        )


def test_session_numbers_are_unique_within_an_episode(personas):
    SessionFactory(episode=personas["owner_episode"], number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(episode=personas["owner_episode"], number=1)


def test_a_late_start_carries_its_minutes_and_only_a_late_start_does(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(
            episode=personas["owner_episode"], attendance=Session.Attendance.LATE_START, late_minutes=0
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(
            episode=personas["owner_episode"], attendance=Session.Attendance.ATTENDED, late_minutes=5
        )


def test_a_closed_episode_needs_an_end_reason_and_cannot_close_before_it_opened(personas):
    episode = personas["owner_episode"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.filter(pk=episode.pk).update(closed_on=timezone.localdate())
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.filter(pk=episode.pk).update(
            closed_on=episode.opened_on - dt.timedelta(days=1), end_reason=Episode.EndReason.MUTUAL
        )


def test_datetimes_are_stored_timezone_aware(settings, personas):
    assert settings.USE_TZ is True
    session = SessionFactory(episode=personas["owner_episode"])
    session.refresh_from_db()
    assert session.scheduled_start.tzinfo is not None
