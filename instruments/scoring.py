"""Answers against an instrument: validated strictly, then scored. Pure: no database."""

from typing import Any

from instruments.outcomes import band
from instruments.schemas import Instrument, Item, Scale, ScoreResult


class AnswerError(ValueError):
    """Answers that don't fit the instrument. `errors` maps item key → message for the person."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _visible(item: Item, answers: dict[str, Any]) -> bool:
    if not item.show_if:
        return True
    return all(answers.get(k) == v for k, v in item.show_if.items())


def validate_answers(instrument: Instrument, raw: Any) -> dict[str, Any]:
    """Return clean answers for `instrument`, or raise AnswerError naming every problem.

    Strict on purpose: "20", 20.0 and True are not the integer 20."""
    if not isinstance(raw, dict):
        raise AnswerError({"__all__": "Answers must be an object of item keys to values."})
    errors: dict[str, str] = {}
    known = {item.key for item in instrument.items}
    for key in raw:
        if key not in known:
            errors[str(key)[:64]] = "This question is not part of the form."
    clean: dict[str, Any] = {}
    for item in instrument.items:
        value = raw.get(item.key)
        if value is None or value == "":
            if item.safety or (item.required and _visible(item, raw)):
                errors[item.key] = "Please answer this question."
            continue
        if item.type == "text":
            if not isinstance(value, str):
                errors[item.key] = "Expected words."
            elif len(value) > item.max_length:
                errors[item.key] = f"Please keep this under {item.max_length} characters."
            else:
                clean[item.key] = value
            continue
        if type(value) is not int:  # bool is an int subclass; floats and strings are refused
            errors[item.key] = "Choose one of the answers offered."
            continue
        if item.type == "choice":
            if value not in {o.value for o in item.options}:
                errors[item.key] = "Choose one of the answers offered."
                continue
        else:
            low, high = item.value_range()
            if not low <= value <= high:
                errors[item.key] = f"Choose a number from {low} to {high}."
                continue
        clean[item.key] = value
    if errors:
        raise AnswerError(errors)
    return clean


def _item_score(item: Item, value: int) -> int:
    if not item.reverse:
        return value
    low, high = item.value_range()
    return low + high - value


def _scale_range(instrument: Instrument, scale: Scale) -> tuple[float, float]:
    ranges = [instrument.item(k).value_range() for k in scale.items]
    if scale.method == "mean":
        return min(r[0] for r in ranges), max(r[1] for r in ranges)
    return float(sum(r[0] for r in ranges)), float(sum(r[1] for r in ranges))


def score(instrument: Instrument, answers: dict[str, Any]) -> list[ScoreResult]:
    """Score clean answers. A scale with too few answered items is left out rather than guessed."""
    results = []
    for scale in instrument.scales:
        values = [
            _item_score(instrument.item(k), answers[k])
            for k in scale.items
            if isinstance(answers.get(k), int)
        ]
        if not values or len(values) < scale.min_answered * len(scale.items):
            continue
        if scale.method == "mean":
            value = round(sum(values) / len(values), 2)
        else:
            # Prorate a sum with a few items missing, as the PHQ-9 manual allows.
            value = (
                float(sum(values))
                if len(values) == len(scale.items)
                else round(sum(values) * len(scale.items) / len(values))
            )
        low, high = _scale_range(instrument, scale)
        results.append(
            ScoreResult(
                instrument=instrument.key,
                version=instrument.version,
                scale=scale.key,
                value=float(value),
                minimum=low,
                maximum=high,
                band=band(value, scale.bands),
            )
        )
    return results


def score_answers(instruments: list[Instrument], answers: dict[str, dict[str, Any]]) -> list[ScoreResult]:
    """Score a whole check-in: `answers` is {instrument key: {item key: value}} (already validated)."""
    results: list[ScoreResult] = []
    for instrument in instruments:
        results += score(instrument, answers.get(instrument.key, {}))
    return results
