"""FHIR Questionnaire → Instrument: read the items, recognise a validated measure, settle keys and
display conditions, then build and check the definition."""

import json
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.questionnaire import Questionnaire

from instruments.fhir.common import (
    ATTUNE_INSTRUMENT,
    ATTUNE_SCALE,
    ext_value,
    first_code,
    local_text,
    slug,
    validate,
    written_in,
)
from instruments.fhir.items_in import Draft, read_items
from instruments.library import DefinitionError, builtin_instruments, instrument_from_data
from instruments.schemas import Instrument


@dataclass
class ImportResult:
    instrument: Instrument
    warnings: list[str] = field(default_factory=list)


def questionnaire_import(
    data: Any, *, key: str | None = None, version: str | None = None, kind: str = "outcome"
) -> ImportResult:
    """A FHIR R4 Questionnaire (parsed JSON) → an Instrument, plus warnings about anything left out."""
    if not isinstance(data, dict) or data.get("resourceType") != "Questionnaire":
        raise DefinitionError(['This is not a FHIR Questionnaire (resourceType must be "Questionnaire").'])
    validate(Questionnaire, data, "Questionnaire")
    with written_in(data.get("language")):
        return _import(data, key=key, version=version, kind=kind)


def _import(data: dict, *, key: str | None, version: str | None, kind: str) -> ImportResult:
    reading = read_items(data)
    drafts = reading.drafts
    if not drafts:
        raise DefinitionError(["The questionnaire has no questions Attune can ask."])
    # An Attune export says what it is; anything else may be a validated measure we ship.
    meta = json.loads(ext_value(data, ATTUNE_INSTRUMENT) or "{}")
    builtin = None if meta else _recognise(data, drafts, reading.totals, key)
    _assign_keys(drafts, builtin)
    _apply_conditions(drafts, reading.warnings)
    items = [d.data for d in drafts]
    scales = _scales(reading.totals, drafts, meta, builtin)
    title = data.get("title") or data.get("name") or data.get("id") or "Imported questionnaire"
    definition = {
        "key": key or meta.get("key") or (builtin.key if builtin else None) or slug(title) or "questionnaire",
        "version": str(version or data.get("version") or "1")[:32],
        "title": local_text(title, data.get("_title"), "Imported questionnaire"),
        "kind": meta.get("kind") or (builtin.kind if builtin else kind),
        "pillar": meta.get("pillar"),
        "validated": bool(meta.get("validated", builtin is not None)),
        "licence": meta.get("licence", (data.get("copyright") or "")[:2000]),
        "attribution": meta.get("attribution")
        or (builtin.attribution if builtin else data.get("publisher") or ""),
        "code": first_code(data.get("code")) or (builtin.code if builtin else None),
        "url": None if str(data.get("url", "")).startswith("urn:attune:") else data.get("url"),
        "intro": reading.intro or None,
        "items": items,
        "scales": scales,
    }
    return ImportResult(instrument=instrument_from_data(definition), warnings=reading.warnings)


def questionnaire_to_instrument(data: Any, **kwargs) -> Instrument:
    return questionnaire_import(data, **kwargs).instrument


def _assign_keys(drafts: list[Draft], builtin: Instrument | None) -> None:
    """Unique item keys from our own key or the linkId, a recognised measure's keys where it is one."""
    used: set[str] = set()
    for draft in drafts:
        base = draft.attune.get("key") or slug(draft.link_id) or "item"
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


def _apply_conditions(drafts: list[Draft], warnings: list[str]) -> None:
    """enableWhen → show_if; a condition Attune cannot express leaves the item always shown and optional."""
    by_link = {d.link_id: d for d in drafts}
    for draft in drafts:
        if not draft.enable_when:
            continue
        condition = _show_if(draft, by_link)
        if condition:
            draft.data["show_if"] = condition
        else:
            draft.data["required"] = False
            warnings.append(
                f"Question {draft.link_id!r} has a display condition Attune cannot express; "
                "it is always shown and optional."
            )


def _show_if(draft: Draft, by_link: dict[str, Draft]) -> dict[str, int] | None:
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


def _scales(totals: list[dict], drafts: list[Draft], meta: dict, builtin: Instrument | None) -> list[dict]:
    """Our own scales from an Attune export; a recognised measure's; otherwise one total of the scored items."""
    scales = []
    for total in totals:
        raw = ext_value(total, ATTUNE_SCALE)
        if raw:
            scales.append(json.loads(raw))
    if scales or meta:  # an Attune export lists its scales, even when there are none
        return scales
    if builtin is not None:
        return [s.model_dump(exclude_none=True) for s in builtin.scales]
    scored = [d.data["key"] for d in drafts if d.scored]
    if not scored:
        return []
    total = totals[0] if totals else {}
    return [
        {
            "key": "total",
            "label": local_text(total.get("text"), total.get("_text"), "Total"),
            "items": scored,
            "code": first_code(total.get("code")),
        }
    ]


def _recognise(
    questionnaire: dict, drafts: list[Draft], totals: list[dict], key: str | None
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


def _map_to_builtin(builtin: Instrument, drafts: list[Draft]) -> None:
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
