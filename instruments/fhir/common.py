"""What import and export share: FHIR and Attune extension URLs, checking with fhir.resources, and
small readers and writers of extensions, translations, codes and links."""

import re
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pydantic import ValidationError

from instruments.library import DefinitionError
from instruments.schemas import Instrument, Item, Option

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
ATTUNE_OPTION_LABEL = "urn:attune:fhir:option-label"
CLIENT_REFERENCE_SYSTEM = "urn:attune:client-reference"
_NAMESPACE = uuid.UUID("4b0f6b0e-2a55-4d52-9a37-6f7b8b0f1c11")


def validate(model, data: dict, what: str):
    """Check `data` with a fhir.resources model; every problem becomes a DefinitionError sentence."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = [
            f"{what} {'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in error.errors()[:8]
        ]
        raise DefinitionError(problems) from error
    except (TypeError, ValueError, KeyError, RecursionError) as error:
        raise DefinitionError([f"{what} could not be read: {str(error)[:200]}"]) from error


# ------------------------------------------------------------------------------------------- reading


def ext(element: dict | None, url: str) -> dict | None:
    for extension in (element or {}).get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == url:
            return extension
    return None


def ext_value(element: dict | None, url: str) -> Any:
    extension = ext(element, url)
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


# The language a Questionnaire is written in (`Questionnaire.language`), for the duration of one import:
# every text of the file is in it, so it is read once and not threaded through every reader.
_WRITTEN_IN: ContextVar[str] = ContextVar("questionnaire_language", default="en")


@contextmanager
def written_in(language: Any):
    """Read a questionnaire's texts as written in `language` (a BCP 47 code such as "de-DE")."""
    code = str(language or "en").split("-")[0].lower().strip() or "en"
    token = _WRITTEN_IN.set(code if re.fullmatch(r"[a-z]{2,3}", code) else "en")
    try:
        yield
    finally:
        _WRITTEN_IN.reset(token)


def local_text(text: str | None, extension_holder: dict | None, fallback: str) -> dict[str, str]:
    """A FHIR string and its translation extensions → Attune's {language: text}. The string is in the
    questionnaire's own language; English must be there, as the string or a translation."""
    primary = _WRITTEN_IN.get()
    result = _translations(extension_holder)
    written = (text or "").strip()
    if not written:
        result.setdefault("en", fallback)  # a text the file does not give: our English placeholder
    elif primary == "en":
        result["en"] = written
    else:
        result[primary] = written
    if "en" not in result:
        raise DefinitionError(
            [
                f"The questionnaire is written in {primary!r} and {(text or fallback)[:80]!r} has no English "
                "translation; Attune needs English text beside it (FHIR translation extension)."
            ]
        )
    return result


def slug(text: str, limit: int = 64) -> str:
    out = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return out[:limit].strip("_")


def first_code(codings: list | None, prefer_system: str = LOINC) -> str | None:
    codings = [c for c in codings or [] if isinstance(c, dict) and c.get("code")]
    for coding in codings:
        if coding.get("system") == prefer_system:
            return coding["code"]
    return codings[0]["code"] if codings else None


def whole_number(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DefinitionError([f"{where}: the score {value!r} is not a number."])
    if value != int(value):
        raise DefinitionError(
            [f"{where}: the score {value:g} is not a whole number; Attune scores whole numbers."]
        )
    return int(value)


# ------------------------------------------------------------------------------------------- writing


def translation_ext(text: dict[str, str]) -> dict | None:
    """Attune's {language: text} → the `_text`-style element carrying the non-English translations."""
    others = [
        {
            "url": EXT_TRANSLATION,
            "extension": [{"url": "lang", "valueCode": lang}, {"url": "content", "valueString": content}],
        }
        for lang, content in sorted(text.items())
        if lang != "en" and content
    ]
    return {"extension": others} if others else None


def canonical(instrument: Instrument) -> str:
    return instrument.url or f"urn:attune:questionnaire:{instrument.key}"


def option_coding(instrument: Instrument, item: Item, option: Option) -> dict:
    return {
        "system": option.system or f"urn:attune:instrument:{instrument.key}:{item.key}",
        "code": option.code or str(option.value),
        "display": option.display or option.label["en"],
    }


def link(item: Item) -> str:
    return item.link_id or item.key


def uuid_urn(*parts: object) -> str:
    """A stable urn:uuid for a resource made from `parts` (the same check-in always gives the same ids)."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, ':'.join(str(p) for p in parts))}"
