"""Loose files are refused the same way from the admin page, manage.py load_instrument and the API (one
function, one limit), with a clear message, and nothing is stored; loose responses are refused too."""

import copy
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from care.models import AuditEvent
from instruments import fhir
from instruments.library import DefinitionError
from instruments.models import InstrumentDefinition
from instruments.services import MAX_DEFINITION_BYTES
from tests.instruments.test_admin_and_api import upload

ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"


def option(code: str | None, display: str, score: int) -> dict:
    coding = {"system": "urn:example:answers", "display": display} | ({"code": code} if code else {})
    return {"valueCoding": coding, "extension": [{"url": ORDINAL, "valueDecimal": score}]}


GOOD = {
    "resourceType": "Questionnaire",
    "status": "active",
    "name": "mood_check",
    "version": "1",
    "title": "Mood check",
    "item": [
        {
            "linkId": f"q{n}",
            "text": f"Question {n}",
            "type": "choice",
            "answerOption": [option("no", "No", 0), option("yes", "Yes", 1)],
        }
        for n in (1, 2)
    ],
}


def spoiled(change) -> bytes:
    data = copy.deepcopy(GOOD)
    change(data)
    return json.dumps(data).encode()


def _repeat_link(d):
    d["item"][1]["linkId"] = "q1"


def _no_code(d):
    d["item"][0]["answerOption"][1] = option(None, "Yes", 1)


def _no_value(d):
    d["item"][0]["answerOption"][1] = {"extension": [{"url": ORDINAL, "valueDecimal": 1}]}


def _item_code_without_code(d):
    d["item"][0]["code"] = [{"system": "http://loinc.org", "display": "Mood"}]


def _oversize(d):
    d["description"] = "x" * MAX_DEFINITION_BYTES


BAD = [
    ("repeated linkId", spoiled(_repeat_link), "used by more than one item: 'q1'"),
    ("answer coding without code", spoiled(_no_code), "'Yes' is a coding without a code"),
    ("answer without value", spoiled(_no_value), "item.0.answerOption.1"),
    ("item code without code", spoiled(_item_code_without_code), "a coding without a code"),
    ("over the limit", spoiled(_oversize), "larger than 1 MB"),
    (
        "NUL character",
        json.dumps(GOOD).encode().replace(b'"Mood check"', b'"Mood\\u0000"', 1) + b"\x00",
        "control characters",
    ),
    ("not UTF-8", b"\xff\xfe" + json.dumps(GOOD).encode("utf-16-le"), "not UTF-8"),
]


def test_the_good_file_loads(tmp_path, personas, db):
    path = tmp_path / "good.json"
    path.write_bytes(json.dumps(GOOD).encode())
    call_command("load_instrument", str(path), clinic=personas["clinic"].pk)
    assert InstrumentDefinition.objects.get().key == "mood_check"


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "content", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_loose_file_is_refused_by_the_command_with_nothing_stored(
    tmp_path, personas, case, content, message
):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("load_instrument", str(path), clinic=personas["clinic"].pk)
    assert (
        not InstrumentDefinition.objects.exists()
        and not AuditEvent.objects.filter(object_type="instruments.InstrumentDefinition").exists()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "content", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_loose_file_is_refused_by_the_admin_page_with_the_same_message(
    client, personas, case, content, message
):
    client.force_login(personas["admin"])
    response = upload(client, content, "bad.json")
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not InstrumentDefinition.objects.exists()


RESPONSE_ITEM = {
    "linkId": "q1",
    "answer": [{"valueCoding": {"system": "urn:example:answers", "code": "yes"}}],
}


@pytest.mark.parametrize(
    ("case", "items", "message"),
    [
        ("answered twice", [RESPONSE_ITEM, {**RESPONSE_ITEM}], "'q1' is answered more than once"),
        ("two answers in one", [{"linkId": "q1", "answer": RESPONSE_ITEM["answer"] * 2}], "more than once"),
        ("answer without value", [{"linkId": "q1", "answer": [{"item": []}]}], "has no value"),
    ],
)
def test_a_loose_response_is_refused(case, items, message):
    instrument = fhir.questionnaire_to_instrument(GOOD)
    response = {"resourceType": "QuestionnaireResponse", "status": "completed", "item": items}
    with pytest.raises(DefinitionError, match=message):
        fhir.questionnaire_response_to_answers(instrument, response)


def api_upload(client, content: bytes, **fields):
    data = {"file": SimpleUploadedFile("def.json", content), **fields}
    return client.post(reverse("api-instrument-upload"), data)


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "content", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_loose_file_is_refused_by_the_api_with_the_same_message(client, personas, case, content, message):
    client.force_login(personas["admin"])
    response = api_upload(client, content)
    assert response.status_code == 400
    assert any(message in problem for problem in response.json()["errors"])
    assert not InstrumentDefinition.objects.exists()


@pytest.mark.django_db
def test_the_api_loads_a_good_file_for_the_clinic_admin_only(client, personas):
    client.force_login(personas["owner"].user)
    assert api_upload(client, json.dumps(GOOD).encode()).status_code == 404
    client.force_login(personas["admin"])
    response = api_upload(client, json.dumps(GOOD).encode(), version="clinic-7")
    assert response.status_code == 201 and response.json()["version"] == "clinic-7"
    assert InstrumentDefinition.objects.get().loaded_by == personas["admin"]
