"""A questionnaire's texts are stored in the language it is written in (`Questionnaire.language`), with
its translations; English is taken from the translation, never from the German text."""

import pytest

from instruments import fhir
from instruments.library import DefinitionError

TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"


def translated(lang: str, text: str) -> dict:
    return {
        "extension": [
            {
                "url": TRANSLATION,
                "extension": [{"url": "lang", "valueCode": lang}, {"url": "content", "valueString": text}],
            }
        ]
    }


def _without_translations(node):
    if isinstance(node, dict):
        return {k: _without_translations(v) for k, v in node.items() if not k.startswith("_")}
    if isinstance(node, list):
        return [_without_translations(v) for v in node]
    return node


def german(with_english: bool = True) -> dict:
    if not with_english:
        return _without_translations(german())
    en = translated
    return {
        "resourceType": "Questionnaire",
        "status": "active",
        "language": "de-DE",
        "name": "stimmung",
        "title": "Stimmung",
        "_title": en("en", "Mood"),
        "item": [
            {
                "linkId": "q1",
                "text": "Wie geht es Ihnen?",
                "_text": en("en", "How are you?"),
                "type": "choice",
                "answerOption": [
                    {
                        "valueCoding": {
                            "system": "urn:example",
                            "code": "gut",
                            "display": "Gut",
                            "_display": en("en", "Well"),
                        },
                        "extension": [{"url": ORDINAL, "valueDecimal": 0}],
                    },
                    {
                        "valueCoding": {
                            "system": "urn:example",
                            "code": "schlecht",
                            "display": "Schlecht",
                            "_display": en("en", "Badly"),
                        },
                        "extension": [{"url": ORDINAL, "valueDecimal": 1}],
                    },
                ],
            }
        ],
    }


def test_german_text_is_stored_as_german_and_english_from_its_translation():
    instrument = fhir.questionnaire_to_instrument(german())
    assert instrument.title == {"de": "Stimmung", "en": "Mood"}
    item = instrument.items[0]
    assert item.text == {"de": "Wie geht es Ihnen?", "en": "How are you?"}
    assert [o.label for o in item.options] == [{"de": "Gut", "en": "Well"}, {"de": "Schlecht", "en": "Badly"}]


def test_it_survives_export_and_import():
    instrument = fhir.questionnaire_to_instrument(german())
    assert fhir.questionnaire_to_instrument(fhir.instrument_to_questionnaire(instrument)) == instrument


def test_a_german_only_questionnaire_is_refused_saying_english_is_missing():
    with pytest.raises(DefinitionError, match="written in 'de'.*no English translation"):
        fhir.questionnaire_to_instrument(german(with_english=False))
