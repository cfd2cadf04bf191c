"""A check-in's answers as the clinician reads them: the question, and the answer in words."""

from django.utils.translation import gettext as _

from care.models import CheckIn
from instruments.library import InstrumentResolver


def _answer_label(item, value) -> str:
    if item.type == "text":
        return str(value)
    if item.type == "yesno":
        return _("Yes") if value else _("No")
    if item.type == "choice":
        for option in item.options:
            if option.value == value:
                return option.label.get("en", str(value))
    if item.type == "scale":
        return f"{value}/{item.max}"
    return str(value)


def describe_answers(
    checkin: CheckIn, *, instruments: InstrumentResolver
) -> tuple[list[dict], list[tuple[str, str]]]:
    """A check-in's answers as the clinician reads them: question text with the answer in words, and the
    client's own free-text words pulled out.

    Each instrument is read at the version the check-in used, a clinic's loaded definitions (licensed
    scales, FHIR imports) included; `instruments` is one InstrumentResolver shared by the whole page."""
    sections, own_words = [], []
    for key, answers in (checkin.answers or {}).items():
        instrument = instruments.get(
            key, (checkin.instrument_versions or {}).get(key), (checkin.instrument_hashes or {}).get(key)
        )
        items = []
        for item_key, value in answers.items():
            if instrument is None:
                items.append((item_key, str(value)))
                continue
            try:
                item = instrument.item(item_key)
            except KeyError:
                items.append((item_key, str(value)))
                continue
            question = item.text.get("en", item_key)
            if item.type == "text":
                if str(value).strip():
                    own_words.append((question, str(value)))
                continue
            items.append((question, _answer_label(item, value)))
        title = instrument.title.get("en", key) if instrument else key
        if items:
            sections.append({"key": key, "title": title, "items": items})
    return sections, own_words
