"""The readiness pillar's facts for its risk rules: the client's current goals and the intake
readiness assessment. Loaded for many episodes at once in two queries (care.pillars.Pillar.facts)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from readiness.models import Goal, IntakeReadiness
from risk.facts import EpisodeFacts

PILLAR = "readiness"


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
class ReadinessFacts:
    goals: tuple[GoalFacts, ...] = ()  # not yet achieved, set by the time of the facts
    intake: IntakeReadinessFacts | None = None


NONE = ReadinessFacts()


def of(facts: EpisodeFacts) -> ReadinessFacts:
    """This pillar's facts of an episode (none loaded: no goals, no intake assessment)."""
    return facts.pillar(PILLAR) or NONE


def load(episodes: Sequence[EpisodeFacts]) -> dict[int, ReadinessFacts]:
    """Goals not yet achieved and the intake assessment of these episodes: two queries.

    A goal counts from the day it was set (`set_on` up to the facts' `now`), so a replay of an earlier
    moment (bench/cohort.py) does not see goals set later."""
    ids = [e.episode_id for e in episodes]
    goals: dict[int, list[tuple[dt.date, GoalFacts]]] = defaultdict(list)
    for episode_id, set_on, text, endorsed in (
        Goal.objects.filter(episode_id__in=ids, achieved_on__isnull=True)
        .order_by("episode_id", "id")
        .values_list("episode_id", "set_on", "text", "endorsed_by_client")
    ):
        goals[episode_id].append((set_on, GoalFacts(text=text, endorsed_by_client=endorsed)))
    intake = {
        episode_id: IntakeReadinessFacts(importance=importance, confidence=confidence, stage=stage)
        for episode_id, importance, confidence, stage in IntakeReadiness.objects.filter(episode_id__in=ids)
        .order_by()
        .values_list("episode_id", "importance", "confidence", "stage")
    }
    return {
        e.episode_id: ReadinessFacts(
            goals=tuple(g for set_on, g in goals[e.episode_id] if set_on <= e.now.date()),
            intake=intake.get(e.episode_id),
        )
        for e in episodes
    }
