"""Refused access leaves a trace in the audit trail, summarised (care/denials.py): the first refusal is on
record at once, a crawl of 1,000 foreign ids writes four rows (at 1, 10, 100 and 1,000), and a client's
secret token never reaches the table."""

import datetime as dt
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import DatabaseError
from django.urls import reverse

from care import denials
from care.denials import safe_path, worth_recording
from care.models import AuditEvent
from tests.care.factories import SessionFactory

pytestmark = pytest.mark.django_db


NOON = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


def _clock(at: dt.datetime):
    """The counters' clock only (rows keep their real time): a crawl must not straddle an hour."""
    return mock.patch.object(denials, "timezone", SimpleNamespace(now=lambda: at))


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    with _clock(NOON + dt.timedelta(minutes=20)):
        yield
    cache.clear()


def _denied(**filters):
    return AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, **filters).order_by("id")


def test_only_the_first_and_each_power_of_ten_is_due():
    due = [n for n in range(1, 20_001) if worth_recording(n)]
    assert due == [1, 10, 100, 1000, 10_000]


def test_a_crawl_of_a_thousand_foreign_ids_writes_four_rows_and_the_first_at_once(client, personas):
    owner = personas["owner"].user
    foreign = personas["colleague_episode"].client_id
    client.force_login(owner)
    assert client.get(reverse("client-detail", args=[foreign])).status_code == 404
    first = list(_denied())
    assert len(first) == 1
    row = first[0]
    assert (row.actor_id, row.actor_label, row.object_type, row.object_id) == (
        owner.pk,
        owner.username,
        "care.Client",
        str(foreign),
    )
    assert row.detail["kind"] == "not_found" and row.detail["count"] == 1
    assert row.detail["path"] == f"/clients/{foreign}/" and row.detail["method"] == "GET"
    for probe in range(999):
        assert client.get(f"/clients/{foreign + 1000 + probe}/").status_code == 404
    rows = list(_denied(actor=owner))
    assert [r.detail["count"] for r in rows] == [1, 10, 100, 1000]
    # Still refused, still the same page: recording changed nothing about the answer.
    assert client.get(reverse("client-detail", args=[foreign])).status_code == 404


def test_a_new_hour_starts_a_new_count(client, personas):
    client.force_login(personas["owner"].user)
    foreign = personas["colleague_episode"].client_id
    for minutes in (20, 40, 59, 60, 61):
        with _clock(NOON + dt.timedelta(minutes=minutes)):
            client.get(reverse("client-detail", args=[foreign]))
    rows = list(_denied())
    assert [(r.detail["hour"], r.detail["count"]) for r in rows] == [
        ("2026-12-02T12:00:00+00:00", 1),
        ("2026-12-02T13:00:00+00:00", 1),
    ]


def test_when_recording_fails_the_answer_is_the_same_404_and_the_failure_is_logged(client, personas, caplog):
    client.force_login(personas["owner"].user)
    foreign = personas["colleague_episode"].client_id
    with mock.patch.object(denials, "_count", side_effect=DatabaseError("cache table gone")):
        response = client.get(reverse("client-detail", args=[foreign]))
    assert response.status_code == 404 and b"We can" in response.content
    assert not _denied().exists()
    assert "denied access could not be recorded (kind=not_found)" in caplog.text


def test_the_owner_reading_their_own_client_records_no_denial(client, personas):
    client.force_login(personas["owner"].user)
    assert client.get(reverse("client-detail", args=[personas["owner_episode"].client_id])).status_code == 200
    assert not _denied().exists()


def test_each_actor_has_a_counter_of_their_own(client, personas):
    for who in ("owner", "colleague"):
        client.force_login(personas[who].user)
        client.get(reverse("client-detail", args=[personas["outsider_episode"].client_id]))
    assert sorted(_denied().values_list("actor_label", flat=True)) == ["colleague", "owner"]


def test_a_refusal_through_the_staff_api_is_recorded_too(client, personas):
    owner = personas["owner"].user
    foreign = personas["outsider_episode"].client_id
    client.force_login(owner)
    response = client.get(f"/api/v1/clients/{foreign}/fhir/")
    assert response.status_code == 404
    (row,) = _denied()
    assert (row.actor_id, row.object_type, row.object_id) == (owner.pk, "care.Client", str(foreign))
    assert row.detail["path"] == f"/api/v1/clients/{foreign}/fhir/"


def test_a_supervisor_writing_a_supervisees_session_is_a_recorded_403(client, personas):
    session = SessionFactory(episode=personas["owner_episode"])
    supervisor = personas["supervisor"].user
    client.force_login(supervisor)
    response = client.post(reverse("session-attendance", args=[session.pk]), {"attendance": "attended"})
    assert response.status_code == 403
    (row,) = _denied()
    assert row.actor_id == supervisor.pk and row.detail["kind"] == "forbidden"
    assert (row.object_type, row.object_id) == ("care.Episode", str(personas["owner_episode"].pk))


def test_a_sign_in_lockout_is_recorded_with_the_name_tried(client, personas):
    for _ in range(8):
        client.post(reverse("login"), {"username": "owner", "password": "wrong password here"})
    rows = list(_denied(object_type="signin"))
    assert rows, "no lockout recorded"
    assert rows[0].actor_id is None and rows[0].actor_label == "owner"
    assert rows[0].detail["kind"] == "lockout" and rows[0].detail["username"] == "owner"
    assert rows[0].detail["ip"] == "127.0.0.1"


def test_a_tablet_code_lockout_is_recorded_without_any_token(client, db):
    statuses = [client.post("/c/", {"code": "WRONG1"}).status_code for _ in range(12)]
    assert 429 in statuses
    (row,) = _denied(object_type="rate limit")
    assert row.detail["kind"] == "lockout" and row.detail["path"] == "/c/…"
    assert row.actor_id is None and row.actor_label == "anonymous"


def test_a_client_links_token_never_reaches_the_audit_trail():
    assert safe_path("/me/s3cr3t-token/") == "/me/…"
    assert safe_path("/c/s3cr3t-token/own-page/") == "/c/…"
    assert safe_path("/clients/12/") == "/clients/12/"


def test_a_probe_with_nul_and_control_characters_is_recorded_without_them(client, personas):
    owner = personas["owner"].user
    client.force_login(owner)
    assert client.get("/clients/1%00%1b[31m/").status_code == 404
    (row,) = _denied()
    assert row.detail["path"] == "/clients/1[31m/"
    # The page after it still works: the write did not break the request's database connection.
    assert client.get(reverse("client-detail", args=[personas["owner_episode"].client_id])).status_code == 200


def test_an_anonymous_mistyped_address_is_not_a_refusal(client, db):
    assert client.get("/no-such-page/").status_code == 404
    assert not _denied().exists()
