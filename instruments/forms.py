"""An instrument as form fields, and posted form fields back as answers: shared by the client's check-in
form and the clinician's own rating, so both read and parse items the same way."""

import dataclasses
import re
from typing import Any

from django.utils.translation import gettext as _

from instruments.schemas import Instrument, Item

ASCII_INT = re.compile(r"-?[0-9]{1,6}")


def _local(text: dict[str, str] | None, language: str) -> str:
    if not text:
        return ""
    return text.get(language) or text.get("en", "")


def _falls_back(instrument: Instrument, language: str) -> bool:
    """Whether any text of the instrument is missing in `language` (and so shown in English)."""
    if language == "en":
        return False
    texts = [instrument.title, *(item.text for item in instrument.items)]
    texts += [o.label for item in instrument.items for o in item.options]
    return any(language not in text for text in texts)


@dataclasses.dataclass
class Field:
    name: str
    id: str
    type: str
    text: str
    help: str
    required: bool
    value: str
    error: str
    options: list[tuple[int, str]]
    low_label: str
    high_label: str
    show_if: tuple[str, str] | None
    max_length: int = 0  # free text: the limit the engine checks, shown on the field


@dataclasses.dataclass
class Step:
    key: str
    title: str
    intro: str
    fields: list[Field]
    validated: bool
    attribution: str
    # The definition has no text in the page's language, so the step is shown in English (and says so).
    in_english: bool = False


RANGE_MESSAGE = re.compile(r"Choose a number from (-?\d+) to (-?\d+)\.")


def _message(text: str) -> str:
    """The engine's English message, in the page's language."""
    if not text:
        return ""
    if match := RANGE_MESSAGE.fullmatch(text):
        return _("Choose a number from %(low)s to %(high)s.") % {"low": match[1], "high": match[2]}
    if text.startswith("Please keep this under"):
        return _("Please keep this shorter.")
    if text.startswith("Please answer"):
        return _("Please answer this question.")
    if text.startswith("Expected words"):
        return _("Please answer in words.")
    if text.startswith("This answer has characters"):
        return _("This answer has characters that can't be saved. Please type it again.")
    return _("Choose one of the answers offered.")


def _options(item: Item, language: str) -> list[tuple[int, str]]:
    if item.type == "choice":
        return [(o.value, _local(o.label, language)) for o in item.options]
    if item.type == "yesno":
        return [(1, _("Yes")), (0, _("No"))]
    if item.type == "scale":
        return [(v, str(v)) for v in range(item.min, item.max + 1)]
    return []


def build_steps(
    instruments: list[Instrument], language: str, posted: Any = None, errors: dict | None = None
) -> list[Step]:
    errors = errors or {}
    steps = []
    for instrument in instruments:
        fields = []
        for item in instrument.items:
            name = f"{instrument.key}.{item.key}"
            value = posted.get(name, "") if posted is not None else ""
            fields.append(
                Field(
                    name=name,
                    id=f"q-{instrument.key}-{item.key}",
                    type=item.type,
                    text=_local(item.text, language),
                    help=_local(item.help, language),
                    required=item.required,
                    value=str(value),
                    error=_message(errors.get(instrument.key, {}).get(item.key, "")),
                    options=_options(item, language),
                    low_label=_local(item.anchors.get("min"), language),
                    high_label=_local(item.anchors.get("max"), language),
                    show_if=(
                        (
                            f"{instrument.key}.{next(iter(item.show_if))}",
                            str(next(iter(item.show_if.values()))),
                        )
                        if item.show_if
                        else None
                    ),
                    max_length=item.max_length,
                )
            )
        steps.append(
            Step(
                key=instrument.key,
                title=_local(instrument.title, language),
                intro=_local(instrument.intro, language),
                fields=fields,
                validated=instrument.validated,
                attribution=instrument.attribution or (instrument.licence if instrument.validated else ""),
                in_english=_falls_back(instrument, language),
            )
        )
    return steps


def parse_answers(instruments: list[Instrument], data) -> dict[str, dict[str, Any]]:
    """Form fields `<section>.<item>` → {section: {item: value}}. Numbers must be plain ASCII digits;
    anything else is passed on as text so the strict validator refuses it with a message."""
    answers: dict[str, dict[str, Any]] = {}
    for instrument in instruments:
        section: dict[str, Any] = {}
        for item in instrument.items:
            values = data.getlist(f"{instrument.key}.{item.key}")
            if not values:
                continue
            if len(values) > 1:
                section[item.key] = values  # refused by the validator: one answer per question
                continue
            value = values[0]
            if item.type == "text":
                if value.strip():
                    section[item.key] = value
            elif value != "":
                section[item.key] = int(value) if ASCII_INT.fullmatch(value) else value
        answers[instrument.key] = section
    return answers
