"""Reading a Questionnaire's items: groups flattened, display text kept as the intro, each question
turned into an Attune item draft (answer options and their scores included), calculated totals set
aside for the scales."""

import json
from dataclasses import dataclass, field

from instruments.fhir.answer_lists import ANSWER_LISTS, answer_list
from instruments.fhir.common import (
    ATTUNE_ITEM,
    ATTUNE_OPTION_LABEL,
    ATTUNE_SCALE,
    EXT_CALCULATED,
    EXT_MAX,
    EXT_MIN,
    SCORE_EXTENSIONS,
    ext,
    ext_value,
    first_code,
    local_text,
    whole_number,
)
from instruments.library import DefinitionError

MAX_DEPTH = 20


@dataclass
class Draft:
    """An item on its way from FHIR to Attune, before keys and conditions are settled."""

    link_id: str
    data: dict
    scored: bool
    enable_when: list = field(default_factory=list)
    enable_behavior: str | None = None
    attune: dict = field(default_factory=dict)


@dataclass
class Reading:
    """What a walk over the items collects."""

    value_sets: dict[str, dict]  # contained ValueSets by "#id"
    drafts: list[Draft] = field(default_factory=list)
    totals: list[dict] = field(default_factory=list)  # calculated or read-only score items
    intro: dict[str, str] | None = None
    warnings: list[str] = field(default_factory=list)


def read_items(questionnaire: dict) -> Reading:
    _refuse_repeated_link_ids(questionnaire.get("item") or [])
    reading = Reading(value_sets=_contained_value_sets(questionnaire))
    _walk(questionnaire.get("item") or [], reading)
    return reading


def _refuse_repeated_link_ids(items: list) -> None:
    """Every linkId names one item: a repeated one would make two questions answer as one."""
    seen: set[str] = set()
    repeated: list[str] = []
    stack = list(items)
    while stack:
        item = stack.pop()
        if not isinstance(item, dict):
            continue
        link_id = str(item.get("linkId") or "")
        if link_id in seen and link_id not in repeated:
            repeated.append(link_id)
        seen.add(link_id)
        stack.extend(item.get("item") or [])
        for answer in item.get("answerOption") or []:
            stack.extend((answer or {}).get("item") or [] if isinstance(answer, dict) else [])
    if repeated:
        names = ", ".join(repr(r) for r in sorted(repeated)[:10])
        raise DefinitionError(
            [f"These linkIds are used by more than one item: {names}. Each must be unique."]
        )


def _contained_value_sets(questionnaire: dict) -> dict[str, dict]:
    return {
        f"#{r['id']}": r
        for r in questionnaire.get("contained") or []
        if isinstance(r, dict) and r.get("resourceType") == "ValueSet" and r.get("id")
    }


def _walk(items: list | None, reading: Reading, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise DefinitionError([f"Groups are nested more than {MAX_DEPTH} deep."])
    for item in items or []:
        if not isinstance(item, dict):
            continue
        link_id = str(item.get("linkId") or "")
        kind = item.get("type")
        text = item.get("text")
        attune = json.loads(ext_value(item, ATTUNE_ITEM) or "{}")
        if kind == "group":
            if text and depth == 0 and not reading.intro:
                reading.intro = local_text(text, item.get("_text"), "")
            _walk(item.get("item"), reading, depth + 1)
            continue
        if kind == "display":
            if text and not reading.intro:
                reading.intro = local_text(text, item.get("_text"), "")
            continue
        calculated = ext(item, EXT_CALCULATED) is not None or ext(item, ATTUNE_SCALE) is not None
        if calculated or (item.get("readOnly") and kind in {"integer", "decimal", "quantity"}):
            reading.totals.append(item)
            continue
        question = _question(item, kind, link_id, reading)
        if question is not None:
            data, scored = question
            for name in ("reverse", "safety", "anchors", "help"):
                if name in attune:
                    data[name] = attune[name]
            reading.drafts.append(
                Draft(
                    link_id=link_id,
                    data=data,
                    scored=scored,
                    enable_when=item.get("enableWhen") or [],
                    enable_behavior=item.get("enableBehavior"),
                    attune=attune,
                )
            )
        # Questions nested under a question (even one left out) are still questions.
        _walk(item.get("item"), reading, depth + 1)


def _question(item: dict, kind: str | None, link_id: str, reading: Reading) -> tuple[dict, bool] | None:
    """One question → (item data, whether its answers carry scores); None when it is left out."""
    where = f"Question {link_id!r}"
    if any(isinstance(c, dict) and not c.get("code") for c in item.get("code") or []):
        raise DefinitionError([f"{where}: one of its codes is a coding without a code."])
    base = {
        "text": local_text(item.get("text"), item.get("_text"), link_id),
        "required": bool(item.get("required")),
        "code": first_code(item.get("code")),
        "link_id": link_id,
    }
    if kind in {"choice", "open-choice", "coding"}:
        options, scored = _options(item, reading.value_sets, where)
        if kind == "open-choice":
            reading.warnings.append(f"{where}: free-typed answers are not offered; only the listed ones.")
        return {**base, "type": "choice", "options": options}, scored
    if kind == "boolean":
        return {**base, "type": "yesno"}, False
    if kind in {"string", "text"}:
        data = {**base, "type": "text"}
        if isinstance(item.get("maxLength"), int) and item["maxLength"] > 0:
            data["max_length"] = item["maxLength"]
        return data, False
    if kind == "integer" and ext(item, EXT_MIN) and ext(item, EXT_MAX):
        low = whole_number(ext_value(item, EXT_MIN), where)
        high = whole_number(ext_value(item, EXT_MAX), where)
        return {**base, "type": "scale", "min": low, "max": high}, False
    detail = "an integer without minValue/maxValue" if kind == "integer" else f"of type {kind!r}"
    if item.get("required"):
        raise DefinitionError([f"{where} is {detail}, which Attune cannot ask yet, and it is required."])
    reading.warnings.append(f"{where} ({detail}) was left out: Attune cannot ask it yet.")
    return None


# ----------------------------------------------------------------------------------- answer options


def _options(item: dict, value_sets: dict[str, dict], where: str) -> tuple[list[dict], bool]:
    """Options for a choice item and whether they carry scores."""
    raw = _raw_options(item, value_sets, where)
    scores = [_option_score(option) for option in raw]
    scored = any(s is not None for s in scores)
    if scored and any(s is None for s in scores):
        raise DefinitionError([f"{where}: some answers carry a score (ordinalValue) and some do not."])
    options = [
        _option(option, ordinal, position, where)
        for position, (option, ordinal) in enumerate(zip(raw, scores, strict=True))
    ]
    values = [o["value"] for o in options]
    if len(values) != len(set(values)):
        raise DefinitionError(
            [f"{where}: two answers carry the same score; Attune needs one score per answer."]
        )
    return options, scored or any("valueInteger" in o for o in raw)


def _raw_options(item: dict, value_sets: dict[str, dict], where: str) -> list[dict]:
    """The item's answerOptions, or its contained answer list read as answerOptions."""
    raw = item.get("answerOption") or []
    if not raw and item.get("answerValueSet"):
        reference = str(item["answerValueSet"])
        value_set = value_sets.get(reference)
        shipped = answer_list(reference) if value_set is None else None
        if value_set is not None:
            raw = _value_set_options(value_set)
        elif shipped is not None:
            raw = _value_set_options({"expansion": {"contains": shipped}})
        else:
            known = ", ".join(sorted(ANSWER_LISTS))
            raise DefinitionError(
                [
                    f"{where}: its answers come from the answer list {reference[:200]}, which is not "
                    f"inside this file and not one Attune ships (LOINC {known}). Export the questionnaire with "
                    "its answers inline (answerOption) or the list contained, then load it again."
                ]
            )
    if not raw:
        raise DefinitionError([f"{where}: a choice question with no answers to choose from."])
    return raw


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


def _option_score(option: dict):
    """The score an option carries (ordinalValue, itemWeight or CO-value, on it or its coding), if any."""
    for url in SCORE_EXTENSIONS:
        ordinal = ext_value(option, url)
        if ordinal is None:
            ordinal = ext_value(option.get("valueCoding"), url)
        if ordinal is not None:
            return ordinal
    return None


def _option(option: dict, ordinal, position: int, where: str) -> dict:
    """One answer option → Attune's {value, label, code, system}; unscored options count from 0."""
    display = None
    if "valueCoding" in option:
        coding = option["valueCoding"] or {}
        if not coding.get("code"):
            shown = coding.get("display") or f"answer {position + 1}"
            raise DefinitionError([f"{where}: the answer {shown!r} is a coding without a code."])
        label = coding.get("display") or coding.get("code") or f"Answer {position + 1}"
        holder = coding.get("_display")
        code, system = coding.get("code"), coding.get("system")
        if str(system).startswith("urn:attune:instrument:"):
            code, system = None, None  # our own stand-in coding, not a real code
        shown = ext_value(option, ATTUNE_OPTION_LABEL)
        if isinstance(shown, str) and shown:
            display, label = label, shown
    elif "valueString" in option:
        label, holder, code, system = option["valueString"], option.get("_valueString"), None, None
    elif "valueInteger" in option:
        label, holder, code, system = str(option["valueInteger"]), None, None, None
        if ordinal is None:
            ordinal = option["valueInteger"]
    else:
        kinds = sorted(k for k in option if k.startswith("value"))
        if not kinds:
            raise DefinitionError([f"{where}: answer {position + 1} has no value."])
        raise DefinitionError([f"{where}: answers of kind {kinds} cannot be offered as choices."])
    return {
        "value": whole_number(ordinal, where) if ordinal is not None else position,
        "label": local_text(label, holder, f"Answer {position + 1}"),
        "code": code,
        "system": system,
        "display": display,
    }
