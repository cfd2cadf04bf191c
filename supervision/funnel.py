"""Funnel-plot limits: pure arithmetic, no database.

A funnel plot puts each clinician's rate against their number of cases, around the team's pooled rate
p, with control limits p ± z·sqrt(p(1−p)/n): z = 1.96 (95%) and z = 3.09 (99.8%). A point outside the
99.8% limit is unlikely to be chance alone; one inside them is indistinguishable from the team's rate."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.96
Z998 = 3.09


@dataclass(frozen=True)
class Limits:
    n: int
    lower95: float
    upper95: float
    lower998: float
    upper998: float


def pooled_rate(events: Sequence[int], totals: Sequence[int]) -> float | None:
    total = sum(totals)
    return sum(events) / total if total else None


def limits(p: float, n: int) -> Limits:
    """The limits around rate p for n cases, clipped to [0, 1]. n must be at least 1."""
    if n < 1:
        raise ValueError("n must be at least 1")
    se = math.sqrt(p * (1 - p) / n)

    def clip(x: float) -> float:
        return min(1.0, max(0.0, x))

    return Limits(
        n=n,
        lower95=clip(p - Z95 * se),
        upper95=clip(p + Z95 * se),
        lower998=clip(p - Z998 * se),
        upper998=clip(p + Z998 * se),
    )


def curve(p: float, n_max: int, *, points: int = 40) -> list[Limits]:
    """Limits from n = 1 to n_max, for drawing the funnel's four lines."""
    n_max = max(2, n_max)
    ns = sorted({max(1, round(1 + (n_max - 1) * i / (points - 1))) for i in range(points)})
    return [limits(p, n) for n in ns]
