"""FHIR R4: the shared real-world files, round trips, and questionnaires we have never seen."""

import copy
import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire

from care.models import CheckIn, Session
from instruments import fhir
from instruments.library import DefinitionError, builtin_instruments, get_instrument
from instruments.scoring import score, validate_answers
from tests.care.factories import CheckInFactory, SessionFactory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fhir"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_hl7_phq9_imports_as_phq9_with_safety_item_and_loinc_total():
    result = fhir.questionnaire_import(load("hl7-sdc-phq9-questionnaire.json"))
    phq9 = result.instrument
    # Recognised by its LOINC total (44261-6): the built-in keys, bands and codes apply
    assert phq9.key == "phq9"
    assert [i.key for i in phq9.items] == [f"item{n}" for n in range(1, 10)]
    assert phq9.item("item9").text["en"].startswith("Thoughts that you would be better off dead")
    assert phq9.scales[0].code == "44261-6" and len(phq9.scales[0].bands) == 5
    assert [o.value for o in phq9.item("item1").options] == [0, 1, 2, 3]
    assert phq9.item("item1").link_id == "H1/T1/Q1"


def test_hl7_response_scores_10_from_its_answers_not_the_13_it_claims():
    phq9 = fhir.questionnaire_to_instrument(load("hl7-sdc-phq9-questionnaire.json"))
    raw, warnings = fhir.questionnaire_response_to_answers(
        phq9, load("hl7-sdc-phq9-questionnaireresponse.json")
    )
    assert raw == {
        "item1": 0, "item2": 0, "item3": 0, "item4": 1, "item5": 2,
        "item6": 1, "item7": 3, "item8": 2, "item9": 1,
    }  # fmt: skip
    (total,) = score(phq9, validate_answers(phq9, raw))
    assert (total.value, total.band) == (10, "moderate")
    assert any("H1/TS" in w for w in warnings)  # the stored total is read as nothing


def test_researchkit_gad7_imports_with_uuid_links_and_a_total():
    plain = fhir.questionnaire_to_instrument(load("researchkitonfhir-gad7-questionnaire.json"))
    assert plain.key == "generalized_anxiety_disorder_7" and len(plain.items) == 7
    assert plain.scales[0].items == tuple(i.key for i in plain.items)
    # Loaded under the GAD-7 key, it takes the built-in item keys, bands and LOINC total
    gad7 = fhir.questionnaire_to_instrument(load("researchkitonfhir-gad7-questionnaire.json"), key="gad7")
    assert [i.key for i in gad7.items] == [f"item{n}" for n in range(1, 8)]
    assert gad7.item("item1").link_id == "2bab9480-5251-4997-8a2e-937a1701cfe9"
    (total,) = score(
        gad7,
        validate_answers(gad7, dict(zip([i.key for i in gad7.items], [3, 0, 1, 2, 0, 0, 1], strict=True))),
    )
    assert (total.value, total.band, gad7.scales[0].code) == (7, "mild", "70274-6")


@pytest.mark.parametrize("key", [k for k, i in builtin_instruments().items() if not i.is_shell])
def test_every_shipped_instrument_round_trips_through_a_questionnaire(key):
    instrument = builtin_instruments()[key]
    exported = fhir.instrument_to_questionnaire(instrument)
    Questionnaire.model_validate(exported)
    assert fhir.questionnaire_to_instrument(json.loads(json.dumps(exported))) == instrument


def test_imported_fixture_round_trips_and_keeps_source_link_ids():
    first = fhir.questionnaire_to_instrument(load("hl7-sdc-phq9-questionnaire.json"))
    exported = fhir.instrument_to_questionnaire(first)
    assert [i["linkId"] for i in exported["item"] if i["type"] == "choice"][:2] == ["H1/T1/Q1", "H1/T1/Q2"]
    assert fhir.questionnaire_to_instrument(exported) == first


def test_phq9_export_is_loinc_coded_with_ordinal_values():
    exported = fhir.instrument_to_questionnaire(get_instrument("phq9"))
    assert exported["code"] == [{"system": "http://loinc.org", "code": "44249-1"}]
    item9 = next(i for i in exported["item"] if i["linkId"] == "item9")
    assert item9["code"][0]["code"] == "44260-8"
    first = item9["answerOption"][0]
    assert first["valueCoding"]["code"] == "LA6568-5"
    assert first["extension"] == [{"url": fhir.EXT_ORDINAL, "valueDecimal": 0}]
    total = next(i for i in exported["item"] if i["linkId"] == "score-total")
    assert total["code"][0]["code"] == "44261-6" and total["readOnly"] is True


# --- questionnaires we have never seen -----------------------------------------------------------


def questionnaire(*items, **extra) -> dict:
    return {
        "resourceType": "Questionnaire",
        "status": "active",
        "title": "Unseen",
        "item": list(items),
        **extra,
    }


def option(code: str, weight, url=fhir.EXT_ORDINAL) -> dict:
    return {
        "valueCoding": {"system": "urn:x", "code": code, "display": code.title()},
        "extension": [{"url": url, "valueDecimal": weight}],
    }


def test_nested_groups_item_weight_enable_when_and_display_items():
    data = questionnaire(
        {"linkId": "intro", "type": "display", "text": "Please answer."},
        {
            "linkId": "g1",
            "type": "group",
            "item": [
                {
                    "linkId": "g1.sub",
                    "type": "group",
                    "item": [
                        {"linkId": "mood", "type": "choice", "required": True, "code": [{"system": "http://loinc.org", "code": "1-1"}],
                         "answerOption": [option("low", 2, fhir.EXT_ITEM_WEIGHT), option("ok", 0, fhir.EXT_ITEM_WEIGHT)]},
                        {"linkId": "smoke", "type": "boolean", "required": True},
                        {"linkId": "how-much", "type": "choice", "required": True,
                         "enableWhen": [{"question": "smoke", "operator": "=", "answerBoolean": True}],
                         "answerOption": [{"valueString": "Some"}, {"valueString": "Lots"}]},
                        {"linkId": "why", "type": "string",
                         "enableWhen": [{"question": "mood", "operator": "=", "answerCoding": {"system": "urn:x", "code": "low"}}]},
                    ],
                }
            ],
        },
    )  # fmt: skip
    result = fhir.questionnaire_import(data)
    instrument = result.instrument
    assert instrument.intro == {"en": "Please answer."}
    assert [i.key for i in instrument.items] == ["mood", "smoke", "how_much", "why"]
    assert instrument.item("mood").code == "1-1"
    assert instrument.item("how_much").show_if == {"smoke": 1}
    assert instrument.item("why").show_if == {"mood": 2}
    assert instrument.scales[0].items == ("mood",)
    # and the show_if logic works on answers: no smoking, no "how much" needed
    assert validate_answers(instrument, {"mood": 0, "smoke": 0}) == {"mood": 0, "smoke": 0}


def test_conditions_we_cannot_express_make_the_item_optional_with_a_warning():
    data = questionnaire(
        {"linkId": "a", "type": "integer", "required": True,
         "extension": [{"url": fhir.EXT_MIN, "valueInteger": 0}, {"url": fhir.EXT_MAX, "valueInteger": 10}]},
        {"linkId": "b", "type": "text", "required": True,
         "enableWhen": [{"question": "a", "operator": ">", "answerInteger": 5}]},
    )  # fmt: skip
    result = fhir.questionnaire_import(data)
    assert result.instrument.item("a").type == "scale"
    assert result.instrument.item("b").required is False
    assert any("display condition" in w for w in result.warnings)


def test_unresolvable_answer_value_set_is_a_clear_error():
    data = questionnaire(
        {"linkId": "q1", "type": "choice", "required": True, "answerValueSet": "http://loinc.org/vs/LL9999-9"}
    )
    with pytest.raises(DefinitionError) as caught:
        fhir.questionnaire_import(data)
    # (LOINC lists Attune ships, such as LL358-3, resolve: tests/instruments/test_answer_lists.py)
    assert "LL9999-9" in caught.value.problems[0] and "not inside this file" in caught.value.problems[0]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda q: q.update(resourceType="Patient"), "not a FHIR Questionnaire"),
        (lambda q: q["item"][0].update(linkId=12), "linkId"),
        (lambda q: q.update(item=[]), "no questions"),
        (lambda q: q["item"][0].update(type="date", required=True), "cannot ask"),
        (lambda q: q["item"][0]["answerOption"][0]["extension"][0].update(valueDecimal=1.5), "whole number"),
        (lambda q: q["item"][0]["answerOption"][0].pop("extension"), "some answers carry a score"),
        (lambda q: q["item"][0].update(answerOption=[]), "no answers"),
        (lambda q: q["item"][0]["answerOption"][1]["extension"][0].update(valueDecimal=1), "same score"),
    ],
)
def test_bad_questionnaires_are_refused_with_a_sentence(mutate, message):
    data = questionnaire(
        {"linkId": "q1", "type": "choice", "required": True, "answerOption": [option("a", 1), option("b", 2)]}
    )
    data = copy.deepcopy(data)
    mutate(data)
    with pytest.raises(DefinitionError) as caught:
        fhir.questionnaire_import(data)
    assert message.lower() in " ".join(caught.value.problems).lower()


def test_unsupported_optional_items_are_left_out_with_a_warning():
    data = questionnaire(
        {"linkId": "when", "type": "date"},
        {"linkId": "ok", "type": "boolean", "required": True},
    )
    result = fhir.questionnaire_import(data)
    assert [i.key for i in result.instrument.items] == ["ok"]
    assert any("'when'" in w for w in result.warnings)


def test_phq9_look_alike_without_nine_items_is_refused_rather_than_miskeyed():
    data = questionnaire(
        {
            "linkId": "q1",
            "type": "choice",
            "required": True,
            "answerOption": [option("a", 0), option("b", 1)],
        },
        code=[{"system": "http://loinc.org", "code": "44249-1"}],
    )
    with pytest.raises(DefinitionError, match="item1"):
        fhir.questionnaire_import(data)


# --- check-in → Bundle ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_checkin_bundle_has_responses_and_loinc_score_observations():
    session = SessionFactory(number=1, attendance=Session.Attendance.ATTENDED)
    phq9 = {f"item{n}": v for n, v in enumerate([3, 0, 1, 2, 0, 0, 1, 0, 3], start=1)}
    gad7 = {f"item{n}": v for n, v in enumerate([3, 0, 1, 2, 0, 0, 1], start=1)}
    checkin = CheckInFactory(
        session=session,
        status=CheckIn.Status.SUBMITTED,
        submitted_at=session.scheduled_end,
        instrument_versions={"phq9": "1", "gad7": "1", "closing": "1"},
        answers={"phq9": phq9, "gad7": gad7, "closing": {"note": "<b>hello</b>"}},
    )
    bundle = fhir.checkin_to_questionnaire_response(checkin)
    Bundle.model_validate(bundle)
    resources = [e["resource"] for e in bundle["entry"]]
    responses = [r for r in resources if r["resourceType"] == "QuestionnaireResponse"]
    observations = {
        o["code"]["coding"][0]["code"]: o for o in resources if o["resourceType"] == "Observation"
    }
    assert len(responses) == 3
    assert observations["44261-6"]["valueQuantity"]["value"] == 10
    assert observations["44261-6"]["interpretation"] == [{"text": "moderate"}]
    assert observations["70274-6"]["valueQuantity"]["value"] == 7
    # The client appears only by pseudonymous reference
    text = json.dumps(bundle)
    client = session.episode.client
    assert client.reference in text and client.family_name not in text
    # and the PHQ-9 response reads back to the same answers
    phq9_response = next(r for r in responses if "phq9" in r["questionnaire"])
    assert fhir.questionnaire_response_to_answers(get_instrument("phq9"), phq9_response)[0] == phq9
