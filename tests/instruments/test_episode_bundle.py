"""A whole episode as one FHIR R4 Bundle: Patient with the clinic's identifier, responses with canonical
Questionnaire references, LOINC-coded score Observations derived from them; application/fhir+json;
valid; only for those who may see the episode; audited; a constant number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from care.models import AuditEvent, CheckIn
from instruments import fhir
from instruments.library import content_hash, get_instrument
from instruments.scoring import score
from tests.care.factories import CheckInFactory, SessionFactory

pytestmark = pytest.mark.django_db

PHQ9 = {**{f"item{n}": 1 for n in range(1, 10)}, "difficulty": 1}  # total 9
GAD7 = {**{f"item{n}": 2 for n in range(1, 8)}, "difficulty": 0}  # total 14


def submitted(episode, number: int) -> CheckIn:
    phq9, gad7 = get_instrument("phq9", "1"), get_instrument("gad7", "2")
    return CheckInFactory(
        session=SessionFactory(episode=episode, number=number, days_ago=30 - number),
        status=CheckIn.Status.SUBMITTED,
        submitted_at=timezone.now() - dt.timedelta(days=30 - number),
        instrument_versions={"phq9": "1", "gad7": "2"},
        instrument_hashes={"phq9": content_hash(phq9), "gad7": content_hash(gad7)},
        answers={"phq9": PHQ9, "gad7": GAD7},
    )


def export(client, episode_id):
    return client.get(reverse("api-episode-fhir", args=[episode_id]))


def test_the_owner_gets_the_episode_as_one_valid_bundle(client, personas):
    episode = personas["owner_episode"]
    submitted(episode, 1)
    submitted(episode, 2)
    CheckInFactory(session=SessionFactory(episode=episode, number=3))  # still open: not exported
    client.force_login(personas["owner"].user)

    response = export(client, episode.pk)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    bundle = response.json()
    Bundle.model_validate(bundle)
    resources = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    patient_url, patient = bundle["entry"][0]["fullUrl"], bundle["entry"][0]["resource"]
    assert patient["resourceType"] == "Patient"
    assert patient["identifier"][0]["value"] == episode.client.reference
    assert patient["identifier"][0]["assigner"]["display"] == personas["clinic"].name
    responses = [r for r in resources.values() if r["resourceType"] == "QuestionnaireResponse"]
    assert len(responses) == 4, "two instruments on each of the two submitted check-ins"
    assert {r["questionnaire"].rsplit("|", 1)[1] for r in responses} == {"1", "2"}
    assert all(
        r["questionnaire"].startswith("http") or r["questionnaire"].startswith("urn") for r in responses
    )
    assert all(r["subject"] == {"reference": patient_url} for r in responses)
    observations = [r for r in resources.values() if r["resourceType"] == "Observation"]
    by_code = {}
    for observation in observations:
        (source,) = observation["derivedFrom"]
        assert resources[source["reference"]]["resourceType"] == "QuestionnaireResponse"
        coding = observation["code"]["coding"][0]
        by_code.setdefault((coding["system"], coding["code"]), []).append(
            observation["valueQuantity"]["value"]
        )
    assert by_code[("http://loinc.org", "44261-6")] == [9, 9]
    assert by_code[("http://loinc.org", "70274-6")] == [14, 14]
    audit = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_id=str(episode.pk))
    assert audit.detail["checkins"] == 2


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_anyone_else_gets_a_404_and_nothing_is_audited(client, personas, who):
    submitted(personas["owner_episode"], 1)
    client.force_login(personas[who].user)
    assert export(client, personas["owner_episode"].pk).status_code == 404
    assert export(client, 999_999).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_query_count_does_not_grow_with_the_check_ins(client, personas):
    episode = personas["owner_episode"]
    client.force_login(personas["owner"].user)
    submitted(episode, 1)
    with CaptureQueriesContext(connection) as one:
        assert export(client, episode.pk).status_code == 200
    for number in range(2, 6):
        submitted(episode, number)
    with CaptureQueriesContext(connection) as five:
        assert export(client, episode.pk).status_code == 200
    assert len(five) == len(one)


def test_the_exported_responses_read_back_to_the_same_scores(personas):
    episode = personas["owner_episode"]
    submitted(episode, 1)
    checkins = list(CheckIn.objects.filter(session__episode=episode))
    bundle = fhir.episode_to_bundle(episode, checkins)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] != "QuestionnaireResponse":
            continue
        version = resource["questionnaire"].rsplit("|", 1)[1]
        key = "phq9" if version == "1" else "gad7"
        instrument = get_instrument(key, version)
        answers, warnings = fhir.questionnaire_response_to_answers(instrument, resource)
        assert warnings == []
        assert answers == {"phq9": PHQ9, "gad7": GAD7}[key]
        assert [r.value for r in score(instrument, answers) if r.scale == "total"] == [
            9.0 if key == "phq9" else 14.0
        ]


def test_a_single_check_in_is_served_as_fhir_json_too(client, personas):
    checkin = submitted(personas["owner_episode"], 1)
    client.force_login(personas["owner"].user)
    response = client.get(reverse("api-checkin-fhir", args=[checkin.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")


def test_a_clients_record_is_one_bundle_of_the_episodes_the_reader_may_see(client, personas):
    episode = personas["owner_episode"]
    submitted(episode, 1)
    submitted(episode, 2)
    client.force_login(personas["owner"].user)
    response = client.get(reverse("api-client-fhir", args=[episode.client_id]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    bundle = response.json()
    Bundle.model_validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Patient") == 1 and kinds.count("QuestionnaireResponse") == 4
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, object_id=str(episode.client_id)
    ).exists()
    client.force_login(personas["colleague"].user)
    assert client.get(reverse("api-client-fhir", args=[episode.client_id])).status_code == 404


def test_a_single_check_in_names_its_client_as_a_patient(client, personas):
    checkin = submitted(personas["owner_episode"], 1)
    bundle = fhir.checkin_to_questionnaire_response(checkin)
    patient = bundle["entry"][0]
    assert patient["resource"]["resourceType"] == "Patient"
    responses = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    assert all(r["subject"] == {"reference": patient["fullUrl"]} for r in responses)
