"""Inviting a clinician: one email through Django's mail with a single-use link; only its hash is stored;
it expires after 7 days; the sign-up sets name, username and a password the validators accept, and
lands the new clinician on their (empty) caseload."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user
from django.core import mail
from django.db.models import F
from django.urls import reverse

from care.links import hash_secret
from care.models import AuditEvent, User
from clinic_settings.invitations import staff_sign_up
from clinic_settings.models import Invitation
from clinicians.models import Clinician

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/clinic/settings/join/(\S+)/")
GOOD = {
    "first_name": "Robin",
    "last_name": "Rivera",
    "username": "rrivera",
    "password1": "a calm lake at dawn 42",
    "password2": "a calm lake at dawn 42",
}


@pytest.fixture
def invited(client, personas, django_capture_on_commit_callbacks):
    """The admin invites new.clinician@example.org; returns (user, raw token from the email)."""
    client.force_login(personas["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("clinic-settings-people"), {"email": "New.Clinician@example.org", "role": "clinician"}
        )
    assert response.status_code == 302
    client.logout()
    [message] = mail.outbox
    token = LINK.search(message.body)[1]
    return User.objects.get(email="new.clinician@example.org"), token


def test_the_invitation_is_emailed_and_only_its_hash_is_stored(personas, invited):
    user, token = invited
    [message] = mail.outbox
    assert message.to == ["new.clinician@example.org"]
    assert personas["clinic"].name in message.subject
    invitation = Invitation.objects.get(user=user)
    assert invitation.token_hash == hash_secret(token) and token not in invitation.token_hash
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert (
        dt.timedelta(days=6, hours=23) < invitation.expires_at - invitation.created_at <= dt.timedelta(days=7)
    )
    # the invited member exists, inactive, with no password anyone could use, and a clinician record
    assert not user.is_active and not user.has_usable_password()
    assert user.clinic == personas["clinic"] and Clinician.objects.filter(user=user).exists()
    assert (
        AuditEvent.objects.filter(actor=personas["admin"], object_type="care.User", action="create").count()
        == 1
    )


def test_signing_up_lands_on_an_empty_caseload(client, invited):
    user, token = invited
    url = reverse("clinic-settings-signup", args=[token])
    assert b"Join Attune" in client.get(url).content
    response = client.post(url, GOOD, follow=True)
    assert response.redirect_chain[-1][0] == reverse("caseload")
    signed_in = get_user(client)
    assert signed_in.pk == user.pk and signed_in.username == "rrivera"
    user.refresh_from_db()
    assert (
        user.is_active and user.check_password(GOOD["password1"]) and user.get_full_name() == "Robin Rivera"
    )
    assert b"Welcome to Attune" in response.content
    assert AuditEvent.objects.filter(actor=user, object_type="care.User", detail__signed_up=True).exists()


def test_the_link_works_once(client, invited):
    _, token = invited
    url = reverse("clinic-settings-signup", args=[token])
    client.post(url, GOOD)
    client.logout()
    again = client.post(url, {**GOOD, "username": "someone-else"})
    assert again.status_code == 410 and b"used already" in again.content
    assert not User.objects.filter(username="someone-else").exists()


def test_two_racing_sign_ups_consume_the_invitation_once(invited):
    user, token = invited
    invitation = Invitation.objects.get(user=user)
    first = staff_sign_up(
        invitation=invitation, username="a1", first_name="A", last_name="A", password="x" * 20
    )
    second = staff_sign_up(
        invitation=invitation, username="b1", first_name="B", last_name="B", password="y" * 20
    )
    assert first is not None and second is None
    user.refresh_from_db()
    assert user.username == "a1"


def test_an_expired_link_is_refused(client, invited):
    user, token = invited
    # eight days later
    Invitation.objects.filter(user=user).update(
        created_at=F("created_at") - dt.timedelta(days=8), expires_at=F("expires_at") - dt.timedelta(days=8)
    )
    response = client.post(reverse("clinic-settings-signup", args=[token]), GOOD)
    assert response.status_code == 410 and b"expired" in response.content
    user.refresh_from_db()
    assert not user.is_active


def test_an_unknown_link_is_not_found(client, invited):
    response = client.get(reverse("clinic-settings-signup", args=["not-a-real-token"]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password1": "short", "password2": "short"}, b"too short"),
        ({"password1": "password12345", "password2": "password12345"}, b"too common"),
        (
            {"password1": "a calm lake at dawn 42", "password2": "a calm lake at dusk 42"},
            b"The two passwords differ.",
        ),
        ({"username": "owner"}, b"This username is taken"),
        ({"username": "has space"}, b"Enter a valid username"),
        ({"first_name": ""}, b"This field is required."),
    ],
)
def test_bad_sign_ups_are_refused_and_keep_the_link(client, invited, change, message):
    user, token = invited
    url = reverse("clinic-settings-signup", args=[token])
    response = client.post(url, {**GOOD, **change})
    assert response.status_code == 400 and message in response.content
    assert Invitation.objects.get(user=user).used_at is None
    assert client.post(url, GOOD).status_code == 302  # corrected, it works


def test_a_new_link_replaces_the_old(client, personas, invited, django_capture_on_commit_callbacks):
    user, old = invited
    client.force_login(personas["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("clinic-settings-person-invite", args=[user.pk]))
    new = LINK.search(mail.outbox[-1].body)[1]
    client.logout()
    assert client.get(reverse("clinic-settings-signup", args=[old])).status_code == 410
    assert client.get(reverse("clinic-settings-signup", args=[new])).status_code == 200


def test_an_address_already_in_use_is_refused(client, personas):
    User.objects.filter(pk=personas["owner"].user.pk).update(email="owner@example.org")
    client.force_login(personas["admin"])
    response = client.post(
        reverse("clinic-settings-people"), {"email": "OWNER@example.org", "role": "supervisor"}
    )
    assert response.status_code == 400 and b"already has an account" in response.content
    assert mail.outbox == []


def test_only_clinicians_and_supervisors_are_invited(client, personas):
    client.force_login(personas["admin"])
    response = client.post(reverse("clinic-settings-people"), {"email": "boss@example.org", "role": "admin"})
    assert response.status_code == 400
    assert not User.objects.filter(email="boss@example.org").exists()


def test_an_invited_member_cannot_be_activated_without_signing_up(client, personas, invited):
    user, _ = invited
    client.force_login(personas["admin"])
    client.post(reverse("clinic-settings-person-active", args=[user.pk]), {"active": "1"})
    user.refresh_from_db()
    assert not user.is_active


def test_a_name_with_a_control_character_is_refused(client, invited):
    user, token = invited
    response = client.post(
        reverse("clinic-settings-signup", args=[token]), {**GOOD, "first_name": "Ro\x00bin"}
    )
    assert response.status_code == 400 and b"characters that can&#x27;t be saved" in response.content
    assert Invitation.objects.get(user=user).used_at is None
