"""Failure pages people can read: each status styled on the site's template, in the page's language,
and on the client's pages (/c/, /me/) with the clinic's crisis text or a general emergency line."""

import html
from unittest import mock

import pytest
from django.test import Client, override_settings

from care.models import Clinic, Session
from tests.care.factories import SessionFactory
from tests.checkin.factories import attend

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.care.error_urls")]

GENERIC = "call your local emergency number"
CRISIS = "Call the Riverside crisis line on 0800 111 222"


@pytest.fixture
def crashing_client():
    return Client(raise_request_exception=False)


def _page(response) -> str:
    body = html.unescape(response.content.decode())
    assert response["Content-Type"].startswith("text/html")
    assert 'link rel="stylesheet"' in body and "attune.css" in body, "the site's own template"
    return body


@pytest.mark.parametrize(
    ("method", "path", "status", "title"),
    [
        ("get", "/nowhere/", 404, "We can't find this page"),
        ("get", "/boom/denied/", 403, "This page isn't open to you"),
        ("get", "/boom/gone/", 410, "This page is no longer available"),
        ("get", "/boom/busy/", 429, "Too many tries"),
        ("get", "/boom/crash/", 500, "Something went wrong on our side"),
        ("delete", "/health/", 405, "This page can't be used that way"),
    ],
)
def test_each_failure_is_a_styled_english_page_without_crisis_text_for_staff(
    crashing_client, method, path, status, title
):
    response = getattr(crashing_client, method)(path)
    assert response.status_code == status
    body = _page(response)
    assert title in body and f"Error {status}" in body
    assert GENERIC not in body, "staff pages carry no crisis text"


def test_a_bad_request_is_a_styled_400():
    response = Client().get("/login/", HTTP_HOST="not-allowed.example")
    assert response.status_code == 400
    assert "We couldn't read that request" in _page(response)


def test_405_keeps_allow_and_429_keeps_retry_after(client):
    assert client.delete("/health/")["Allow"] == "GET"
    assert client.get("/boom/busy/")["Retry-After"] == "900"


def test_pages_with_their_own_body_are_left_alone(client):
    response = client.get("/c/unknown-token/")
    assert response.status_code == 404 and "We can't open this link" in response.content.decode()


def test_spanish_from_the_browser_and_from_the_page(client):
    staff = client.get("/nowhere/", HTTP_ACCEPT_LANGUAGE="es")
    assert "No encontramos esta página" in _page(staff)
    assert staff["Content-Language"] == "es"
    chosen = client.get("/c/x/y/z/?lang=es")
    assert "No encontramos esta página" in _page(chosen)
    assert "llame ahora al número de emergencias" in _page(chosen)


def test_api_failures_stay_json(crashing_client):
    response = crashing_client.get("/api/v1/boom/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"


@pytest.fixture
def opened(personas, django_capture_on_commit_callbacks):
    session = SessionFactory(
        episode=personas["owner_episode"], number=1, attendance=Session.Attendance.SCHEDULED
    )
    return session, attend(session, personas["owner"].user, django_capture_on_commit_callbacks)


@pytest.fixture
def clinic_crisis(opened):
    session, token = opened
    Clinic.objects.filter(pk=session.episode.client.clinic_id).update(
        crisis_instructions=CRISIS, crisis_instructions_es="Llame a la línea de crisis de Riverside"
    )
    return token


def test_client_pages_of_a_known_link_carry_the_clinics_crisis_text(client, clinic_crisis, crashing_client):
    token = clinic_crisis
    not_allowed = client.get(f"/c/{token}/own-page/")  # that address takes only a post
    assert not_allowed.status_code == 405
    body = _page(not_allowed)
    assert CRISIS in body and "Riverside" in body and GENERIC not in body
    with mock.patch("checkin.views.checkin_mark_opened", side_effect=RuntimeError("boom")):
        crashed = crashing_client.get(f"/c/{token}/")
    assert crashed.status_code == 500 and CRISIS in crashed.content.decode()
    spanish = client.get(f"/c/{token}/own-page/?lang=es").content.decode()
    assert "Llame a la línea de crisis de Riverside" in spanish


@pytest.mark.parametrize("path", ["/c/not-a-token/more/", "/me/not-a-token/more/", "/me/"])
def test_client_pages_without_a_known_clinic_carry_the_general_emergency_line(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert GENERIC in _page(response)


@override_settings(DEBUG=False)
def test_a_500_while_the_database_is_down_still_answers_a_page(crashing_client, opened):
    _session, token = opened
    with (
        mock.patch("checkin.views.checkin_mark_opened", side_effect=RuntimeError("boom")),
        mock.patch("care.errors.AccessLink.objects.filter", side_effect=RuntimeError("db down")),
    ):
        response = crashing_client.get(f"/c/{token}/")
    assert response.status_code == 500 and GENERIC in response.content.decode()
