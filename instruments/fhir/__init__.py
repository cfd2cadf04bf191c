"""FHIR R4 in and out: Questionnaire ⇄ Instrument, check-in → QuestionnaireResponse + score Observations.

Everything is checked with fhir.resources' R4B models (R4B's Questionnaire and QuestionnaireResponse
are R4's). Import is liberal about shape (nested groups, display items, contained answer lists,
enableWhen, codes) and strict about meaning: anything we cannot score faithfully is a DefinitionError
with a sentence an admin can act on, never a crash. Standard FHIR carries the portable parts; a few
`urn:attune:fhir:*` extensions carry what FHIR has no slot for (subscales, bands, reverse scoring),
so an Attune export re-imports exactly.

    common.py             extension URLs, checking, extension/translation/code helpers
    items_in.py           a Questionnaire's items → item drafts (options and their scores)
    questionnaire_in.py   Questionnaire → Instrument (recognised measures, keys, conditions, scales)
    questionnaire_out.py  Instrument → Questionnaire
    responses.py          QuestionnaireResponse → answers; check-in → Bundle with score Observations
    bundle_out.py         a whole episode → one Bundle (Patient, responses, score Observations)
    answer_lists.py       the LOINC answer lists shipped for answerValueSet by reference
"""

from instruments.fhir.bundle_out import client_to_bundle, episode_to_bundle
from instruments.fhir.common import EXT_ITEM_WEIGHT, EXT_MAX, EXT_MIN, EXT_ORDINAL, LOINC
from instruments.fhir.questionnaire_in import ImportResult, questionnaire_import, questionnaire_to_instrument
from instruments.fhir.questionnaire_out import instrument_to_questionnaire
from instruments.fhir.responses import checkin_to_questionnaire_response, questionnaire_response_to_answers

__all__ = [
    "EXT_ITEM_WEIGHT",
    "EXT_MAX",
    "EXT_MIN",
    "EXT_ORDINAL",
    "LOINC",
    "ImportResult",
    "checkin_to_questionnaire_response",
    "client_to_bundle",
    "episode_to_bundle",
    "instrument_to_questionnaire",
    "questionnaire_import",
    "questionnaire_response_to_answers",
    "questionnaire_to_instrument",
]
