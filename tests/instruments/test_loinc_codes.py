"""Every shipped PHQ-9 and GAD-7 item and answer carries its exact LOINC code, and import, export and
response scoring keep them. Where each code was checked is listed in docs/instruments.md ("LOINC codes")."""

import json

import pytest

from instruments import fhir
from instruments.library import builtin_instruments, builtin_versions
from instruments.scoring import score, validate_answers

LOINC = "http://loinc.org"
FREQUENCY = (("LA6568-5", 0), ("LA6569-3", 1), ("LA6570-1", 2), ("LA6571-9", 3))  # LL358-3
GAD7_ITEM2 = (("LA6568-5", 0), ("LA6569-3", 1), ("LA18938-3", 2), ("LA6571-9", 3))
DIFFICULTY = (("LA6572-7", 0), ("LA6573-5", 1), ("LA6575-0", 2), ("LA6574-3", 3))  # LL359-1

# (instrument, item key, LOINC item code, ((answer code, score), ...))
EXPECTED = [
    ("phq9", "item1", "44250-9", FREQUENCY),
    ("phq9", "item2", "44255-8", FREQUENCY),
    ("phq9", "item3", "44259-0", FREQUENCY),
    ("phq9", "item4", "44254-1", FREQUENCY),
    ("phq9", "item5", "44251-7", FREQUENCY),
    ("phq9", "item6", "44258-2", FREQUENCY),
    ("phq9", "item7", "44252-5", FREQUENCY),
    ("phq9", "item8", "44253-3", FREQUENCY),
    ("phq9", "item9", "44260-8", FREQUENCY),
    ("phq9", "difficulty", "69722-7", DIFFICULTY),
    ("gad7", "item1", "69725-0", FREQUENCY),
    ("gad7", "item2", "68509-9", GAD7_ITEM2),
    ("gad7", "item3", "69733-4", FREQUENCY),
    ("gad7", "item4", "69734-2", FREQUENCY),
    ("gad7", "item5", "69735-9", FREQUENCY),
    ("gad7", "item6", "69689-8", FREQUENCY),
    ("gad7", "item7", "69736-7", FREQUENCY),
    ("gad7", "difficulty", "69722-7", DIFFICULTY),
]
PANELS = {"phq9": ("44249-1", "44261-6"), "gad7": ("69737-5", "70274-6")}


@pytest.mark.parametrize(("key", "panel_and_total"), PANELS.items())
def test_each_shipped_panel_and_total_has_its_loinc_code(key, panel_and_total):
    instrument = builtin_instruments()[key]
    total = next(s for s in instrument.scales if s.key == "total")
    assert (instrument.code, total.code) == panel_and_total


@pytest.mark.parametrize(("key", "item_key", "code", "answers"), EXPECTED)
def test_each_shipped_item_and_answer_has_its_loinc_code_and_score(key, item_key, code, answers):
    item = builtin_instruments()[key].item(item_key)
    assert item.code == code
    assert tuple((o.code, o.value) for o in item.options) == answers
    assert {o.system for o in item.options} == {LOINC}


def test_every_shipped_item_is_in_the_table():
    for key in PANELS:
        listed = {item for k, item, _, _ in EXPECTED if k == key}
        assert listed == {i.key for i in builtin_instruments()[key].items}


def test_gad7_item2_third_answer_is_more_days_than_not_while_the_form_keeps_its_wording():
    option = builtin_instruments()["gad7"].item("item2").options[2]
    assert (option.code, option.display, option.label["en"]) == (
        "LA18938-3",
        "More days than not",
        "More than half the days",
    )
    # Version 1 is kept unchanged for the check-ins opened with it.
    assert builtin_versions()["gad7", "1"].item("item2").options[2].code == "LA6570-1"


@pytest.mark.parametrize("key", PANELS)
def test_export_and_import_keep_every_code(key):
    instrument = builtin_instruments()[key]
    exported = json.loads(json.dumps(fhir.instrument_to_questionnaire(instrument)))
    codings = {
        (item["code"][0]["code"], option["valueCoding"]["code"], option["valueCoding"]["display"])
        for item in exported["item"]
        for option in item.get("answerOption", [])
    }
    for k, _item_key, code, answers in EXPECTED:
        if k == key:
            assert {(code, answer) for answer, _ in answers} <= {(c, a) for c, a, _ in codings}
    if key == "gad7":
        assert ("68509-9", "LA18938-3", "More days than not") in codings
    assert fhir.questionnaire_to_instrument(exported) == instrument


def test_a_response_answering_gad7_item2_with_la18938_3_is_read_and_scored():
    gad7 = builtin_instruments()["gad7"]
    items = [
        {"linkId": f"item{n}", "answer": [{"valueCoding": {"system": LOINC, "code": "LA6569-3"}}]}
        for n in (1, 3, 4, 5, 6, 7)
    ]
    items.append({"linkId": "item2", "answer": [{"valueCoding": {"system": LOINC, "code": "LA18938-3"}}]})
    response = {"resourceType": "QuestionnaireResponse", "status": "completed", "item": items}
    answers, warnings = fhir.questionnaire_response_to_answers(gad7, response)
    assert warnings == [] and answers["item2"] == 2
    total = next(r for r in score(gad7, validate_answers(gad7, answers)) if r.scale == "total")
    assert total.value == 8  # six answers of 1 and item 2's 2
