"""FHIR R4 in and out: Questionnaire ⇄ Instrument, check-in → QuestionnaireResponse + score Observations.

Everything is checked with fhir.resources' R4B models (R4B's Questionnaire and QuestionnaireResponse
are R4's). Import is liberal about shape (nested groups, display items, contained answer lists,
enableWhen, codes) and strict about meaning: anything we cannot score faithfully is a DefinitionError
with a sentence an admin can act on, never a crash. Standard FHIR carries the portable parts; a few
`urn:attune:fhir:*` extensions carry what FHIR has no slot for (subscales, bands, reverse scoring),
so an Attune export re-imports exactly."""

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from instruments.library import DefinitionError, builtin_instruments, get_instrument, instrument_from_data
from instruments.schemas import Instrument, Item
from instruments.scoring import score

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
EXT_ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
EXT_ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"
EXT_CO_VALUE = "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value"
EXT_MIN = "http://hl7.org/fhir/StructureDefinition/minValue"
EXT_MAX = "http://hl7.org/fhir/StructureDefinition/maxValue"
EXT_TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
EXT_CALCULATED = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
SCORE_EXTENSIONS = (EXT_ORDINAL, EXT_ITEM_WEIGHT, EXT_CO_VALUE)
ATTUNE_INSTRUMENT = "urn:attune:fhir:instrument"
ATTUNE_ITEM = "urn:attune:fhir:item"
ATTUNE_SCALE = "urn:attune:fhir:scale"
CLIENT_REFERENCE_SYSTEM = "urn:attune:client-reference"
UNSUPPORTED_TYPES = {"date", "dateTime", "time", "url", "attachment", "reference", "quantity", "decimal"}
_NAMESPACE = uuid.UUID("4b0f6b0e-2a55-4d52-9a37-6f7b8b0f1c11")


# ---------------------------------------------------------------------------------------------- helpers


def _validate(model, data: dict, what: str):
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = [
            f"{what} {'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in error.errors()[:8]
        ]
        raise DefinitionError(problems) from error
    except (TypeError, ValueError, KeyError, RecursionError) as error:
        raise DefinitionError([f"{what} could not be read: {str(error)[:200]}"]) from error


def _ext(element: dict | None, url: str) -> dict | None:
    for extension in (element or {}).get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == url:
            return extension
    return None


def _ext_value(element: dict | None, url: str) -> Any:
    extension = _ext(element, url)
    if extension is None:
        return None
    for name, value in extension.items():
        if name.startswith("value"):
            return value
    return None


def _translations(element: dict | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for extension in (element or {}).get("extension") or []:
        if not isinstance(extension, dict) or extension.get("url") != EXT_TRANSLATION:
            continue
        parts = {p.get("url"): p for p in extension.get("extension") or [] if isinstance(p, dict)}
        lang = (parts.get("lang") or {}).get("valueCode")
        content = (parts.get("content") or {}).get("valueString")
        if lang and content:
            found[lang.split("-")[0].lower()] = content
    return found


def _local_text(text: str | None, extension_holder: dict | None, fallback: str) -> dict[str, str]:
    result = {"en": (text or "").strip() or fallback}
    for lang, content in _translations(extension_holder).items():
        if lang != "en":
            result[lang] = content
    return result


def _translation_ext(text: dict[str, str]) -> dict | None:
    others = [
        {
            "url": EXT_TRANSLATION,
            "extension": [{"url": "lang", "valueCode": lang}, {"url": "content", "valueString": content}],
        }
        for lang, content in sorted(text.items())
        if lang != "en" and content
    ]
    return {"extension": others} if others else None


def _slug(text: str, limit: int = 64) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return slug[:limit].strip("_")


def _first_code(codings: list | None, prefer_system: str = LOINC) -> str | None:
    codings = [c for c in codings or [] if isinstance(c, dict) and c.get("code")]
    for coding in codings:
        if coding.get("system") == prefer_system:
            return coding["code"]
    return codings[0]["code"] if codings else None


def _whole_number(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DefinitionError([f"{where}: the score {value!r} is not a number."])
    if value != int(value):
        raise DefinitionError(
            [f"{where}: the score {value:g} is not a whole number; Attune scores whole numbers."]
        )
    return int(value)


# ----------------------------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    instrument: Instrument
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Draft:
    """An item on its way from FHIR to Attune, before keys and conditions are settled."""

    link_id: str
    data: dict
    scored: bool
    enable_when: list = field(default_factory=list)
    enable_behavior: str | None = None
    attune: dict = field(default_factory=dict)


def _contained_value_sets(questionnaire: dict) -> dict[str, dict]:
    return {
        f"#{r['id']}": r
        for r in questionnaire.get("contained") or []
        if isinstance(r, dict) and r.get("resourceType") == "ValueSet" and r.get("id")
    }


def _value_set_options(value_set: dict) -> list[dict]:
    """Turn a contained ValueSet's concepts (compose or expansion) into answerOption-like dicts."""
    options = []
    for include in (value_set.get("compose") or {}).get("include") or []:
        for concept in include.get("concept") or []:
            options.append(
                {
                    "valueCoding": {
                        "system": include.get("system"),
                        "code": concept.get("code"),
                        "display": concept.get("display"),
                        "_display": concept.get("_display"),
                    },
                    "extension": concept.get("extension") or [],
                }
            )
    for contains in (value_set.get("expansion") or {}).get("contains") or []:
        options.append(
            {
                "valueCoding": {k: contains.get(k) for k in ("system", "code", "display")},
                "extension": contains.get("extension") or [],
            }
        )
    return options


def _options(item: dict, value_sets: dict[str, dict], where: str) -> tuple[list[dict], bool]:
    """Options for a choice item and whether they carry scores."""
    raw = item.get("answerOption") or []
    if not raw and item.get("answerValueSet"):
        reference = item["answerValueSet"]
        value_set = value_sets.get(reference)
        if value_set is None:
            raise DefinitionError(
                [
                    f"{where}: its answers come from the answer list {reference}, which is not inside this "
                    "file. Export the questionnaire with its answers inline (answerOption) or the list "
                    "contained, then load it again."
                ]
            )
        raw = _value_set_options(value_set)
    if not raw:
        raise DefinitionError([f"{where}: a choice question with no answers to choose from."])
    scores = []
    for option in raw:
        ordinal = None
        for url in SCORE_EXTENSIONS:
            ordinal = _ext_value(option, url)
            if ordinal is None:
                ordinal = _ext_value(option.get("valueCoding"), url)
            if ordinal is not None:
                break
        scores.append(ordinal)
    scored = any(s is not None for s in scores)
    if scored and any(s is None for s in scores):
        raise DefinitionError([f"{where}: some answers carry a score (ordinalValue) and some do not."])
    options = []
    for position, (option, ordinal) in enumerate(zip(raw, scores, strict=True)):
        if "valueCoding" in option:
            coding = option["valueCoding"] or {}
            label = coding.get("display") or coding.get("code") or f"Answer {position + 1}"
            holder = coding.get("_display")
            code, system = coding.get("code"), coding.get("system")
            if str(system).startswith("urn:attune:instrument:"):
                code, system = None, None  # our own stand-in coding, not a real code
        elif "valueString" in option:
            label, holder, code, system = option["valueString"], option.get("_valueString"), None, None
        elif "valueInteger" in option:
            label, holder, code, system = str(option["valueInteger"]), None, None, None
            if ordinal is None:
                ordinal = option["valueInteger"]
        else:
            kinds = sorted(k for k in option if k.startswith("value"))
            raise DefinitionError([f"{where}: answers of kind {kinds} cannot be offered as choices."])
        value = _whole_number(ordinal, where) if ordinal is not None else position
        options.append(
            {
                "value": value,
                "label": _local_text(label, holder, f"Answer {position + 1}"),
                "code": code,
                "system": system,
            }
        )
    values = [o["value"] for o in options]
    if len(values) != len(set(values)):
        raise DefinitionError(
            [f"{where}: two answers carry the same score; Attune needs one score per answer."]
        )
    return options, scored or any("valueInteger" in o for o in raw)


def _walk(
    items: list, value_sets: dict, drafts: list[_Draft], totals: list[dict], notes: dict, depth: int = 0
):
    if depth > 20:
        raise DefinitionError(["Groups are nested more than 20 deep."])
    for item in items or []:
        if not isinstance(item, dict):
            continue
        link_id = str(item.get("linkId") or "")
        kind = item.get("type")
        where = f"Question {link_id!r}"
        text = item.get("text")
        attune = json.loads(_ext_value(item, ATTUNE_ITEM) or "{}")
        if kind == "group":
            if text and depth == 0 and not notes.get("intro"):
                notes["intro"] = _local_text(text, item.get("_text"), "")
            _walk(item.get("item"), value_sets, drafts, totals, notes, depth + 1)
            continue
        if kind == "display":
            if text and not notes.get("intro"):
                notes["intro"] = _local_text(text, item.get("_text"), "")
            continue
        calculated = _ext(item, EXT_CALCULATED) is not None or _ext(item, ATTUNE_SCALE) is not None
        if calculated or (item.get("readOnly") and kind in {"integer", "decimal", "quantity"}):
            totals.append(item)
            continue
        base = {
            "text": _local_text(text, item.get("_text"), link_id),
            "required": bool(item.get("required")),
            "code": _first_code(item.get("code")),
            "link_id": link_id,
        }
        if kind in {"choice", "open-choice", "coding"}:
            options, scored = _options(item, value_sets, where)
            if kind == "open-choice":
                notes["warnings"].append(
                    f"{where}: free-typed answers are not offered; only the listed ones."
                )
            data = {**base, "type": "choice", "options": options}
        elif kind == "boolean":
            data, scored = {**base, "type": "yesno"}, False
        elif kind in {"string", "text"}:
            data, scored = {**base, "type": "text"}, False
            if isinstance(item.get("maxLength"), int) and item["maxLength"] > 0:
                data["max_length"] = item["maxLength"]
        elif kind == "integer" and _ext(item, EXT_MIN) and _ext(item, EXT_MAX):
            low = _whole_number(_ext_value(item, EXT_MIN), where)
            high = _whole_number(_ext_value(item, EXT_MAX), where)
            data, scored = {**base, "type": "scale", "min": low, "max": high}, False
        else:
            detail = "an integer without minValue/maxValue" if kind == "integer" else f"of type {kind!r}"
            if item.get("required"):
                raise DefinitionError(
                    [f"{where} is {detail}, which Attune cannot ask yet, and it is required."]
                )
            notes["warnings"].append(f"{where} ({detail}) was left out: Attune cannot ask it yet.")
            _walk(item.get("item"), value_sets, drafts, totals, notes, depth + 1)
            continue
        for name in ("reverse", "anchors", "help"):
            if name in attune:
                data[name] = attune[name]
        drafts.append(
            _Draft(
                link_id=link_id,
                data=data,
                scored=scored,
                enable_when=item.get("enableWhen") or [],
                enable_behavior=item.get("enableBehavior"),
                attune=attune,
            )
        )
        # Questions nested under a question are still questions.
        _walk(item.get("item"), value_sets, drafts, totals, notes, depth + 1)


def _show_if(draft: _Draft, by_link: dict[str, _Draft]) -> dict[str, int] | None:
    """enableWhen → show_if, when it is a plain "all of these answers equal …"; None when it can't be."""
    if len(draft.enable_when) > 1 and draft.enable_behavior not in (None, "all"):
        return None
    condition: dict[str, int] = {}
    for rule in draft.enable_when:
        other = by_link.get(str(rule.get("question")))
        if other is None or rule.get("operator") != "=":
            return None
        if "answerBoolean" in rule and other.data["type"] == "yesno":
            condition[other.data["key"]] = 1 if rule["answerBoolean"] else 0
        elif "answerCoding" in rule and other.data["type"] == "choice":
            wanted = rule["answerCoding"] or {}
            match = [
                o["value"]
                for o in other.data["options"]
                if o["code"] == wanted.get("code")
                and (not wanted.get("system") or o["system"] == wanted["system"])
            ]
            if not match:
                return None
            condition[other.data["key"]] = match[0]
        elif "answerInteger" in rule and other.data["type"] in {"scale", "choice"}:
            condition[other.data["key"]] = rule["answerInteger"]
        else:
            return None
    return condition


def _recognise(
    questionnaire: dict, drafts: list[_Draft], totals: list[dict], key: str | None
) -> Instrument | None:
    """The built-in validated measure this questionnaire is (PHQ-9, GAD-7): by LOINC panel, total or
    item codes, or because the admin loaded it under that measure's key."""
    codes = {c.get("code") for c in questionnaire.get("code") or [] if isinstance(c, dict)}
    codes |= {i.get("value") for i in questionnaire.get("identifier") or [] if isinstance(i, dict)}
    for total in totals:
        codes |= {c.get("code") for c in total.get("code") or [] if isinstance(c, dict)}
    item_codes = {d.data.get("code") for d in drafts}
    for instrument in builtin_instruments().values():
        if not instrument.validated or instrument.is_shell:
            continue
        scale_codes = {s.code for s in instrument.scales if s.code}
        wanted_items = {i.code for i in instrument.items if i.code and i.required}
        if (
            key == instrument.key
            or instrument.code in codes
            or scale_codes & codes
            or (wanted_items and wanted_items <= item_codes)
        ):
            return instrument
    return None


def _map_to_builtin(builtin: Instrument, drafts: list[_Draft]) -> None:
    """Give a recognised measure's items their built-in keys (PHQ-9's item9 drives the safety flag)."""
    by_code = {i.code: i.key for i in builtin.items if i.code}
    scored_keys = [k for s in builtin.scales for k in s.items]
    coded = [d for d in drafts if d.data.get("code") in by_code]
    if {by_code[d.data["code"]] for d in coded} >= set(scored_keys):
        for draft in coded:
            draft.data["key"] = by_code[draft.data["code"]]
        return
    scored = [d for d in drafts if d.scored]
    if len(scored) != len(scored_keys):
        raise DefinitionError(
            [
                f"This looks like {builtin.title['en']}, but it has {len(scored)} scored questions where "
                f"{len(scored_keys)} are expected, so they cannot be matched to {scored_keys[0]}…{scored_keys[-1]}."
            ]
        )
    # No item codes: the validated order is the only faithful mapping.
    for draft, key in zip(scored, scored_keys, strict=True):
        draft.data["key"] = key


def questionnaire_import(
    data: Any, *, key: str | None = None, version: str | None = None, kind: str = "outcome"
) -> ImportResult:
    """A FHIR R4 Questionnaire (parsed JSON) → an Instrument, plus warnings about anything left out."""
    if not isinstance(data, dict) or data.get("resourceType") != "Questionnaire":
        raise DefinitionError(['This is not a FHIR Questionnaire (resourceType must be "Questionnaire").'])
    _validate(Questionnaire, data, "Questionnaire")
    notes: dict[str, Any] = {"warnings": []}
    drafts: list[_Draft] = []
    totals: list[dict] = []
    _walk(data.get("item") or [], _contained_value_sets(data), drafts, totals, notes)
    if not drafts:
        raise DefinitionError(["The questionnaire has no questions Attune can ask."])

    meta = json.loads(_ext_value(data, ATTUNE_INSTRUMENT) or "{}")
    builtin = None if meta else _recognise(data, drafts, totals, key)
    used: set[str] = set()
    for draft in drafts:
        base = draft.attune.get("key") or _slug(draft.link_id) or "item"
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base[:60]}_{n}", n + 1
        draft.data["key"] = candidate
        used.add(candidate)
    if builtin is not None:
        _map_to_builtin(builtin, drafts)
    for draft in drafts:
        # Keep the source linkId only where it differs, so exports answer to the questionnaire it came from.
        if draft.data["link_id"] == draft.data["key"]:
            draft.data["link_id"] = None

    by_link = {d.link_id: d for d in drafts}
    for draft in drafts:
        if not draft.enable_when:
            continue
        condition = _show_if(draft, by_link)
        if condition:
            draft.data["show_if"] = condition
        else:
            draft.data["required"] = False
            notes["warnings"].append(
                f"Question {draft.link_id!r} has a display condition Attune cannot express; "
                "it is always shown and optional."
            )

    items = [d.data for d in drafts]
    scales = []
    for total in totals:
        raw = _ext_value(total, ATTUNE_SCALE)
        if raw:
            scales.append(json.loads(raw))
    if not scales and not meta:  # an Attune export lists its scales, even when there are none
        scored = [d.data["key"] for d in drafts if d.scored]
        if builtin is not None:
            scales = [s.model_dump(exclude_none=True) for s in builtin.scales]
        elif scored:
            total = totals[0] if totals else {}
            scales = [
                {
                    "key": "total",
                    "label": _local_text(total.get("text"), total.get("_text"), "Total"),
                    "items": scored,
                    "code": _first_code(total.get("code")),
                }
            ]
    title_text = data.get("title") or data.get("name") or data.get("id") or "Imported questionnaire"
    definition = {
        "key": key
        or meta.get("key")
        or (builtin.key if builtin else None)
        or _slug(title_text)
        or "questionnaire",
        "version": str(version or data.get("version") or "1")[:32],
        "title": _local_text(title_text, data.get("_title"), "Imported questionnaire"),
        "kind": meta.get("kind") or (builtin.kind if builtin else kind),
        "pillar": meta.get("pillar"),
        "validated": bool(meta.get("validated", builtin is not None)),
        "licence": meta.get("licence", (data.get("copyright") or "")[:2000]),
        "attribution": meta.get("attribution")
        or (builtin.attribution if builtin else data.get("publisher") or ""),
        "code": _first_code(data.get("code")) or (builtin.code if builtin else None),
        "url": None if str(data.get("url", "")).startswith("urn:attune:") else data.get("url"),
        "intro": notes.get("intro") or None,
        "items": items,
        "scales": scales,
    }
    return ImportResult(instrument=instrument_from_data(definition), warnings=notes["warnings"])


def questionnaire_to_instrument(data: Any, **kwargs) -> Instrument:
    return questionnaire_import(data, **kwargs).instrument


# ----------------------------------------------------------------------------------------------- export


def _canonical(instrument: Instrument) -> str:
    return instrument.url or f"urn:attune:questionnaire:{instrument.key}"


def _option_coding(instrument: Instrument, item: Item, option) -> dict:
    return {
        "system": option.system or f"urn:attune:instrument:{instrument.key}:{item.key}",
        "code": option.code or str(option.value),
        "display": option.label["en"],
    }


def _link(item: Item) -> str:
    return item.link_id or item.key


def instrument_to_questionnaire(instrument: Instrument) -> dict:
    """An Instrument → a FHIR R4 Questionnaire (a JSON-ready dict, checked with fhir.resources)."""
    by_key = {i.key: i for i in instrument.items}
    items: list[dict] = []
    if instrument.intro:
        intro = {"linkId": "intro", "type": "display", "text": instrument.intro["en"]}
        if translated := _translation_ext(instrument.intro):
            intro["_text"] = translated
        items.append(intro)
    for item in instrument.items:
        out: dict[str, Any] = {"linkId": _link(item), "text": item.text["en"], "required": item.required}
        if translated := _translation_ext(item.text):
            out["_text"] = translated
        if item.code:
            out["code"] = [{"system": LOINC, "code": item.code}]
        attune = {k: v for k, v in (("reverse", item.reverse), ("key", item.key)) if v}
        if item.anchors:
            attune["anchors"] = item.anchors
        if item.help:
            attune["help"] = item.help
        out["extension"] = [{"url": ATTUNE_ITEM, "valueString": json.dumps(attune, ensure_ascii=False)}]
        if item.type == "choice":
            out["type"] = "choice"
            out["answerOption"] = []
            for option in item.options:
                coding = _option_coding(instrument, item, option)
                if translated := _translation_ext(option.label):
                    coding["_display"] = translated
                out["answerOption"].append(
                    {"valueCoding": coding, "extension": [{"url": EXT_ORDINAL, "valueDecimal": option.value}]}
                )
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
            out["enableWhen"] = []
            for other_key, value in item.show_if.items():
                other = by_key[other_key]
                rule: dict[str, Any] = {"question": _link(other), "operator": "="}
                if other.type == "yesno":
                    rule["answerBoolean"] = bool(value)
                elif other.type == "choice":
                    option = next(o for o in other.options if o.value == value)
                    rule["answerCoding"] = _option_coding(instrument, other, option)
                else:
                    rule["answerInteger"] = value
                out["enableWhen"].append(rule)
            out["enableBehavior"] = "all"
        items.append(out)
    for scale in instrument.scales:
        links = [_link(by_key[k]) for k in scale.items]
        ordinal = " | ".join(
            f"%resource.item.descendants().where(linkId='{link}').answer.value" for link in links
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
        items.append(calc)
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
        "id": _slug(f"{instrument.key}-{instrument.version}").replace("_", "-")[:64],
        "url": _canonical(instrument),
        "version": instrument.version,
        "name": re.sub(r"[^A-Za-z0-9_]", "_", instrument.key),
        "title": instrument.title["en"],
        "status": "active",
        "language": "en",
        "subjectType": ["Patient"],
        "extension": [{"url": ATTUNE_INSTRUMENT, "valueString": json.dumps(meta, ensure_ascii=False)}],
        "item": items,
    }
    if translated := _translation_ext(instrument.title):
        questionnaire["_title"] = translated
    if instrument.code:
        questionnaire["code"] = [{"system": LOINC, "code": instrument.code}]
    copyright_text = " ".join(t for t in (instrument.licence, instrument.attribution) if t)
    if copyright_text:
        questionnaire["copyright"] = copyright_text
    _validate(Questionnaire, questionnaire, "Exported Questionnaire")
    return questionnaire


# ------------------------------------------------------------------------------------ responses


def questionnaire_response_to_answers(instrument: Instrument, data: Any) -> tuple[dict[str, Any], list[str]]:
    """A FHIR QuestionnaireResponse for `instrument` → raw answers {item key: value}, plus warnings.

    Stored totals in the response are ignored on purpose: scores are always computed from answers."""
    if not isinstance(data, dict) or data.get("resourceType") != "QuestionnaireResponse":
        raise DefinitionError(["This is not a FHIR QuestionnaireResponse."])
    _validate(QuestionnaireResponse, data, "QuestionnaireResponse")
    by_link = {_link(i): i for i in instrument.items}
    answers: dict[str, Any] = {}
    warnings: list[str] = []

    def walk(items: list) -> None:
        for node in items or []:
            item = by_link.get(str(node.get("linkId")))
            for answer in node.get("answer") or []:
                if item is not None:
                    answers[item.key] = _answer_value(item, answer, warnings)
                walk(answer.get("item"))
            if item is None and node.get("answer"):
                warnings.append(
                    f"Answer to {node.get('linkId')!r} is not a question of {instrument.key}; ignored."
                )
            walk(node.get("item"))

    walk(data.get("item"))
    return answers, warnings


def _answer_value(item: Item, answer: dict, warnings: list[str]) -> Any:
    if "valueCoding" in answer and item.type == "choice":
        coding = answer["valueCoding"] or {}
        for option in item.options:
            same_code = coding.get("code") is not None and coding.get("code") in (
                option.code,
                str(option.value),
            )
            if same_code and (
                not coding.get("system") or not option.system or coding["system"] == option.system
            ):
                return option.value
        for option in item.options:
            if coding.get("display") and coding["display"] == option.label["en"]:
                return option.value
        warnings.append(f"{item.key}: answer {coding.get('code')!r} is not one of its options.")
        return coding.get("code")
    if "valueBoolean" in answer:
        return 1 if answer["valueBoolean"] else 0
    for name in ("valueInteger", "valueString", "valueDecimal"):
        if name in answer:
            value = answer[name]
            return int(value) if name == "valueDecimal" and value == int(value) else value
    kinds = sorted(k for k in answer if k.startswith("value"))
    warnings.append(f"{item.key}: answers of kind {kinds} are not read.")
    return None


def _uuid(*parts: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, ':'.join(str(p) for p in parts))}"


def _response_item(instrument: Instrument, item: Item, value: Any) -> dict:
    node: dict[str, Any] = {"linkId": _link(item), "text": item.text["en"]}
    if item.type == "choice":
        option = next(o for o in item.options if o.value == value)
        node["answer"] = [{"valueCoding": _option_coding(instrument, item, option)}]
    elif item.type == "yesno":
        node["answer"] = [{"valueBoolean": bool(value)}]
    elif item.type == "text":
        node["answer"] = [{"valueString": value}]
    else:
        node["answer"] = [{"valueInteger": value}]
    return node


def checkin_to_questionnaire_response(checkin) -> dict:
    """A check-in → a FHIR Bundle (collection): one QuestionnaireResponse per instrument it used, and one
    Observation per score (LOINC-coded where the measure has a code: PHQ-9 total 44261-6, GAD-7 70274-6).

    Each instrument is read at the version the check-in recorded, and scores are computed from the
    stored answers. The client is named only by the clinic's pseudonymous reference."""
    session = checkin.session
    client = session.episode.client
    subject = {"identifier": {"system": CLIENT_REFERENCE_SYSTEM, "value": client.reference}}
    authored = (checkin.submitted_at or checkin.sent_at).isoformat()
    status = "completed" if checkin.status == "submitted" else "in-progress"
    entries: list[dict] = []
    for key, version in sorted((checkin.instrument_versions or {}).items()):
        instrument = get_instrument(key, version, clinic_id=client.clinic_id)
        answers = (checkin.answers or {}).get(key) or {}
        response_url = _uuid("checkin", checkin.pk, key, "response")
        items = [
            _response_item(instrument, item, answers[item.key])
            for item in instrument.items
            if answers.get(item.key) not in (None, "")
        ]
        response: dict[str, Any] = {
            "resourceType": "QuestionnaireResponse",
            "questionnaire": f"{_canonical(instrument)}|{instrument.version}",
            "status": status,
            "subject": subject,
            "authored": authored,
        }
        if items:
            response["item"] = items
        entries.append({"fullUrl": response_url, "resource": response})
        if status != "completed":
            continue
        for result in score(instrument, answers):
            scale = next(s for s in instrument.scales if s.key == result.scale)
            coding = (
                {"system": LOINC, "code": scale.code, "display": scale.label["en"]}
                if scale.code
                else {
                    "system": f"urn:attune:instrument:{instrument.key}",
                    "code": f"{instrument.key}.{scale.key}",
                    "display": scale.label["en"],
                }
            )
            observation: dict[str, Any] = {
                "resourceType": "Observation",
                "status": "final",
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                "code": "survey",
                            }
                        ]
                    }
                ],
                "code": {"coding": [coding], "text": scale.label["en"]},
                "subject": subject,
                "effectiveDateTime": authored,
                "valueQuantity": {
                    "value": result.value,
                    "unit": "{score}",
                    "system": UCUM,
                    "code": "{score}",
                },
                "derivedFrom": [{"reference": response_url}],
            }
            if result.band:
                observation["interpretation"] = [{"text": result.band}]
            entries.append({"fullUrl": _uuid("checkin", checkin.pk, key, scale.key), "resource": observation})
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "identifier": {"system": "urn:attune:checkin", "value": str(checkin.pk)},
        "entry": entries,
    }
    _validate(Bundle, bundle, "Exported Bundle")
    return bundle
