"""Clients, episodes and appointments in: strict types, idempotency, ETags, and attendance through the
session page's own service."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from api.keys import key_revoke
from api.models import ApiKey
from care.models import AccessLink, AuditEvent, CheckIn, Client, Episode, Session
from tests.api.conftest import make_api

pytestmark = pytest.mark.django_db


def _iso(when: dt.datetime) -> str:
    return when.isoformat()


def test_a_client_is_created_then_updated_by_its_external_id(api, clinic_setup):
    created = api.put("/api/v1/clients/MRN-77/", {"given_name": "Ana", "family_name": "Ruiz"})
    assert created.status_code == 201, created.content
    assert created["ETag"]
    updated = api.put("/api/v1/clients/MRN-77/", {"email": "ana@example.org"})
    assert updated.status_code == 200
    client = Client.objects.get(clinic=clinic_setup["clinic"], external_id="MRN-77")
    assert client.email == "ana@example.org" and client.given_name == "Ana"
    assert AuditEvent.objects.filter(object_type="care.Client", object_id=str(client.pk)).count() == 2


def test_if_match_refuses_a_lost_update(api):
    first = api.put("/api/v1/clients/MRN-9/", {"given_name": "Ana", "family_name": "Ruiz"})
    tag = first["ETag"]
    assert (
        api.put("/api/v1/clients/MRN-9/", {"phone": "555"}, headers={"HTTP_IF_MATCH": tag}).status_code == 200
    )
    stale = api.put("/api/v1/clients/MRN-9/", {"phone": "556"}, headers={"HTTP_IF_MATCH": tag})
    assert stale.status_code == 412
    assert stale.json()["errors"][0]["code"] == "precondition_failed"
    assert Client.objects.get(external_id="MRN-9").phone == "555"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"given_name": 20, "family_name": "Ruiz"}, "given_name"),
        ({"given_name": "Ana", "family_name": "Ruiz", "date_of_birth": "9999-12-31"}, "date_of_birth"),
        ({"given_name": "Ana", "family_name": "Ruiz", "preferred_language": 1}, "preferred_language"),
        ({"given_name": "Ana\x00", "family_name": "Ruiz"}, "given_name"),
        ({"given_name": "Ana", "family_name": "Ruiz", "nickname": "A"}, "nickname"),
    ],
)
def test_strict_types_are_refused_with_the_field_named(api, body, field):
    response = api.put("/api/v1/clients/MRN-5/", body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Client.objects.filter(external_id="MRN-5").exists()


def test_malformed_json_and_other_media_are_catalogue_errors(api):
    bad = api.put("/api/v1/clients/MRN-5/", "{not json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "malformed_json"
    form = api.http.put(
        "/api/v1/clients/MRN-5/",
        "a=b",
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=f"Bearer {api.secret}",
    )
    assert form.status_code == 415 and form.json()["errors"][0]["code"] == "unsupported_media_type"


def _open_episode(api, clinic_setup, **extra):
    clinician = clinic_setup["clinician"]
    program = clinic_setup["episode"].program
    body = {
        "client_external_id": "MRN-1",
        "clinician_id": clinician.pk,
        "program_id": program.pk,
        "opened_on": "2026-11-01",
        "payer": "Aetna",
        "referred_on": "2026-10-20",
        "intake_on": "2026-10-28",
        **extra,
    }
    return api.post("/api/v1/episodes/", body)


def test_an_episode_opens_and_closes_with_its_reason(api, clinic_setup):
    opened = _open_episode(api, clinic_setup, external_id="EP-1")
    assert opened.status_code == 201, opened.content
    episode = Episode.objects.get(pk=opened.json()["id"])
    assert (episode.payer, episode.external_id, str(episode.referred_on)) == ("Aetna", "EP-1", "2026-10-20")
    closed = api.post(
        f"/api/v1/episodes/{episode.pk}/close/", {"closed_on": "2026-12-01", "end_reason": "mutual"}
    )
    assert closed.status_code == 200
    episode.refresh_from_db()
    assert (str(episode.closed_on), episode.end_reason) == ("2026-12-01", "mutual")
    again = api.post(
        f"/api/v1/episodes/{episode.pk}/close/", {"closed_on": "2026-12-02", "end_reason": "mutual"}
    )
    assert again.status_code == 409


def test_an_episode_of_another_clinic_is_not_found_and_its_clinician_not_usable(api, clinic_setup):
    other = clinic_setup["other_episode"]
    assert api.get(f"/api/v1/episodes/{other.pk}/").status_code == 404
    response = _open_episode(api, clinic_setup, clinician_id=other.clinician_id)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "clinician_id"


def test_the_same_idempotency_key_and_body_replays_the_first_answer(api, clinic_setup):
    body = {
        "client_external_id": "MRN-1",
        "clinician_id": clinic_setup["clinician"].pk,
        "program_id": clinic_setup["episode"].program_id,
        "opened_on": "2026-11-01",
    }
    one = api.post("/api/v1/episodes/", body, idem="open-ep-1")
    two = api.post("/api/v1/episodes/", body, idem="open-ep-1")
    assert one.status_code == two.status_code == 201
    assert one.json() == two.json()
    assert two["Idempotent-Replayed"] == "true"
    assert (
        Episode.objects.filter(client__external_id="MRN-1", client__clinic=clinic_setup["clinic"]).count()
        == 2
    )


def test_the_same_idempotency_key_with_another_body_is_refused(api, clinic_setup):
    body = {
        "client_external_id": "MRN-1",
        "clinician_id": clinic_setup["clinician"].pk,
        "program_id": clinic_setup["episode"].program_id,
        "opened_on": "2026-11-01",
    }
    assert api.post("/api/v1/episodes/", body, idem="k1").status_code == 201
    other = api.post("/api/v1/episodes/", {**body, "payer": "Cigna"}, idem="k1")
    assert other.status_code == 422
    assert other.json()["errors"][0] == {
        "code": "idempotency_key_reused",
        "field": "Idempotency-Key",
        "message": "This Idempotency-Key was used with a different request.",
    }


def test_a_post_without_an_idempotency_key_is_refused(api, clinic_setup):
    response = api.post("/api/v1/episodes/", {}, idem=None)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "idempotency_key_required"


def test_a_failed_post_does_not_burn_its_key(api, clinic_setup):
    body = {
        "client_external_id": "MRN-1",
        "clinician_id": clinic_setup["clinician"].pk,
        "program_id": clinic_setup["episode"].program_id,
        "opened_on": "2026-11-01",
    }
    assert api.post("/api/v1/episodes/", {**body, "opened_on": "01/11/2026"}, idem="k2").status_code == 400
    assert api.post("/api/v1/episodes/", {**body, "opened_on": "01/11/2026"}, idem="k2").status_code == 400
    assert api.post("/api/v1/episodes/", body, idem="k3").status_code == 201


def _book(api, episode, days=-1, **extra):
    start = timezone.now() + dt.timedelta(days=days)
    return api.post(
        "/api/v1/appointments/",
        {
            "episode_id": episode.pk,
            "scheduled_start": _iso(start),
            "scheduled_end": _iso(start + dt.timedelta(minutes=50)),
            **extra,
        },
    )


def test_attendance_sends_the_checkin_link_and_asks_the_risk_engine(
    api, clinic_setup, django_capture_on_commit_callbacks
):
    episode = clinic_setup["episode"]
    booked = _book(api, episode, external_id="APPT-1")
    assert booked.status_code == 201, booked.content
    appointment = booked.json()
    assert appointment["attendance"] == "scheduled" and appointment["checkin_status"] is None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/appointments/{appointment['id']}/attendance/",
            {"attendance": "late_start", "late_minutes": 12, "next_session_booked": True},
        )
    assert response.status_code == 200, response.content
    session = Session.objects.get(pk=appointment["id"])
    assert (session.attendance, session.late_minutes, session.next_session_booked) == ("late_start", 12, True)
    checkin = CheckIn.objects.get(session=session)
    assert AccessLink.objects.filter(checkin=checkin).exists()
    assert len(mail.outbox) == 1 and "/c/" in mail.outbox[0].body
    episode.refresh_from_db()
    assert episode.evaluated_at is not None  # eager Celery: the engine looked at the episode
    assert response.json()["checkin_status"] == "sent"


@pytest.mark.parametrize("minutes", ["20", 0, 241, 2.5, True])
def test_late_minutes_are_a_whole_number_from_1_to_240(api, clinic_setup, minutes):
    appointment = _book(api, clinic_setup["episode"]).json()
    response = api.post(
        f"/api/v1/appointments/{appointment['id']}/attendance/",
        {"attendance": "late_start", "late_minutes": minutes},
    )
    assert response.status_code == 400
    assert Session.objects.get(pk=appointment["id"]).attendance == "scheduled"


def test_a_future_appointment_cannot_be_attended(api, clinic_setup):
    appointment = _book(api, clinic_setup["episode"], days=2).json()
    response = api.post(f"/api/v1/appointments/{appointment['id']}/attendance/", {"attendance": "attended"})
    assert response.status_code == 409


def test_cancel_says_who_cancelled(api, clinic_setup):
    appointment = _book(api, clinic_setup["episode"], days=2).json()
    response = api.post(f"/api/v1/appointments/{appointment['id']}/cancel/", {"cancelled_by": "clinician"})
    assert response.status_code == 200
    assert Session.objects.get(pk=appointment["id"]).attendance == "cancelled_clinician"


def test_reschedule_with_a_stale_etag_is_refused(api, clinic_setup):
    booked = _book(api, clinic_setup["episode"], days=2)
    tag, appointment = booked["ETag"], booked.json()
    start = timezone.now() + dt.timedelta(days=3)
    body = {"scheduled_start": _iso(start), "scheduled_end": _iso(start + dt.timedelta(minutes=50))}
    moved = api.patch(f"/api/v1/appointments/{appointment['id']}/", body, headers={"HTTP_IF_MATCH": tag})
    assert moved.status_code == 200 and moved["ETag"] != tag
    later = start + dt.timedelta(days=1)
    stale = api.patch(
        f"/api/v1/appointments/{appointment['id']}/",
        {"scheduled_start": _iso(later), "scheduled_end": _iso(later + dt.timedelta(minutes=50))},
        headers={"HTTP_IF_MATCH": tag},
    )
    assert stale.status_code == 412
    assert Session.objects.get(pk=appointment["id"]).scheduled_start == start.replace(
        microsecond=start.microsecond
    )


@pytest.mark.parametrize("when", ["9999-12-31T10:00:00Z", "2026-12-01T10:00:00", "2026-12-01", 1733000000])
def test_appointment_times_need_an_offset_and_a_sane_range(api, clinic_setup, when):
    response = api.post(
        "/api/v1/appointments/",
        {"episode_id": clinic_setup["episode"].pk, "scheduled_start": when, "scheduled_end": when},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "scheduled_start"


def test_checkin_link_for_an_ehr_that_sends_its_own_sms(api, clinic_setup):
    appointment = _book(api, clinic_setup["episode"]).json()
    early = api.post(f"/api/v1/appointments/{appointment['id']}/checkin-link/")
    assert early.status_code == 409
    api.post(f"/api/v1/appointments/{appointment['id']}/attendance/", {"attendance": "attended"})
    mail.outbox.clear()
    response = api.post(f"/api/v1/appointments/{appointment['id']}/checkin-link/")
    assert response.status_code == 201
    body = response.json()
    assert "/c/" in body["url"] and len(body["tablet_code"]) == 8
    assert mail.outbox == []
    token = body["url"].rstrip("/").rsplit("/", 1)[-1]
    assert api.http.get(f"/c/{token}/").status_code == 200


def test_staff_sessions_do_not_open_the_integration_api(client, clinic_setup):
    client.force_login(clinic_setup["clinician"].user)
    response = client.get(f"/api/v1/episodes/{clinic_setup['episode'].pk}/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_stops_working(clinic_setup):
    api = make_api(clinic_setup)
    assert api.get("/api/v1/programs/").status_code == 200
    key_revoke(actor=clinic_setup["admin"], key=ApiKey.objects.get())
    assert api.get("/api/v1/programs/").status_code == 401


def test_json_only_answers(api, clinic_setup):
    html = api.get(f"/api/v1/episodes/{clinic_setup['episode'].pk}/", headers={"HTTP_ACCEPT": "text/html"})
    assert html.status_code == 406 and html.json()["errors"][0]["code"] == "not_acceptable"
    wrong = api.send("put", "/api/v1/programs/", {})
    assert wrong.status_code == 405 and wrong.json()["errors"][0]["code"] == "method_not_allowed"
    missing = api.get("/api/v1/appointments/not-a-number/")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        "null",
        '"text"',
        "1e999",
        '{"episode_id": 1e400}',
        "[" * 5000 + "]" * 5000,
        '{"episode_id": null}',
    ],
)
def test_odd_bodies_are_400s_never_500s(api, body):
    response = api.post("/api/v1/appointments/", body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] in {"invalid", "malformed_json"}
