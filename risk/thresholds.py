"""A clinic's risk thresholds (`Clinic.risk_thresholds`), validated against the registered rules.

Admin-edited JSON keyed by rule id, e.g. `{"relationship.low_total": {"fraction": 0.85}}`. The schema is
built from each rule's `defaults`: a rule takes exactly the keys of its defaults (`enabled` included,
unless it cannot be switched off), each strictly of its default's type ("0.85" is not a number, `true`
is not a count), within a range — fractions and shares 0–1, days, hours, minutes and session numbers
positive and bounded, other keys as the rule declares (`Rule.limits`) or else counts from 1.

Rules, the engine and pages read a clinic's values through `clinic_params` / `rule_params`, so they all
see the same numbers; a value stored before validation existed (or made invalid by a rule's new
version) raises `ThresholdsError` there, and the engine skips the clinic's episodes until it is fixed."""

import difflib
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from care.models import Clinic
from risk.facts import Rule
from risk.rules import all_rules, rule_by_id

# By the end of a key's name: its range. A whole-number key matching none is a count.
RANGES_BY_NAME: tuple[tuple[str, tuple[float, float]], ...] = (
    ("fraction", (0, 1)),
    ("share", (0, 1)),
    ("days", (1, 365)),
    ("hours", (1, 720)),
    ("minutes", (1, 240)),
    ("session", (1, 100)),
)
COUNT_RANGE = (1, 100_000)
TYPE_WORDS = {bool: "true or false", int: "a whole number", float: "a number"}


class ThresholdsError(ValueError):
    """Thresholds that do not fit the rules; `messages` name the rule and the key, one per problem."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


def key_range(rule: Rule, key: str) -> tuple[float, float] | None:
    """The allowed range of a numeric threshold, or None for a switch (true/false)."""
    default = rule.defaults[key]
    if isinstance(default, bool):
        return None
    if key in rule.limits:
        return rule.limits[key]
    named = next((limits for suffix, limits in RANGES_BY_NAME if key.endswith(suffix)), None)
    if named is not None:
        return named
    if isinstance(default, int):
        return COUNT_RANGE
    raise LookupError(f"{rule.id}: give the range of {key!r} in the rule's limits")


_models: dict[tuple, type[BaseModel]] = {}


def _model_for(rule: Rule) -> type[BaseModel]:
    """The strict pydantic model of one rule's settings (built once per rule definition)."""
    cache_key = (rule.id, tuple(rule.defaults.items()), tuple(rule.limits.items()))
    model = _models.get(cache_key)
    if model is None:
        fields: dict[str, Any] = {}
        for key, default in rule.defaults.items():
            low, high = key_range(rule, key) or (None, None)
            fields[key] = (type(default), Field(default, ge=low, le=high))
        model = create_model(
            f"Thresholds_{rule.id.replace('.', '_')}",
            __config__=ConfigDict(strict=True, extra="forbid", allow_inf_nan=False),
            **fields,
        )
        _models[cache_key] = model
    return model


def _shown(value: object) -> str:
    if isinstance(value, str):
        return f'the text "{value}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return json.dumps(value)


def _fmt(number: float) -> str:
    return f"{number:g}"


def _message(rule: Rule, given: Mapping[str, Any], error: Mapping[str, Any]) -> str:
    key = str(error["loc"][0]) if error["loc"] else ""
    where = f'{rule.id}: "{key}"'
    if error["type"] == "extra_forbidden":
        known = ", ".join(f'"{k}"' for k in rule.defaults) or "none: this rule cannot be changed"
        return f"{where} is not a setting of this rule (its settings: {known})."
    value = given.get(key)
    if error["type"] in ("greater_than_equal", "less_than_equal"):
        low, high = key_range(rule, key) or (0, 0)
        return f"{where} must be between {_fmt(low)} and {_fmt(high)}, not {_shown(value)}."
    if error["type"] == "finite_number":
        return f"{where} must be a finite number."
    return f"{where} must be {TYPE_WORDS.get(type(rule.defaults[key]), 'valid')}, not {_shown(value)}."


def validate_thresholds(data: object) -> dict[str, dict[str, Any]]:
    """The thresholds checked against the registered rules, as they will be stored (only the keys
    given). Raises ThresholdsError with one clear message per problem, naming the rule and the key."""
    if data in (None, ""):
        return {}
    if not isinstance(data, dict):
        raise ThresholdsError(
            [
                'Risk thresholds must be an object keyed by rule id, e.g. {"relationship.drop": {"enabled": false}}.'
            ]
        )
    rules = rule_by_id()
    clean: dict[str, dict[str, Any]] = {}
    messages: list[str] = []
    for rule_id, settings in data.items():
        rule = rules.get(rule_id)
        if rule is None:
            close = difflib.get_close_matches(str(rule_id), list(rules), n=1)
            hint = f' Did you mean "{close[0]}"?' if close else ""
            messages.append(f'"{rule_id}" is not a risk rule.{hint}')
            continue
        if not isinstance(settings, dict):
            messages.append(
                f'{rule_id}: expected an object of settings, e.g. {{"enabled": false}}, not {_shown(settings)}.'
            )
            continue
        try:
            checked = _model_for(rule).model_validate(settings)
        except ValidationError as invalid:
            messages += [_message(rule, settings, e) for e in invalid.errors()]
            continue
        clean[rule_id] = checked.model_dump(exclude_unset=True)
    if messages:
        raise ThresholdsError(messages)
    return clean


def clinic_params(clinic: Clinic) -> dict[str, dict[str, Any]]:
    """Every rule's parameters for this clinic, by rule id: its defaults with the clinic's validated
    overrides on top. Raises ThresholdsError when the stored thresholds do not validate."""
    overrides = validate_thresholds(clinic.risk_thresholds)
    return {r.id: r.params_for(overrides) for r in all_rules()}


def rule_params(clinic: Clinic, rule_id: str) -> dict[str, Any]:
    """One rule's parameters for this clinic (what pages show, e.g. the alliance cutoff). Raises
    ThresholdsError when the stored thresholds do not validate, KeyError for an unknown rule."""
    return rule_by_id()[rule_id].params_for(validate_thresholds(clinic.risk_thresholds))


def thresholds_problems(clinic: Clinic) -> list[str]:
    """What is wrong with the clinic's stored thresholds, for the clinic page; empty when all is well."""
    try:
        validate_thresholds(clinic.risk_thresholds)
    except ThresholdsError as problem:
        return problem.messages
    return []
