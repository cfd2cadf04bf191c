"""Two more published questionnaires (HL7 SDC examples, CC0; see tests/fixtures/fhir/SOURCES.md):
one full of enableWhen, one LOINC-coded without scores."""

import json
from pathlib import Path

import pytest

from instruments import fhir
from instruments.library import DefinitionError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fhir"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8-sig"))


def test_the_enablewhen_example_is_refused_naming_its_external_answer_list():
    with pytest.raises(DefinitionError) as refused:
        fhir.questionnaire_import(load("hl7-sdc-enablewhen-questionnaire.json"))
    assert (
        "http://sqlonfhir-r4.azurewebsites.net/fhir/ValueSet/a015b6a1ac024dc19baec940be2c1695"
        in (refused.value.problems[0])
    )


def test_without_that_list_its_conditions_become_show_if_or_warnings():
    data = load("hl7-sdc-enablewhen-questionnaire.json")
    data["item"] = [group for group in data["item"] if group["text"] != "Scenario 2"]
    result = fhir.questionnaire_import(data)
    by_link = {i.link_id: i for i in result.instrument.items}
    q1 = by_link["83d5c1a6-5dc3-44d0-9d9e-d687c72e143e"]
    hidden_until_q1 = by_link["e5da17a7-7546-45c5-9bcd-d0b09a74cc14"]
    assert hidden_until_q1.show_if == {q1.key: 1}, "boolean true as the yes/no answer 1"
    # A condition Attune cannot express (">=", dates) leaves the item optional and always shown, with a warning.
    assert any("2.1" in w or ">=" in w or "condition" in w.lower() for w in result.warnings)
    assert by_link["e70a3a50-e646-4831-a00d-4d6fbdaajn84"].show_if is None


def test_the_hunger_vital_sign_keeps_its_loinc_item_and_answer_codes():
    instrument = fhir.questionnaire_import(load("hl7-sdc-hunger-vital-signs-questionnaire.json")).instrument
    assert instrument.code == "88121-9"
    first = instrument.items[0]
    assert first.code == "88122-7"
    assert [o.code for o in first.options] == ["LA28397-0", "LA6729-3", "LA28398-8", "LA15775-2"]
    assert {o.system for o in first.options} == {"http://loinc.org"}
    exported = fhir.instrument_to_questionnaire(instrument)
    assert fhir.questionnaire_to_instrument(exported) == instrument
