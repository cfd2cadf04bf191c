"""A published questionnaire whose answers are LOINC answer lists named by reference loads; an unknown
external list is refused with a message naming it."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from instruments import fhir
from instruments.library import DefinitionError, builtin_instruments
from instruments.models import InstrumentDefinition

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fhir"


def phq9_with_answers_by(reference: str) -> dict:
    """The HL7 SDC PHQ-9, its contained answer list replaced by a reference to LOINC's list."""
    data = json.loads((FIXTURES / "hl7-sdc-phq9-questionnaire.json").read_text())
    data.pop("contained", None)
    text = json.dumps(data).replace('"#VSPHQ9"', json.dumps(reference))
    return json.loads(text)


@pytest.mark.parametrize(
    "reference", ["http://loinc.org/vs/LL358-3", "LL358-3", "http://loinc.org/vs/LL358-3|2.77"]
)
def test_a_phq9_whose_answers_are_loincs_ll358_3_by_reference_loads_with_loinc_codes_and_scores(reference):
    result = fhir.questionnaire_import(phq9_with_answers_by(reference))
    instrument = result.instrument
    assert instrument.key == "phq9", "recognised by its LOINC codes"
    shipped = builtin_instruments()["phq9"].item("item1").options
    for key in [f"item{n}" for n in range(1, 10)]:
        options = instrument.item(key).options
        assert [(o.code, o.value, o.system) for o in options] == [
            (o.code, o.value, o.system) for o in shipped
        ]


@pytest.mark.django_db
def test_the_command_loads_it_and_refuses_an_unknown_list_naming_it(tmp_path, personas):
    good = tmp_path / "phq9.json"
    good.write_text(json.dumps(phq9_with_answers_by("http://loinc.org/vs/LL358-3")))
    call_command("load_instrument", str(good), clinic=personas["clinic"].pk, definition_version="loinc-1")
    assert InstrumentDefinition.objects.get().version == "loinc-1"

    unknown = tmp_path / "other.json"
    unknown.write_text(json.dumps(phq9_with_answers_by("http://example.org/fhir/ValueSet/frequency")))
    with pytest.raises(CommandError, match="http://example.org/fhir/ValueSet/frequency"):
        call_command("load_instrument", str(unknown), clinic=personas["clinic"].pk, definition_version="x")
    assert InstrumentDefinition.objects.count() == 1


def test_the_difficulty_list_ll359_1_resolves_too():
    data = {
        "resourceType": "Questionnaire",
        "status": "active",
        "name": "difficulty",
        "title": "Difficulty",
        "item": [{"linkId": "d", "text": "How difficult?", "type": "choice", "answerValueSet": "LL359-1"}],
    }
    item = fhir.questionnaire_to_instrument(data).items[0]
    assert [o.code for o in item.options] == ["LA6572-7", "LA6573-5", "LA6575-0", "LA6574-3"]


def test_an_unknown_list_is_named_in_the_error():
    data = phq9_with_answers_by("LL9999-9")
    with pytest.raises(DefinitionError, match="LL9999-9"):
        fhir.questionnaire_import(data)
