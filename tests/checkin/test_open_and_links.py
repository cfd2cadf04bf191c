"""Opening a check-in when a session is attended, and what every kind of link shows."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from care.links import hash_secret
from care.models import AccessLink, CheckIn, Client, Session
from tests.care.factories import SessionFactory
from tests.checkin.factories import GOOD, attend

pytestmark = pytest.mark.django_db


def test_attended_session_opens_one_checkin_with_a_hashed_link_and_an_email(opened):
    session, token = opened
    checkin = CheckIn.objects.get(session=session)
    assert checkin.status == CheckIn.Status.SENT
    assert {"relationship", "readiness", "regimen", "reliability", "closing"} <= set(
        checkin.instrument_versions
    )
    link = AccessLink.objects.get(checkin=checkin)
    assert link.token_hash == hash_secret(token) and token not in link.token_hash
    assert link.code_hash, "a tablet code is issued with the link"
    assert dt.timedelta(hours=95) < link.expires_at - link.created_at <= dt.timedelta(hours=96)
    assert mail.outbox[-1].to == [session.episode.client.email]
    assert session.episode.client.family_name not in mail.outbox[-1].body  # no more than a first name


def test_the_email_is_in_the_clients_language_and_the_ttl_is_the_clinics(
    personas, django_capture_on_commit_callbacks
):
    clinic = personas["clinic"]
    clinic.checkin_link_ttl_hours = 24
    clinic.save()
    episode = personas["owner_episode"]
    Client.objects.filter(pk=episode.client_id).update(preferred_language="es")
    session = SessionFactory(episode=episode, number=1, attendance=Session.Attendance.SCHEDULED)
    attend(session, personas["owner"].user, django_capture_on_commit_callbacks)
    assert "sesión" in mail.outbox[-1].subject
    link = AccessLink.objects.get(checkin__session=session)
    assert link.expires_at - link.created_at <= dt.timedelta(hours=24)


def test_a_client_without_email_still_gets_a_tablet_code(personas, django_capture_on_commit_callbacks):
    episode = personas["owner_episode"]
    Client.objects.filter(pk=episode.client_id).update(email="")
    session = SessionFactory(episode=episode, number=1, attendance=Session.Attendance.SCHEDULED)
    from checkin.attendance import session_record_attendance

    with django_capture_on_commit_callbacks(execute=True):
        session_record_attendance(actor=None, session=session, attendance=Session.Attendance.ATTENDED)
    assert mail.outbox == []
    assert AccessLink.objects.get(checkin__session=session).code_hash


def test_the_form_page_grants_no_browsing_session_and_keeps_the_client_out_of_the_page(client, opened):
    session, token = opened
    response = client.get(f"/c/{token}/")
    assert response.status_code == 200
    assert not response.cookies, "no session or CSRF cookie for a link"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
    assert session.episode.client.family_name.encode() not in response.content
    session.checkin.refresh_from_db()
    assert session.checkin.status == CheckIn.Status.OPENED


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_or_edited_link_gets_a_kind_page_and_no_form(client, opened, method):
    _session, token = opened
    edited = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in [edited, "nonsense", "x" * 500]:
        response = getattr(client, method)(f"/c/{bad}/", GOOD if method == "post" else None)
        assert response.status_code == 404
        assert b"We can't open this link" in response.content
        assert b'name="relationship.heard"' not in response.content
        assert not response.cookies
    assert CheckIn.objects.get().status != CheckIn.Status.SUBMITTED


def test_an_expired_link_says_so_kindly_and_stores_nothing(client, opened):
    session, token = opened
    AccessLink.objects.filter(checkin__session=session).update(
        created_at=timezone.now() - dt.timedelta(days=5), expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    for response in [client.get(f"/c/{token}/"), client.post(f"/c/{token}/", GOOD)]:
        assert response.status_code == 410
        assert b"This link has expired" in response.content
    assert CheckIn.objects.get().submitted_at is None


def test_a_used_link_shows_thanks_not_the_form(client, opened):
    _session, token = opened
    assert client.post(f"/c/{token}/", GOOD).status_code == 200
    response = client.get(f"/c/{token}/")
    assert response.status_code == 200
    assert b"already saved" in response.content
    assert b'name="relationship.heard"' not in response.content


def test_spanish_form_from_the_clients_language_and_switchable(client, opened):
    session, token = opened
    Client.objects.filter(pk=session.episode.client_id).update(preferred_language="es")
    response = client.get(f"/c/{token}/")
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in response.content.decode()
    assert "¿Cómo fue su sesión?" in response.content.decode()
    assert "Me sentí escuchado/a" in response.content.decode()
    english = client.get(f"/c/{token}/?lang=en").content.decode()
    assert "How was your session?" in english and "I felt heard" in english


def test_tablet_code_opens_the_form_and_wrong_codes_are_limited(client, personas, opened):
    session, _token = opened
    from checkin.services import checkin_link_resend

    _link, _t, code = checkin_link_resend(actor=personas["owner"].user, session=session, email=False)
    typed = f"{code[:4].lower()} {code[4:]}"  # as a person types it
    response = client.post("/c/", {"code": typed})
    assert response.status_code == 302
    form = client.get(response["Location"])
    assert form.status_code == 200 and b'name="relationship.heard"' in form.content

    for _ in range(10):
        assert client.post("/c/", {"code": "WRONG234"}).status_code == 400
    locked = client.post("/c/", {"code": code})
    assert locked.status_code == 429, "after ten wrong codes even a right one waits"


def test_clinicians_resend_keeps_the_first_link_working(client, personas, opened):
    session, token = opened
    from checkin.services import checkin_link_resend

    _link, new_token, _code = checkin_link_resend(actor=personas["owner"].user, session=session, email=True)
    assert client.get(f"/c/{token}/").status_code == 200
    assert client.get(f"/c/{new_token}/").status_code == 200
    # Answering through one closes every link of that check-in.
    assert client.post(f"/c/{new_token}/", GOOD).status_code == 200
    assert b"already saved" in client.get(f"/c/{token}/").content
    assert not AccessLink.objects.filter(checkin__session=session, used_at__isnull=True).exists()


def test_the_form_follows_pillar_order_and_ends_with_the_open_question(client, opened):
    _session, token = opened
    html = client.get(f"/c/{token}/").content.decode()
    order = [
        html.index(f'id="step-{key}"')
        for key in ["relationship", "readiness", "stage", "regimen", "reliability", "closing"]
    ]
    assert order == sorted(order)
