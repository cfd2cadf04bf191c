"""Small template helpers for the supervision pages."""

from django import template
from django.utils.html import format_html

from instruments.library import get_instrument

register = template.Library()


CHIPS = {"red": ("chip-red", "▲"), "amber": ("chip-amber", "●")}


@register.simple_tag
def signal(level: str, words: dict) -> str:
    """One signal level as a chip: words as well as colour (built here, not included: a page has 100+)."""
    chip, icon = CHIPS.get(level, ("chip-neutral", ""))
    mark = format_html('<span aria-hidden="true" class="chip-icon">{}</span> ', icon) if icon else ""
    return format_html('<span class="chip {}">{}{}</span>', chip, mark, words.get(level, level))


@register.filter
def percent(value: float) -> str:
    return f"{round(value * 100)}%"


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def item_values(item) -> range:
    low, high = item.value_range()
    return range(low, high + 1)


@register.filter
def pulse_label(key: str) -> str:
    """ "pulse.burnout" → the scale's label in the instrument's definition."""
    instrument_key, _, scale_key = key.partition(".")
    try:
        scales = get_instrument(instrument_key).scales
    except LookupError:
        return key
    return next((s.label["en"] for s in scales if s.key == scale_key), key)
