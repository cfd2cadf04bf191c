"""The risk thresholds page's form: every rule with each of its settings, its default and the clinic's
value, read from the rule registry; and the submitted form turned back into the clinic's overrides.

Each field is checked here with a message in the admin's language (a whole number, a number, a range
from risk.thresholds.key_range); risk.thresholds.validate_thresholds stays the authority before saving.
Only values that differ from the rule's default are stored."""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from care.models import Clinic
from care.pillars import all_pillars
from clinic_settings.rule_notes import NOTES, SETTING_LABELS, RuleNote
from risk.facts import Rule
from risk.rules import all_rules
from risk.thresholds import key_range

MAX_INPUT = 20  # characters of a number field
WHOLE = re.compile(r"^[+-]?\d+$")


@dataclass
class Setting:
    rule_id: str
    key: str
    label: str
    kind: str  # "switch", "whole" or "number"
    default: Any
    value: Any  # what the field shows: the clinic's value, or what was just typed
    low: float | None = None
    high: float | None = None
    error: str = ""

    @property
    def name(self) -> str:
        return f"{self.rule_id}:{self.key}"

    @property
    def field_id(self) -> str:
        return "t-" + re.sub(r"[^a-z0-9]+", "-", self.name.lower())

    @property
    def default_shown(self) -> str:
        return _shown(self.default)

    @property
    def changed(self) -> bool:
        return (
            self.value != self.default if self.kind == "switch" else str(self.value) != _shown(self.default)
        )


@dataclass
class RuleRow:
    rule: Rule
    note: RuleNote | None
    pillar: str = ""
    settings: list[Setting] = field(default_factory=list)

    @property
    def field_id(self) -> str:
        return "rule-" + re.sub(r"[^a-z0-9]+", "-", self.rule.id.lower())

    @property
    def errors(self) -> list[Setting]:
        return [s for s in self.settings if s.error]


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _kind(default: Any) -> str:
    if isinstance(default, bool):
        return "switch"
    return "whole" if isinstance(default, int) else "number"


def threshold_rows(clinic: Clinic) -> list[RuleRow]:
    """Every rule, each setting showing the clinic's stored value (or the default)."""
    stored = clinic.risk_thresholds if isinstance(clinic.risk_thresholds, dict) else {}
    pillars = {p.key: str(p.label) for p in all_pillars()} | {"safety": _("Safety")}
    rows = []
    for rule in all_rules():
        given = stored.get(rule.id)
        mine: dict[str, Any] = given if isinstance(given, dict) else {}
        row = RuleRow(rule=rule, note=NOTES.get(rule.id), pillar=pillars.get(rule.pillar, rule.pillar))
        for key, default in rule.defaults.items():
            kind = _kind(default)
            value = mine.get(key, default)
            low, high = key_range(rule, key) or (None, None)
            row.settings.append(
                Setting(
                    rule_id=rule.id,
                    key=key,
                    label=str(SETTING_LABELS.get(key, key)),
                    kind=kind,
                    default=default,
                    value=value if kind == "switch" else _shown(value),
                    low=low,
                    high=high,
                )
            )
        rows.append(row)
    return rows


def _parse(setting: Setting, data: Mapping[str, str]) -> Any:
    """The typed value of one submitted field; sets `setting.error` (and returns None) when it is wrong."""
    if setting.kind == "switch":
        setting.value = data.get(setting.name) == "on"
        return setting.value
    text = (data.get(setting.name) or "").strip()[: MAX_INPUT + 1]
    setting.value = text
    if len(text) > MAX_INPUT:
        setting.error = _("Enter at most %(n)d characters.") % {"n": MAX_INPUT}
        return None
    if setting.kind == "whole":
        if not WHOLE.match(text):
            setting.error = _("Enter a whole number, such as %(example)s.") % {
                "example": _shown(setting.default)
            }
            return None
        number: float = int(text)
    else:
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            setting.error = _("Enter a number, such as %(example)s.") % {"example": _shown(setting.default)}
            return None
    if setting.low is not None and setting.high is not None and not setting.low <= number <= setting.high:
        setting.error = _("Enter a number from %(low)s to %(high)s.") % {
            "low": number_format(setting.low),
            "high": number_format(setting.high),
        }
        return None
    return number


def thresholds_from_form(clinic: Clinic, data: Mapping[str, str]) -> tuple[list[RuleRow], dict, bool]:
    """(the rows showing what was typed, with an error on each wrong field; the overrides to store; whether
    every field was right). Nothing typed is lost: a wrong field keeps its text for correcting."""
    rows = threshold_rows(clinic)
    overrides: dict[str, dict[str, Any]] = {}
    valid = True
    for row in rows:
        for setting in row.settings:
            value = _parse(setting, data)
            if setting.error:
                valid = False
                continue
            if value != setting.default or type(value) is not type(setting.default):
                overrides.setdefault(row.rule.id, {})[setting.key] = value
    return rows, overrides, valid
