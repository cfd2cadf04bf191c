"""Outcome maths for charts and reports: bands, reliable change, response, remission, recovery.

Pure functions of numbers: no ORM, no request. Lower is better on every measure here (PHQ-9, GAD-7).
Sources and the reasoning behind the defaults are in docs/instruments.md ("Outcome maths")."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from instruments.schemas import Band


@dataclass(frozen=True)
class MeasureNorms:
    """What the maths needs to know about a measure.

    `sd` and `reliability` feed Jacobson & Truax (1991); `caseness` is the score at or above which a
    person counts as a clinical case (used for recovery); `remission_below` for remission; `name` is
    how pages name the measure, the same in every language."""

    name: str
    sd: float
    reliability: float
    caseness: float
    remission_below: float
    maximum: float


# r: test–retest reliability from the validation papers (PHQ-9: Kroenke, Spitzer & Williams 2001,
# r = .84; GAD-7: Spitzer et al. 2006, ICC = .83). sd: chosen so that, with that r, the Jacobson–Truax
# threshold lands on the reliable-change criteria used by NHS Talking Therapies (PHQ-9 ≥ 6, GAD-7 ≥ 4).
# A clinic with enough data should pass its own baseline SD instead.
NORMS: dict[str, MeasureNorms] = {
    "phq9": MeasureNorms(name="PHQ-9", sd=5.4, reliability=0.84, caseness=10, remission_below=5, maximum=27),
    "gad7": MeasureNorms(name="GAD-7", sd=3.45, reliability=0.83, caseness=8, remission_below=5, maximum=21),
}


def band(value: float, bands: Sequence[Band], language: str = "en") -> str:
    """The label of the band `value` falls in, or "" when it falls in none. The bands are the
    instrument definition's (a scale's `bands`): scoring stores this label with every score."""
    for b in bands:
        if b.min <= value <= b.max:
            return b.label.get(language) or b.label["en"]
    return ""


@dataclass(frozen=True)
class ReliableChange:
    change: float  # after − before
    se: float  # standard error of measurement, s1·√(1−r)
    s_diff: float  # √2·SE
    threshold: float  # 1.96·S_diff: a change must exceed this to be reliable
    index: float  # RCI = change / S_diff
    reliable: bool
    direction: str  # "improved", "deteriorated" or "no reliable change"


def reliable_change(before: float, after: float, *, sd: float, reliability: float) -> ReliableChange:
    """Jacobson & Truax (1991): SE = s1·√(1−r), S_diff = √2·SE, reliable if |x2 − x1| > 1.96·S_diff."""
    if sd <= 0 or not 0 <= reliability < 1:
        raise ValueError("sd must be positive and reliability in [0, 1)")
    se = sd * math.sqrt(1 - reliability)
    s_diff = math.sqrt(2) * se
    threshold = 1.96 * s_diff
    change = after - before
    reliable = abs(change) > threshold
    direction = "no reliable change" if not reliable else "improved" if change < 0 else "deteriorated"
    return ReliableChange(
        change=change,
        se=se,
        s_diff=s_diff,
        threshold=threshold,
        index=change / s_diff,
        reliable=reliable,
        direction=direction,
    )


def reliable_change_threshold(norms: MeasureNorms) -> float:
    """The smallest change on the measure that counts as reliable (1.96·S_diff)."""
    return reliable_change(0, 0, sd=norms.sd, reliability=norms.reliability).threshold


def changes_from_first(values: Sequence[float], *, norms: MeasureNorms) -> list[str]:
    """Each score against the first: "improved", "deteriorated" or "no reliable change" (lower is
    better), as the charts mark them."""
    if not values:
        return []
    first = values[0]
    return [
        reliable_change(first, value, sd=norms.sd, reliability=norms.reliability).direction
        for value in values
    ]


def clinical_cutoff(
    *, functional_mean: float, functional_sd: float, clinical_mean: float, clinical_sd: float
) -> float:
    """Jacobson & Truax criterion c = (s0·M1 + s1·M0)/(s0 + s1): the point between the functional (0)
    and clinical (1) populations, weighted by their spread."""
    if functional_sd <= 0 or clinical_sd <= 0:
        raise ValueError("standard deviations must be positive")
    return (functional_sd * clinical_mean + clinical_sd * functional_mean) / (functional_sd + clinical_sd)


def response(before: float, after: float, *, drop: float = 0.5) -> bool:
    """A response is a fall of at least `drop` (50%) from a non-zero baseline."""
    if before <= 0:
        return False
    return (before - after) >= drop * before


def remission(after: float, *, below: float) -> bool:
    """In remission when the latest score is below the threshold (PHQ-9: < 5)."""
    return after < below


def recovered(before: float, after: float, *, caseness: float) -> bool:
    """Recovery (NHS Talking Therapies): a case at the start (≥ caseness) and not a case at the end."""
    return before >= caseness and after < caseness


@dataclass(frozen=True)
class Outcome:
    measure: str
    before: float
    after: float
    change: ReliableChange
    response: bool
    remission: bool
    recovered: bool
    reliable_recovery: bool


def outcome(measure: str, before: float, after: float, *, norms: MeasureNorms | None = None) -> Outcome:
    """Every outcome figure for a first and a latest score on `measure` (e.g. "phq9")."""
    n = norms or NORMS[measure]
    for value in (before, after):
        if not 0 <= value <= n.maximum:
            raise ValueError(f"{measure} scores run from 0 to {n.maximum:g}; got {value:g}")
    change = reliable_change(before, after, sd=n.sd, reliability=n.reliability)
    is_recovered = recovered(before, after, caseness=n.caseness)
    return Outcome(
        measure=measure,
        before=before,
        after=after,
        change=change,
        response=response(before, after),
        remission=remission(after, below=n.remission_below),
        recovered=is_recovered,
        reliable_recovery=is_recovered and change.direction == "improved",
    )
