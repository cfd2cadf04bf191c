"""What each indicator means, and when it signals: written definitions and the documented defaults.

Pure: no database. A clinic overrides any default in SignalSettings.overrides, keyed by indicator, e.g.
{"caseload": {"red": 1.2}, "cancellations": {"amber": 0.15}}. Each indicator stands on its own: there
is no validated composite burnout score, so none is computed."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RED = "red"  # needs attention now
AMBER = "amber"  # worth a look in supervision
NONE = "none"  # no signal
FEW = "few"  # too little data to say
INFO = "info"  # a trend to read, with no threshold

# Urgent first when a supervisor's supervisees are laid out: never a rank, only an order of attention.
URGENCY = {RED: 0, AMBER: 1, FEW: 2, INFO: 3, NONE: 3}

DEFAULTS: dict[str, dict[str, float]] = {
    "caseload": {"amber": 1.0, "amber_weeks": 3, "red": 1.15},
    "sessions_week": {"amber": 25},
    "after_hours": {"amber": 0.2},
    "cancellations": {"amber": 0.10},
    "late_starts": {},
    "gap_days": {"rise_days": 2.0},
    "flags": {"stale_hours": 48},
    "ack_hours": {},
    "alliance": {"drop": 0.05, "min_scores": 3},
    "dropout": {"min_n": 10, "window_days": 90},
}


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    what: str  # how it is computed
    signal: str  # when it signals, by default
    is_not: str  # what it does not mean
    try_: str  # what a supervisor might try


DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "caseload",
        "Caseload vs target",
        "Open episodes held at the end of each week, divided by the clinician's caseload target.",
        "Amber when at or above 100% for 3 weeks running; red at or above 115%.",
        "A full caseload is not poor work; a short one may be a new start or part-time hours.",
        "A caseload review; pausing new referrals for a few weeks.",
    ),
    Definition(
        "sessions_week",
        "Sessions per week",
        "Attended sessions (including late starts) this week and in the last full week, per FTE.",
        "Amber above 25 per FTE in either week.",
        "A busy week is not a burned-out clinician.",
        "Protected admin time; a look at next month's diary together.",
    ),
    Definition(
        "after_hours",
        "After-hours sessions",
        "Share of the last 4 weeks' attended sessions that started before, or ended after, the "
        "clinician's declared hours, or fell on a day they do not declare as worked.",
        "Amber above 20% (overtime raises the odds of burnout: Westwood et al. 2017).",
        "Evening sessions may be the clinician's own choice or what their clients need.",
        "Checking the declared hours are right; moving a few sessions into the day.",
    ),
    Definition(
        "cancellations",
        "Clinician cancellations",
        "Sessions cancelled or rescheduled by the clinician, divided by sessions scheduled to start in "
        "the last 4 weeks.",
        "Amber above 10% (the kept-rate goal is 90% or more).",
        "Illness, training and leave cancel sessions too.",
        "Asking what got in the way; cover for planned leave.",
    ),
    Definition(
        "late_starts",
        "Late starts",
        "Sessions started 10 minutes or more late, divided by attended sessions, last 4 weeks.",
        "No threshold: read the weekly trend.",
        "A late start may follow a client in crisis in the session before.",
        "Buffer time between sessions.",
    ),
    Definition(
        "gap_days",
        "Days between sessions",
        "For each attended session that follows an earlier one in the same episode, the days since that "
        "session; the median across the caseload, by week.",
        "Amber when the mean of the last 4 weekly medians is 2 or more days longer than the 4 weeks "
        "before (every extra 3 days between sessions cut the odds of improvement by about a fifth: "
        "Sayer et al. 2024).",
        "Longer gaps can be planned: clients stepping down towards an ending.",
        "A look at frequency fit; whether the diary has room to book weekly.",
    ),
    Definition(
        "flags",
        "Flags waiting",
        "Flags open and not yet acknowledged, by pillar; stale ones were left unacknowledged longer "
        "than the clinic's limit (48 hours by default).",
        "Amber with any stale flag; red with a stale red flag.",
        "A flag left open may mean a heavy week, not neglect.",
        "Going through the flags together; peer consultation on the hardest.",
    ),
    Definition(
        "ack_hours",
        "Time to acknowledge",
        "Median hours from a flag being raised to its acknowledgement, flags raised in the last 12 weeks.",
        "No threshold: read the weekly trend.",
        "A quick acknowledgement is not the same as a repair.",
        "Agreeing a time each day to look at the inbox.",
    ),
    Definition(
        "alliance",
        "Caseload alliance",
        "The median relationship total across the caseload's check-ins, by week.",
        "Amber when the mean of the last 3 weekly medians is 5% of the scale's maximum (2 points of 40) "
        "or more below the 3 weeks before (weeks with fewer than 3 scores are left out).",
        "Clients' ratings move with their lives as well as with the work.",
        "Supervision on attunement; recording and reviewing a session.",
    ),
    Definition(
        "dropout",
        "Early dropout",
        "Episodes opened in the last 90 days that have ended, other than by transfer, with fewer than 4 "
        "attended sessions, divided by episodes opened in those 90 days.",
        "Amber above the team's 95% funnel limit, red above the 99.8% limit; at least 10 episodes "
        "before any signal.",
        "Some clients get what they need in a few sessions; some move away.",
        "A look at intake and readiness; days between the first sessions.",
    ),
)

DEFINITION_BY_KEY = {d.key: d for d in DEFINITIONS}


class SignalSettingsError(ValueError):
    pass


def thresholds(overrides: Mapping[str, Any] | None) -> dict[str, dict[str, float]]:
    """The defaults with a clinic's overrides laid over them. Unknown keys or non-numbers are refused."""
    merged = {key: dict(values) for key, values in DEFAULTS.items()}
    for key, values in (overrides or {}).items():
        if key not in merged or not isinstance(values, Mapping):
            raise SignalSettingsError(f"Unknown indicator: {key!r}.")
        for name, value in values.items():
            if name not in merged[key]:
                raise SignalSettingsError(f"{key}: unknown setting {name!r}.")
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise SignalSettingsError(f"{key}.{name}: a number of 0 or more is needed.")
            merged[key][name] = float(value)
    return merged


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def caseload_level(ratios: Sequence[float | None], t: Mapping[str, float]) -> str:
    """`ratios`: open episodes / target at the end of each week, oldest first, this week last."""
    if not ratios or ratios[-1] is None:
        return FEW
    if ratios[-1] >= t["red"]:
        return RED
    recent = ratios[-int(t["amber_weeks"]) :]
    if len(recent) == int(t["amber_weeks"]) and all(r is not None and r >= t["amber"] for r in recent):
        return AMBER
    return NONE


def above_level(value: float | None, limit: float) -> str:
    if value is None:
        return FEW
    return AMBER if value > limit else NONE


def rising_level(weekly: Sequence[float | None], *, window: int, rise: float) -> str:
    """Amber when the mean of the last `window` weeks is `rise` or more above the `window` before."""
    recent, before = _mean(weekly[-window:]), _mean(weekly[-2 * window : -window])
    if recent is None or before is None:
        return FEW
    return AMBER if recent - before >= rise else NONE


def flags_level(*, stale: int, stale_red: int) -> str:
    if stale_red:
        return RED
    return AMBER if stale else NONE


def funnel_level(*, rate: float | None, n: int, upper95: float, upper998: float, min_n: float) -> str:
    if rate is None or n < min_n:
        return FEW
    if rate > upper998:
        return RED
    return AMBER if rate > upper95 else NONE


def attention_order(levels: Sequence[str]) -> tuple[int, int, int]:
    """Sort key: most reds first, then most ambers; ties keep their alphabetical order."""
    return (-levels.count(RED), -levels.count(AMBER), -levels.count(FEW))
