"""The contract between the risk engine and the rules.

The engine (risk.engine) gathers everything a rule may look at into frozen `EpisodeFacts`: the spine's
sessions, check-ins and scores, plus each pillar's own facts under its key (`facts.pillar("readiness")`),
loaded by the pillar's registered facts loader (care.pillars.Pillar.facts). Each rule is a pure function
`(facts, params) -> Finding | None`. Rules never touch the database, so they are cheap to run thousands
of times (the demo, the cohort analysis) and easy to test with tables of values."""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

from care.models import Session
from risk.schemas import FlagReason


def _frozen_map() -> Mapping[Any, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class CheckInFacts:
    submitted_at: dt.datetime
    # {instrument key: {item key: value}} as the client gave them.
    answers: Mapping[str, Mapping[str, Any]]
    # {"instrument.scale": (value, maximum)}
    scores: Mapping[str, tuple[float, float]] = field(default_factory=_frozen_map)
    id: int | None = None

    def answer(self, instrument: str, item: str) -> Any:
        return self.answers.get(instrument, {}).get(item)

    def score(self, key: str) -> tuple[float, float] | None:
        return self.scores.get(key)


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

    @property
    def attended(self) -> bool:
        return self.attendance in Session.ATTENDED_STATES

    @property
    def answers(self) -> Mapping[str, Mapping[str, Any]]:
        """The client's answers in this session's check-in (none without a submitted one)."""
        return self.checkin.answers if self.checkin is not None else {}

    def answer(self, instrument: str, item: str) -> Any:
        return self.checkin.answer(instrument, item) if self.checkin is not None else None


@dataclass(frozen=True)
class EpisodeFacts:
    episode_id: int
    clinic_id: int
    now: dt.datetime
    is_open: bool
    sessions: tuple[SessionFacts, ...] = ()  # by number, ascending
    # Each pillar's own facts, by pillar key (empty until risk.engine.with_pillar_facts loads them).
    pillars: Mapping[str, Any] = field(default_factory=_frozen_map)

    def pillar(self, key: str) -> Any | None:
        """The facts the pillar `key` loaded for this episode, or None (no loader, or nothing loaded)."""
        return self.pillars.get(key)

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
        """The same episode as it stood after session `session_number` (for the cohort analysis).

        Pillar facts are kept as they are: to replay a moment faithfully, cut the spine facts first and
        load the pillars' facts for the cut (risk.engine.with_pillar_facts), as bench/cohort.py does."""
        return replace(
            self,
            now=now or self.now,
            is_open=True,
            sessions=tuple(s for s in self.sessions if s.number <= session_number),
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
    """A risk rule and what the engine, the thresholds schema and the documentation need to know about it.

    `runs_in`: "engine" — the risk engine runs it on every evaluation of an episode; "request" — it runs
    where its event happens (the PHQ-9 item 9 safety rule, in the client's check-in submit) and the
    engine neither runs it nor closes its flags.
    `resolves_on`: "checkin" — an open flag closes by itself only when a check-in after the flag's
    session no longer shows the problem; "condition" — it closes as soon as the condition clears
    (a next session gets booked, the missing check-in arrives); "hand" — only a clinician closes it.
    `limits`: {key: (lowest, highest)} for a threshold whose range its name does not tell
    (risk.thresholds knows fractions, shares, days, hours, minutes and session numbers)."""

    id: str
    version: str
    pillar: str
    title: str
    evaluate: RuleFunction
    defaults: Params = field(default_factory=_frozen_map)
    source: str = ""
    resolves_on: Literal["checkin", "condition", "hand"] = "checkin"
    runs_in: Literal["engine", "request"] = "engine"
    limits: Mapping[str, tuple[float, float]] = field(default_factory=_frozen_map)
    # What the client's own page says of a finding, to the client ("You told us …"): no clinician words.
    for_client: str = ""

    def params_for(self, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
        """The defaults with the clinic's overrides (Clinic.risk_thresholds[rule id]) on top.

        Only the rule's own keys are taken: risk.thresholds refuses anything else before it is stored."""
        merged = dict(self.defaults)
        mine = (overrides or {}).get(self.id) or {}
        merged.update({k: v for k, v in mine.items() if k in self.defaults})
        return merged


def rule(
    *,
    id: str,
    version: str,
    pillar: str,
    title: str,
    defaults: Params | None = None,
    source: str = "",
    resolves_on: Literal["checkin", "condition", "hand"] = "checkin",
    runs_in: Literal["engine", "request"] = "engine",
    limits: Mapping[str, tuple[float, float]] | None = None,
    switchable: bool = True,
    for_client: str = "",
) -> Callable[[RuleFunction], Rule]:
    """Decorator turning a pure function into a `Rule` that a pillar lists in its registration.

    A clinic may switch a rule off (`"enabled": false`) unless it is registered `switchable=False`."""

    def wrap(fn: RuleFunction) -> Rule:
        return Rule(
            id=id,
            version=version,
            pillar=pillar,
            title=title,
            evaluate=fn,
            defaults=MappingProxyType({**({"enabled": True} if switchable else {}), **(defaults or {})}),
            source=source,
            resolves_on=resolves_on,
            runs_in=runs_in,
            limits=MappingProxyType(dict(limits or {})),
            for_client=for_client,
        )

    return wrap


def reason(text: str, **evidence: str | int | float | bool | None) -> FlagReason:
    return FlagReason(text=text, evidence=evidence)


def fmt(value: float) -> str:
    """3.0 → "3", 3.5 → "3.5": numbers as a clinician would write them."""
    return f"{value:g}"
