"""A check-in is pinned to the exact definitions it was opened with, and a clinic's file never weakens a
shipped measure: the sequence that once let a check-in through without PHQ-9 item 9, replayed."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from care.links import link_find
from care.models import CheckIn, Score
from checkin.services import CheckInInvalid, checkin_submit, instruments_of
from dashboards.answers import describe_answers
from instruments import fhir
from instruments.library import InstrumentResolver, builtin_hashes, builtin_versions, content_hash
from instruments.models import InstrumentDefinition
from tests.care.factories import SessionFactory
from tests.checkin.factories import attend, good_answers

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fhir"
PHQ9_WITHOUT_ITEM9 = {**{f"item{i}": 1 for i in range(1, 9)}, "difficulty": 1}


def versionless_phq9(tmp_path) -> Path:
    """The HL7 SDC PHQ-9 (recognised as PHQ-9 by its LOINC codes; no item marked required) without its
    version, as a clinic might download it."""
    data = json.loads((FIXTURES / "hl7-sdc-phq9-questionnaire.json").read_text())
    data.pop("version")
    path = tmp_path / "phq9.json"
    path.write_text(json.dumps(data))
    return path


def open_with_phq9(personas, django_capture_on_commit_callbacks, number: int):
    clinic = personas["clinic"]
    clinic.measure_schedule = {"phq9": 1}
    clinic.save()
    session = SessionFactory(episode=personas["owner_episode"], number=number, attendance="scheduled")
    token = attend(session, personas["owner"].user, django_capture_on_commit_callbacks)
    return CheckIn.objects.get(session=session), link_find(purpose="checkin", token=token)


def test_replay_a_versionless_phq9_loaded_switched_off_cannot_make_item9_skippable(
    personas, django_capture_on_commit_callbacks, tmp_path
):
    # Given a check-in opened with the shipped PHQ-9 …
    checkin, link = open_with_phq9(personas, django_capture_on_commit_callbacks, number=1)
    shipped = builtin_versions()["phq9", "1"]
    assert checkin.instrument_versions["phq9"] == "1"
    assert checkin.instrument_hashes["phq9"] == builtin_hashes()["phq9", "1"] == content_hash(shipped)
    # … when the clinic loads a PHQ-9 file without a version, switched off,
    with pytest.raises(CommandError, match="shipped Patient Health Questionnaire"):
        call_command(
            "load_instrument",
            str(versionless_phq9(tmp_path)),
            clinic=checkin.session.episode.client.clinic_id,
            inactive=True,
        )
    # then it is refused (nothing stored), and even a row stored that way by older code shadows nothing:
    assert not InstrumentDefinition.objects.exists()
    weak = fhir.questionnaire_import(json.loads(versionless_phq9(tmp_path).read_text())).instrument
    InstrumentDefinition.objects.create(
        clinic=personas["clinic"],
        key="phq9",
        version="1",
        definition=weak.model_dump(mode="json"),
        active=False,
    )
    clinic_id = personas["clinic"].pk
    assert next(i for i in instruments_of(checkin, clinic_id) if i.key == "phq9") is shipped
    assert InstrumentResolver(clinic_id).get("phq9", "1", checkin.instrument_hashes["phq9"]) is shipped
    # and the open check-in without item 9 is refused, stores nothing.
    with pytest.raises(CheckInInvalid) as refused:
        checkin_submit(link=link, answers=good_answers() | {"phq9": PHQ9_WITHOUT_ITEM9})
    assert refused.value.errors == {"phq9": {"item9": "Please answer this question."}}
    checkin.refresh_from_db()
    assert checkin.status != CheckIn.Status.SUBMITTED and not Score.objects.exists()
    # The export and the clinician's page read the same shipped wording.
    outcome = checkin_submit(link=link, answers=good_answers() | {"phq9": {**PHQ9_WITHOUT_ITEM9, "item9": 0}})
    assert not outcome.safety_concern
    checkin.refresh_from_db()
    sections, _ = describe_answers(checkin, instruments=InstrumentResolver(clinic_id))
    phq9 = next(s for s in sections if s["key"] == "phq9")
    assert phq9["items"][8][0] == shipped.item("item9").text["en"]
    bundle = fhir.checkin_to_questionnaire_response(checkin)
    texts = [
        item["text"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "QuestionnaireResponse"
        for item in entry["resource"].get("item", [])
    ]
    assert shipped.item("item9").text["en"] in texts


def test_a_clinic_version_of_phq9_keeps_item9_required_and_check_ins_pin_it(
    personas, django_capture_on_commit_callbacks, tmp_path
):
    # Given the same file loaded under its own version and in use
    clinic_id = personas["clinic"].pk
    call_command(
        "load_instrument", str(versionless_phq9(tmp_path)), clinic=clinic_id, definition_version="clinic-1"
    )
    row = InstrumentDefinition.objects.get()
    item9 = next(i for i in row.definition["items"] if i["key"] == "item9")
    assert item9["required"] is True and item9["safety"] is True, "stored as always required"
    # when a check-in opens, it is pinned to that row's exact content
    checkin, link = open_with_phq9(personas, django_capture_on_commit_callbacks, number=1)
    pinned = next(i for i in instruments_of(checkin, clinic_id) if i.key == "phq9")
    assert checkin.instrument_versions["phq9"] == "clinic-1"
    assert checkin.instrument_hashes["phq9"] == content_hash(pinned) != builtin_hashes()["phq9", "1"]
    # then item 9 cannot be skipped, though the file marked nothing required
    with pytest.raises(CheckInInvalid) as refused:
        checkin_submit(link=link, answers=good_answers() | {"phq9": PHQ9_WITHOUT_ITEM9})
    assert "item9" in refused.value.errors["phq9"]
    assert "item1" not in refused.value.errors["phq9"]


def test_a_loaded_version_is_immutable_and_a_changed_one_is_not_read_for_a_pinned_check_in(
    personas, django_capture_on_commit_callbacks, tmp_path
):
    clinic_id = personas["clinic"].pk
    call_command(
        "load_instrument", str(versionless_phq9(tmp_path)), clinic=clinic_id, definition_version="c1"
    )
    checkin, _link = open_with_phq9(personas, django_capture_on_commit_callbacks, number=1)
    row = InstrumentDefinition.objects.get()
    # Switching it on and off is allowed; changing what it says is not.
    row.active = False
    row.save(update_fields=["active"])
    row.definition = {**row.definition, "title": {"en": "Edited"}}
    with pytest.raises(ValueError, match="new version"):
        row.save()
    # A change made behind the application's back is noticed, never read as the pinned definition.
    InstrumentDefinition.objects.filter(pk=row.pk).update(definition=row.definition)
    with pytest.raises(LookupError, match="pinned"):
        instruments_of(checkin, clinic_id)
    assert InstrumentResolver(clinic_id).get("phq9", "c1", checkin.instrument_hashes["phq9"]) is None
