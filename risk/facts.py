"""The contract between the risk engine and the pillars' rules.

The engine (risk.engine) gathers everything a rule may look at into frozen `EpisodeFacts`; each rule is a
pure function `(facts, params) -> Finding | None`. Rules never touch the database, so they are cheap to
run thousands of times (the demo, the cohort analysis) and easy to test with tables of values."""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from risk.schemas import FlagReason

ATTENDED = frozenset({"attended", "late_start"})
CLINICIAN_INITIATED = frozenset({"cancelled_clinician", "rescheduled_clinician"})


@dataclass(frozen=True)
class CheckInFacts:
    submitted_at: dt.datetime
    # {instrument key: {item key: value}} as the client gave them.
    answers: Mapping[str, Mapping[str, Any]]
    # {"instrument.scale": (value, maximum)}
    scores: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def answer(self, instrument: str, item: str) -> Any:
        return self.answers.get(instrument, {}).get(item)

    def score(self, key: str) -> tuple[float, float] | None:
        return self.scores.get(key)


@dataclass(frozen=True)
class ClinicianRatingFacts:
    answers: Mapping[str, Any]
    rupture_noticed: bool


@dataclass(frozen=True)
class SessionFacts:
    id: int
    number: int
    scheduled_start: dt.datetime
    scheduled_end: dt.datetime
    attendance: str
    late_minutes: int = 0
    next_session_booked: bool = False
    checkin: CheckInFacts | None = None
    clinician_rating: ClinicianRatingFacts | None = None

    @property
    def attended(self) -> bool:
        return self.attendance in ATTENDED


@dataclass(frozen=True)
class GoalFacts:
    text: str
    endorsed_by_client: bool | None


@dataclass(frozen=True)
class IntakeReadinessFacts:
    importance: int
    confidence: int
    stage: int


@dataclass(frozen=True)
class EpisodeFacts:
    episode_id: int
    clinic_id: int
    now: dt.datetime
    is_open: bool
    sessions: tuple[SessionFacts, ...] = ()  # by number, ascending
    goals: tuple[GoalFacts, ...] = ()
    intake: IntakeReadinessFacts | None = None
    # This clinic's relationship totals at the latest check-in's session number, sorted ascending
    # (empty when the engine was asked not to load them).
    clinic_totals_at_session: tuple[float, ...] = ()

    def checked_in(self) -> list[SessionFacts]:
        """Sessions with a submitted check-in, oldest first."""
        return [s for s in self.sessions if s.checkin is not None]

    def latest_checkin(self) -> SessionFacts | None:
        done = self.checked_in()
        return done[-1] if done else None

    def previous_checkin(self) -> SessionFacts | None:
        done = self.checked_in()
        return done[-2] if len(done) > 1 else None

    def until(self, session_number: int, *, now: dt.datetime | None = None) -> "EpisodeFacts":
        """The same episode as it stood after session `session_number` (for the cohort analysis)."""
        return EpisodeFacts(
            episode_id=self.episode_id,
            clinic_id=self.clinic_id,
            now=now or self.now,
            is_open=True,
            sessions=tuple(s for s in self.sessions if s.number <= session_number),
            goals=self.goals,
            intake=self.intake,
            clinic_totals_at_session=self.clinic_totals_at_session,
        )


@dataclass(frozen=True)
class Finding:
    """What a rule found. The engine adds the rule's id, version and pillar when it raises the flag."""

    level: Literal["red", "amber"]
    reasons: tuple[FlagReason, ...]
    suggested_action: str
    session_id: int | None = None


Params = Mapping[str, Any]
RuleFunction = Callable[[EpisodeFacts, Params], Finding | None]


@dataclass(frozen=True)
class Rule:
    """A pillar's risk rule and what the engine and the documentation need to know about it.

    `resolves_on`: "checkin" — an open flag closes by itself only when a check-in after the flag's
    session no longer shows the problem; "condition" — it closes as soon as the condition clears
    (a next session gets booked, the missing check-in arrives)."""

    id: str
    version: str
    pillar: str
    title: str
    evaluate: RuleFunction
    defaults: Params = field(default_factory=lambda: MappingProxyType({}))
    source: str = ""
    resolves_on: Literal["checkin", "condition"] = "checkin"
    # Does the rule need this clinic's distribution of ratings (one extra, cached, query)?
    needs_clinic_totals: bool = False

    def params_for(self, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
        """The defaults with the clinic's overrides (Clinic.risk_thresholds[rule id]) on top."""
        merged = dict(self.defaults)
        mine = (overrides or {}).get(self.id) or {}
        merged.update({k: v for k, v in mine.items() if k in self.defaults or k == "enabled"})
        return merged


def rule(
    *,
    id: str,
    version: str,
    pillar: str,
    title: str,
    defaults: Params | None = None,
    source: str = "",
    resolves_on: Literal["checkin", "condition"] = "checkin",
    needs_clinic_totals: bool = False,
) -> Callable[[RuleFunction], Rule]:
    """Decorator turning a pure function into a `Rule` that a pillar lists in its registration."""

    def wrap(fn: RuleFunction) -> Rule:
        return Rule(
            id=id,
            version=version,
            pillar=pillar,
            title=title,
            evaluate=fn,
            defaults=MappingProxyType({"enabled": True, **(defaults or {})}),
            source=source,
            resolves_on=resolves_on,
            needs_clinic_totals=needs_clinic_totals,
        )

    return wrap


def reason(text: str, **evidence: str | int | float | bool | None) -> FlagReason:
    return FlagReason(text=text, evidence=evidence)


def fmt(value: float) -> str:
    """3.0 → "3", 3.5 → "3.5": numbers as a clinician would write them."""
    return f"{value:g}"
