"""A sign-in lasts SESSION_ABSOLUTE_SECONDS (12 hours by default) however active the person is, beside
the idle timeout (SESSION_COOKIE_AGE)."""

import pytest
from django.conf import settings

from tests.accounts.helpers import sign_in, strict_clinician

pytestmark = pytest.mark.django_db


def _age(client, seconds: int) -> None:
    session = client.session
    session["signed_in_at"] -= seconds
    session.save()


def test_the_defaults_are_twelve_hours_and_thirty_idle_minutes():
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


def test_an_active_session_is_signed_out_twelve_hours_after_sign_in(client):
    strict_clinician(required=False)
    sign_in(client)
    _age(client, 12 * 3600 - 60)
    assert client.get("/caseload/").status_code == 200, "still within the day"

    _age(client, 120)
    ended = client.get("/caseload/")
    assert ended.status_code == 302 and ended["Location"] == "/login/?next=%2Fcaseload%2F"
    assert "_auth_user_id" not in client.session
    page = client.get(ended["Location"]).content.decode()
    assert "a sign-in lasts a working day at most" in page


def test_the_limit_is_a_setting(client, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 60
    strict_clinician(required=False)
    sign_in(client)
    _age(client, 61)
    assert client.get("/caseload/").status_code == 302


def test_a_session_from_before_the_rule_counts_from_its_next_request(client):
    user = strict_clinician(required=False)
    client.force_login(user)
    session = client.session
    del session["signed_in_at"]
    session.save()
    assert client.get("/caseload/").status_code == 200
    assert isinstance(client.session["signed_in_at"], float)
