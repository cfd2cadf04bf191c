"""The relationship pillar's facts for its risk rules: the clinician's own ratings of sessions, and this
clinic's relationship totals at the latest check-in's session number (for the relative rule).

Loaded for many episodes at once in a constant number of queries (care.pillars.Pillar.facts)."""

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.db.models import Q

from alliance.models import ClinicianRating
from care.models import Score
from risk.facts import EpisodeFacts, SessionFacts

PILLAR = "relationship"


@dataclass(frozen=True)
class ClinicianRatingFacts:
    answers: Mapping[str, Any]
    rupture_noticed: bool


@dataclass(frozen=True)
class AllianceFacts:
    # The clinician's own rating of a session, by session id.
    ratings: Mapping[int, ClinicianRatingFacts] = field(default_factory=lambda: MappingProxyType({}))
    # This clinic's relationship totals at the latest check-in's session number, sorted ascending.
    clinic_totals_at_session: tuple[float, ...] = ()

    def rating(self, session: SessionFacts) -> ClinicianRatingFacts | None:
        return self.ratings.get(session.id)


NONE = AllianceFacts()


def of(facts: EpisodeFacts) -> AllianceFacts:
    """This pillar's facts of an episode (none loaded: no ratings, no clinic totals)."""
    return facts.pillar(PILLAR) or NONE


# {(clinic id, session number): (expires at, sorted totals)}. The clinic's distribution moves slowly,
# so it is cached: thousands of evaluations back to back reuse it instead of re-reading every rating.
_totals_cache: dict[tuple[int, int], tuple[float, tuple[float, ...]]] = {}
TOTALS_TTL_SECONDS = 600


def clear_totals_cache() -> None:
    _totals_cache.clear()


def clinic_totals(wanted: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[float, ...]]:
    """Sorted relationship totals for each (clinic id, session number): one query for all not cached."""
    now = time.monotonic()
    found = {key: hit[1] for key in wanted if (hit := _totals_cache.get(key)) and hit[0] > now}
    missing = wanted - found.keys()
    if missing:
        by_clinic: dict[int, list[int]] = defaultdict(list)
        for clinic_id, number in missing:
            by_clinic[clinic_id].append(number)
        where = Q()
        for clinic_id, numbers in by_clinic.items():
            where |= Q(
                checkin__session__episode__client__clinic_id=clinic_id, checkin__session__number__in=numbers
            )
        loaded: dict[tuple[int, int], list[float]] = {key: [] for key in missing}
        rows = (
            Score.objects.filter(where, instrument="relationship", scale="total")
            .order_by()
            .values_list("checkin__session__episode__client__clinic_id", "checkin__session__number", "value")
        )
        for clinic_id, number, value in rows:
            loaded[(clinic_id, number)].append(value)
        for key, values in loaded.items():
            found[key] = tuple(sorted(values))
            _totals_cache[key] = (now + TOTALS_TTL_SECONDS, found[key])
    return found


def load(episodes: Sequence[EpisodeFacts]) -> dict[int, AllianceFacts]:
    """The relationship facts of these episodes: two queries at most (ratings, uncached clinic totals)."""
    ratings: dict[int, ClinicianRatingFacts] = {
        session_id: ClinicianRatingFacts(answers=answers, rupture_noticed=noticed)
        for session_id, answers, noticed in ClinicianRating.objects.filter(
            session__episode_id__in=[e.episode_id for e in episodes]
        )
        .order_by()
        .values_list("session_id", "answers", "rupture_noticed")
    }
    # (clinic id, latest check-in's session number) of each episode that has a check-in
    at: dict[int, tuple[int, int]] = {}
    for e in episodes:
        latest = e.latest_checkin()
        if latest is not None:
            at[e.episode_id] = (e.clinic_id, latest.number)
    totals = clinic_totals(set(at.values())) if at else {}
    return {
        e.episode_id: AllianceFacts(
            ratings=MappingProxyType({s.id: ratings[s.id] for s in e.sessions if s.id in ratings}),
            clinic_totals_at_session=totals[at[e.episode_id]] if e.episode_id in at else (),
        )
        for e in episodes
    }
