"""Sign-in limits: five wrong passwords lock that account from that address only, so a stranger's
failures elsewhere do not lock the person out; an address that fails across many accounts waits too;
both show a styled page and cool off. Addresses are taken through care.client_ip (TRUSTED_PROXY_COUNT)."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.utils import timezone

from care.models import AuditEvent
from tests.accounts.helpers import PASSWORD, sign_in, strict_clinician

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


def _from(address: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_strangers_failures_lock_only_the_stranger_out(client):
    strict_clinician(required=False)
    for _ in range(4):
        assert sign_in(client, password="guess", **_from("198.51.100.7")).status_code == 200
    assert sign_in(client, password="guess", **_from("198.51.100.7")).status_code == 429, "the fifth locks"

    locked = sign_in(client, **_from("198.51.100.7"))
    assert locked.status_code == 429, "even the right password waits at the stranger's address"
    page = locked.content.decode()
    assert "<h1>Too many tries</h1>" in page and "15 minutes" in page
    assert "/static/css/attune.css" in page, "the site's own styled page"
    assert "dana" not in page, "the page does not repeat the username"

    assert sign_in(client, **_from("203.0.113.20")).status_code == 302, "the clinic's own address signs in"


@override_settings(TRUSTED_PROXY_COUNT=1, AXES_COOLOFF_TIME=1 / 60)
def test_the_lockout_cools_off(client):
    strict_clinician(required=False)
    for _ in range(5):
        sign_in(client, password="guess", **_from("198.51.100.7"))
    assert sign_in(client, **_from("198.51.100.7")).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=2))
    assert sign_in(client, **_from("198.51.100.7")).status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1, SIGNIN_ADDRESS_LIMIT=8)
def test_an_address_that_fails_across_many_accounts_is_held_back(client):
    for n in range(4):
        strict_clinician(f"staff{n}", required=False)
    for n in range(8):
        sign_in(client, username=f"staff{n % 4}", password="Spring2026!", **_from("198.51.100.7"))

    held = sign_in(client, username="staff3", password=PASSWORD, **_from("198.51.100.7"))
    assert held.status_code == 429
    assert AuditEvent.objects.filter(action="denied", object_type="signin").exists(), "recorded as a lockout"
    assert sign_in(client, username="staff3", password=PASSWORD, **_from("203.0.113.20")).status_code == 302


def test_the_lockout_page_follows_the_page_language(client):
    strict_clinician(required=False)
    for _ in range(5):
        sign_in(client, password="guess")
    locked = sign_in(client, HTTP_ACCEPT_LANGUAGE="es")
    assert locked.status_code == 429
    assert '<html lang="es">' in locked.content.decode()
