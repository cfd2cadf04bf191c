"""Instrument → FHIR R4 Questionnaire. Standard FHIR carries the portable parts; the Attune extensions
carry the rest (keys, reverse scoring, anchors, help, subscales, bands), so an export re-imports exactly."""

import json
import re
from typing import Any

from fhir.resources.R4B.questionnaire import Questionnaire

from instruments.fhir.common import (
    ATTUNE_INSTRUMENT,
    ATTUNE_ITEM,
    ATTUNE_OPTION_LABEL,
    ATTUNE_SCALE,
    EXT_CALCULATED,
    EXT_MAX,
    EXT_MIN,
    EXT_ORDINAL,
    LOINC,
    canonical,
    link,
    option_coding,
    slug,
    translation_ext,
    validate,
)
from instruments.schemas import Instrument, Item, Scale


def instrument_to_questionnaire(instrument: Instrument) -> dict:
    """An Instrument → a FHIR R4 Questionnaire (a JSON-ready dict, checked with fhir.resources)."""
    by_key = {i.key: i for i in instrument.items}
    items: list[dict] = []
    if instrument.intro:
        items.append(_intro_item(instrument.intro))
    items += [_question_item(instrument, item, by_key) for item in instrument.items]
    items += [_scale_item(scale, by_key) for scale in instrument.scales]
    meta = {
        "key": instrument.key,
        "kind": instrument.kind,
        "pillar": instrument.pillar,
        "validated": instrument.validated,
        "attribution": instrument.attribution,
        "licence": instrument.licence,
    }
    questionnaire: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": slug(f"{instrument.key}-{instrument.version}").replace("_", "-")[:64],
        "url": canonical(instrument),
        "version": instrument.version,
        "name": re.sub(r"[^A-Za-z0-9_]", "_", instrument.key),
        "title": instrument.title["en"],
        "status": "active",
        "language": "en",
        "subjectType": ["Patient"],
        "extension": [{"url": ATTUNE_INSTRUMENT, "valueString": json.dumps(meta, ensure_ascii=False)}],
        "item": items,
    }
    if translated := translation_ext(instrument.title):
        questionnaire["_title"] = translated
    if instrument.code:
        questionnaire["code"] = [{"system": LOINC, "code": instrument.code}]
    copyright_text = " ".join(t for t in (instrument.licence, instrument.attribution) if t)
    if copyright_text:
        questionnaire["copyright"] = copyright_text
    validate(Questionnaire, questionnaire, "Exported Questionnaire")
    return questionnaire


def _intro_item(intro: dict[str, str]) -> dict:
    item: dict[str, Any] = {"linkId": "intro", "type": "display", "text": intro["en"]}
    if translated := translation_ext(intro):
        item["_text"] = translated
    return item


def _question_item(instrument: Instrument, item: Item, by_key: dict[str, Item]) -> dict:
    out: dict[str, Any] = {"linkId": link(item), "text": item.text["en"], "required": item.required}
    if translated := translation_ext(item.text):
        out["_text"] = translated
    if item.code:
        out["code"] = [{"system": LOINC, "code": item.code}]
    out["extension"] = [
        {"url": ATTUNE_ITEM, "valueString": json.dumps(_attune_item(item), ensure_ascii=False)}
    ]
    if item.type == "choice":
        out["type"] = "choice"
        out["answerOption"] = [_answer_option(instrument, item, option) for option in item.options]
    elif item.type == "yesno":
        out["type"] = "boolean"
    elif item.type == "text":
        out["type"] = "text"
        out["maxLength"] = item.max_length
    else:
        out["type"] = "integer"
        out["extension"] += [
            {"url": EXT_MIN, "valueInteger": item.min},
            {"url": EXT_MAX, "valueInteger": item.max},
        ]
    if item.show_if:
        out["enableWhen"] = [
            _enable_when(instrument, by_key[other_key], value) for other_key, value in item.show_if.items()
        ]
        out["enableBehavior"] = "all"
    return out


def _attune_item(item: Item) -> dict:
    """What FHIR has no slot for: the item's key, reverse scoring, safety item, anchors and help."""
    pairs = (("reverse", item.reverse), ("safety", item.safety), ("key", item.key))
    attune: dict[str, Any] = {k: v for k, v in pairs if v}
    if item.anchors:
        attune["anchors"] = item.anchors
    if item.help:
        attune["help"] = item.help
    return attune


def _answer_option(instrument: Instrument, item: Item, option) -> dict:
    """A choice as a coding whose ordinalValue is its score."""
    coding = option_coding(instrument, item, option)
    if translated := translation_ext(option.label):
        coding["_display"] = translated
    extensions: list[dict] = [{"url": EXT_ORDINAL, "valueDecimal": option.value}]
    if option.display:
        # The coding shows the code's own display; the words people read travel beside it.
        extensions.append({"url": ATTUNE_OPTION_LABEL, "valueString": option.label["en"]})
    return {"valueCoding": coding, "extension": extensions}


def _enable_when(instrument: Instrument, other: Item, value: int) -> dict:
    """show_if's "{other item}: value" as one enableWhen rule."""
    rule: dict[str, Any] = {"question": link(other), "operator": "="}
    if other.type == "yesno":
        rule["answerBoolean"] = bool(value)
    elif other.type == "choice":
        option = next(o for o in other.options if o.value == value)
        rule["answerCoding"] = option_coding(instrument, other, option)
    else:
        rule["answerInteger"] = value
    return rule


def _scale_item(scale: Scale, by_key: dict[str, Item]) -> dict:
    """A scale as a read-only item with the SDC calculation (for other systems) and the scale itself
    (for Attune, which always recomputes scores from the answers)."""
    links = [link(by_key[k]) for k in scale.items]
    ordinal = " | ".join(
        f"%resource.item.descendants().where(linkId='{link_id}').answer.value" for link_id in links
    )
    calc: dict[str, Any] = {
        "linkId": f"score-{scale.key}",
        "text": scale.label["en"],
        "type": "decimal",
        "readOnly": True,
        "extension": [
            {
                "url": EXT_CALCULATED,
                "valueExpression": {
                    "language": "text/fhirpath",
                    "expression": f"({ordinal}).ordinal().{'sum()' if scale.method == 'sum' else 'avg()'}",
                },
            },
            {"url": ATTUNE_SCALE, "valueString": scale.model_dump_json(exclude_none=True)},
        ],
    }
    if scale.code:
        calc["code"] = [{"system": LOINC, "code": scale.code}]
    return calc
