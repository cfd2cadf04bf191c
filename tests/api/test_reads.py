"""Out: flags and scores by cursor and updated_since; the FHIR resources with a fhir:read key."""

import datetime as dt

import pytest
from django.utils import timezone

from care.models import AuditEvent
from risk.models import Flag
from tests.api.conftest import make_api
from tests.care.factories import CheckInFactory, EpisodeFactory, ScoreFactory, SessionFactory
from tests.risk.factories import FlagFactory

pytestmark = pytest.mark.django_db

T0 = timezone.now() - dt.timedelta(days=3)


def _flags(clinic_setup, n: int) -> list[Flag]:
    clinician = clinic_setup["clinician"]
    return [
        FlagFactory(
            episode=EpisodeFactory(clinician=clinician),
            updated_at=T0 + dt.timedelta(minutes=i // 2),  # pairs share a time: the id breaks the tie
            opened_at=T0,
        )
        for i in range(n)
    ]


def _pages(api, **params):
    seen, cursor = [], None
    while True:
        page = api.get("/api/v1/flags/", **params, **({"cursor": cursor} if cursor else {})).json()
        seen += [f["id"] for f in page["results"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return seen, cursor


def test_paging_returns_every_flag_once_in_change_order(api, clinic_setup):
    flags = _flags(clinic_setup, 11)
    FlagFactory(episode=clinic_setup["other_episode"])  # another clinic's: never listed
    seen, _ = _pages(api, limit=3)
    assert seen == [f.pk for f in flags]


def test_a_flag_changed_during_paging_is_seen_again_at_the_end_and_nothing_is_skipped(api, clinic_setup):
    flags = _flags(clinic_setup, 9)
    first = api.get("/api/v1/flags/", limit=3).json()
    assert [f["id"] for f in first["results"]] == [f.pk for f in flags[:3]]
    # While the caller pages: an already-seen flag and a not-yet-seen one change, and a new one is raised.
    now = timezone.now()
    Flag.objects.filter(pk=flags[1].pk).update(updated_at=now)
    Flag.objects.filter(pk=flags[5].pk).update(updated_at=now)
    new = FlagFactory(episode=EpisodeFactory(clinician=clinic_setup["clinician"]), updated_at=now)
    seen, cursor = [], first["next_cursor"]
    while True:
        page = api.get("/api/v1/flags/", limit=3, cursor=cursor).json()
        seen += [f["id"] for f in page["results"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    unchanged = [f.pk for f in flags[3:] if f.pk != flags[5].pk]
    assert seen[: len(unchanged)] == unchanged
    assert sorted(seen[len(unchanged) :]) == sorted([flags[1].pk, flags[5].pk, new.pk])
    assert len(seen) == len(set(seen))
    # Polling later with the last cursor returns only what changed since.
    assert api.get("/api/v1/flags/", cursor=cursor).json()["results"] == []
    Flag.objects.filter(pk=flags[0].pk).update(acknowledged_at=timezone.now(), status="acknowledged")
    later = api.get("/api/v1/flags/", cursor=cursor).json()["results"]
    assert [(f["id"], f["status"]) for f in later] == [(flags[0].pk, "acknowledged")]


def test_updated_since(api, clinic_setup):
    flags = _flags(clinic_setup, 6)
    since = (T0 + dt.timedelta(minutes=1)).isoformat()
    seen, _ = _pages(api, updated_since=since)
    assert seen == [f.pk for f in flags[2:]]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "20.0"},
        {"limit": "9999"},
        {"updated_since": "2026-12-01"},
        {"updated_since": "9999-12-31T00:00:00Z"},
        {"cursor": "nonsense"},
        {"status": "closed"},
    ],
)
def test_bad_paging_parameters_are_400s_from_the_catalogue(api, params):
    response = api.get("/api/v1/flags/", **params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == next(iter(params))


def test_the_flag_list_query_count_does_not_grow_with_the_page(
    # Most of the budget is the database cache's rate counter (one Redis round trip in production); one flag query.
    api,
    clinic_setup,
    django_assert_max_num_queries,
):
    _flags(clinic_setup, 3)
    with django_assert_max_num_queries(16):
        api.get("/api/v1/flags/", limit=500)
    _flags(clinic_setup, 30)
    with django_assert_max_num_queries(16):
        assert len(api.get("/api/v1/flags/", limit=500).json()["results"]) == 33


def test_scores_page_by_submission(api, clinic_setup):
    episode = clinic_setup["episode"]
    checkins = []
    for i in range(4):
        checkin = CheckInFactory(
            session=SessionFactory(episode=episode, number=i + 1),
            status="submitted",
            submitted_at=T0 + dt.timedelta(hours=i),
        )
        ScoreFactory(checkin=checkin)
        checkins.append(checkin)
    ScoreFactory(
        checkin=CheckInFactory(
            session=SessionFactory(episode=clinic_setup["other_episode"]), status="submitted", submitted_at=T0
        )
    )
    page = api.get("/api/v1/scores/", limit=2).json()
    assert [s["checkin_id"] for s in page["results"]] == [c.pk for c in checkins[:2]] and page["has_more"]
    page = api.get("/api/v1/scores/", limit=2, cursor=page["next_cursor"]).json()
    assert [s["checkin_id"] for s in page["results"]] == [c.pk for c in checkins[2:]]


def test_fhir_with_a_fhir_read_key(clinic_setup):
    api = make_api(clinic_setup, scopes=["fhir:read"])
    episode = clinic_setup["episode"]
    questionnaire = api.get("/api/v1/instruments/phq9/questionnaire/")
    assert questionnaire.status_code == 200 and questionnaire.json()["resourceType"] == "Questionnaire"
    bundle = api.get(f"/api/v1/episodes/{episode.pk}/fhir/")
    assert bundle.status_code == 200 and bundle["Content-Type"] == "application/fhir+json"
    assert bundle.json()["resourceType"] == "Bundle"
    assert api.get(f"/api/v1/clients/{episode.client_id}/fhir/").status_code == 200
    other = clinic_setup["other_episode"]
    assert api.get(f"/api/v1/episodes/{other.pk}/fhir/").status_code == 404
    flags_only = make_api(clinic_setup, scopes=["flags:read"])
    assert flags_only.get(f"/api/v1/episodes/{episode.pk}/fhir/").status_code == 403


def test_the_staff_fhir_view_still_answers_a_staff_session(client, clinic_setup):
    client.force_login(clinic_setup["clinician"].user)
    assert client.get(f"/api/v1/episodes/{clinic_setup['episode'].pk}/fhir/").status_code == 200


def test_reads_are_audited_one_row_per_page(api, clinic_setup):
    flags = _flags(clinic_setup, 5)
    before = AuditEvent.objects.count()
    api.get("/api/v1/flags/", limit=500)
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.actor_label.startswith("api-key:") and event.object_type == "risk.Flag"
    assert event.detail["client_ids"] == sorted({f.episode.client_id for f in flags})
    api.get(f"/api/v1/episodes/{clinic_setup['episode'].pk}/")
    assert AuditEvent.objects.order_by("-id").first().object_type == "care.Episode"
