"""Our rules around the passkey ceremony (the ceremony itself runs in Chromium, in
tests/browser/test_two_factor.py): a passkey completes a sign-in's second step, and completes a
confirmation only after the password; on its own, in a session already verified, it confirms nothing.

Here the library's cryptographic check is replaced by one that accepts the person's stored credential,
so the rules are tested on their own; everything else (views, session, database) is real."""

import hashlib

import pytest
from django.contrib.auth import get_user
from django.test import RequestFactory
from django_otp_webauthn.models import WebAuthnCredential

from accounts.passkeys import PasskeyHelper
from care.reauth import recently_authenticated
from tests.accounts.helpers import PASSWORD, enrolled_app, next_code, sign_in, strict_clinician

pytestmark = pytest.mark.django_db

BEGIN, COMPLETE = "/account/passkeys/authentication/begin/", "/account/passkeys/authentication/complete/"


@pytest.fixture
def passkey_user(monkeypatch):
    user = strict_clinician()
    credential = WebAuthnCredential.objects.create(
        user=user,
        name="Laptop",
        confirmed=True,
        credential_id=b"credential-1",
        credential_id_sha256=hashlib.sha256(b"credential-1").hexdigest(),
        public_key=b"key",
        sign_count=0,
    )
    monkeypatch.setattr(PasskeyHelper, "authenticate_complete", lambda self, user, state, data: credential)
    return user


def _use_passkey(client):
    assert client.post(BEGIN, content_type="application/json").status_code == 200
    return client.post(COMPLETE, {"id": "x"}, content_type="application/json")


def _recent(client) -> bool:
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = get_user(request)
    return recently_authenticated(request)


def test_a_passkey_completes_the_second_step_of_a_sign_in(client, passkey_user):
    sign_in(client)
    assert client.get("/caseload/")["Location"].startswith("/account/two-factor/")
    assert _use_passkey(client).status_code == 200
    assert client.get("/caseload/").status_code == 200
    assert _recent(client)


def test_a_passkey_alone_in_a_verified_session_confirms_nothing(client, passkey_user):
    device = enrolled_app(passkey_user)
    sign_in(client)
    client.post("/account/two-factor/", {"code": next_code(device)})
    session = client.session
    session["reauth_at"] -= 16 * 60
    session.save()

    assert _use_passkey(client).status_code == 200
    assert not _recent(client), "no password was asked for"

    client.post("/account/confirm/", {"password": PASSWORD})
    assert _use_passkey(client).status_code == 200
    assert _recent(client), "password, then the passkey"
