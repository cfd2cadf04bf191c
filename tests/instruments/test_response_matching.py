"""Responses whose linkIds differ from the questionnaire's are matched by LOINC item code; in strict mode
anything unmatched is refused with the list of it, never an empty or silently partial answer set."""

import pytest

from instruments import fhir
from instruments.library import DefinitionError, get_instrument
from instruments.scoring import score, validate_answers

LOINC = "http://loinc.org"
PHQ9 = get_instrument("phq9", "1")
CODES = [PHQ9.item(f"item{n}").code for n in range(1, 10)]


def response(link_ids: list[str], code: str = "LA6569-3") -> dict:
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "item": [
            {"linkId": link_id, "answer": [{"valueCoding": {"system": LOINC, "code": code}}]}
            for link_id in link_ids
        ],
    }


def their_phq9(link_ids: list[str]):
    """The questionnaire another system wrote its responses against: same LOINC codes, other linkIds."""
    items = tuple(
        i.model_copy(update={"link_id": link_id}) for i, link_id in zip(PHQ9.items, link_ids, strict=False)
    )
    return PHQ9.model_copy(update={"items": items + PHQ9.items[len(link_ids) :]})


@pytest.mark.parametrize(
    ("case", "link_ids", "source"),
    [
        ("LOINC codes as linkIds (LHC-Forms)", [f"/{c}" for c in CODES], None),
        ("bare LOINC codes as linkIds", CODES, None),
        ("other linkIds, codes from their questionnaire", [f"PHQ.{n}" for n in range(1, 10)], "PHQ."),
    ],
)
def test_answers_are_matched_by_loinc_code_and_scored(case, link_ids, source):
    source_instrument = their_phq9(link_ids) if source else None
    answers, warnings = fhir.questionnaire_response_to_answers(
        PHQ9, response(link_ids), source=source_instrument, strict=True
    )
    assert warnings == []
    assert answers == {f"item{n}": 1 for n in range(1, 10)}
    (total,) = [
        r for r in score(PHQ9, validate_answers(PHQ9, {**answers, "difficulty": 0})) if r.scale == "total"
    ]
    assert total.value == 9


def test_unmatched_answers_are_refused_with_the_list_of_them():
    link_ids = [f"PHQ-9.{n}" for n in range(1, 10)]  # no questionnaire to say what they mean
    with pytest.raises(DefinitionError) as refused:
        fhir.questionnaire_response_to_answers(PHQ9, response(link_ids), strict=True)
    assert "'PHQ-9.1'" in refused.value.problems[-1] and "'PHQ-9.9'" in refused.value.problems[-1]


def test_an_answer_code_that_is_not_an_option_is_refused_in_strict_mode():
    with pytest.raises(DefinitionError, match="not one of its options"):
        fhir.questionnaire_response_to_answers(PHQ9, response(["item1"], code="LA9999-9"), strict=True)
