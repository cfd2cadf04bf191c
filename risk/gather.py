"""Gathering an episode's facts for the rules: the spine's sessions, check-ins and scores, then each
registered pillar's own facts through its loader (care.pillars.Pillar.facts).

Everything is loaded for many episodes at once in a constant number of queries — two for the spine,
and whatever each pillar's loader needs (never one per episode or per session) — so the engine's one
episode and the cohort analysis's thousands go through the same code."""

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType

from care.models import Episode, Score, Session
from care.pillars import all_pillars
from risk.facts import CheckInFacts, EpisodeFacts, SessionFacts

SESSION_FIELDS = (
    "id", "episode_id", "number", "scheduled_start", "scheduled_end", "attendance", "late_minutes",
    "next_session_booked",
)  # fmt: skip
CHECKIN_FIELDS = ("id", "session_id", "submitted_at", "answers")

# {check-in id: {"instrument.scale": (value, maximum)}}
ScoresByCheckIn = Mapping[int, Mapping[str, tuple[float, float]]]


def facts_from(
    episode: Episode, sessions: Iterable[Session], scores: ScoresByCheckIn, *, now: dt.datetime
) -> EpisodeFacts:
    """The spine facts of one episode from rows already loaded (no queries here). Times are in the
    clinic's time zone, so rules and pillar loaders read dates as the clinic does."""
    tz = zoneinfo.ZoneInfo(episode.client.clinic.time_zone)
    return EpisodeFacts(
        episode_id=episode.pk,
        clinic_id=episode.client.clinic_id,
        now=now.astimezone(tz),
        is_open=episode.closed_on is None,
        sessions=tuple(_session_facts(s, tz, scores) for s in sorted(sessions, key=lambda s: s.number)),
    )


def _session_facts(session: Session, tz: zoneinfo.ZoneInfo, scores: ScoresByCheckIn) -> SessionFacts:
    checkin = getattr(session, "checkin", None)
    return SessionFacts(
        id=session.pk,
        number=session.number,
        scheduled_start=session.scheduled_start.astimezone(tz),
        scheduled_end=session.scheduled_end.astimezone(tz),
        attendance=session.attendance,
        late_minutes=session.late_minutes,
        next_session_booked=session.next_session_booked,
        checkin=(
            CheckInFacts(
                submitted_at=checkin.submitted_at,
                answers=checkin.answers,
                scores=MappingProxyType(scores.get(checkin.pk, {})),
                id=checkin.pk,
            )
            if checkin is not None and checkin.submitted_at is not None
            else None
        ),
    )


def spine_facts(episodes: Sequence[Episode], *, now: dt.datetime) -> list[EpisodeFacts]:
    """The spine facts of these episodes (loaded with `client__clinic`): two queries, sessions with
    their check-ins, and scores."""
    ids = [e.pk for e in episodes]
    # Explicit order_by: the models' default orderings follow foreign keys (score → check-in →
    # session → episode), which would add joins to these queries.
    sessions: dict[int, list[Session]] = defaultdict(list)
    # Only what the facts read: the check-in's pinned versions and hashes are JSON too, decoded for nothing.
    sessions_read = (
        Session.objects.filter(episode_id__in=ids)
        .select_related("checkin")
        .only(*SESSION_FIELDS, *(f"checkin__{name}" for name in CHECKIN_FIELDS))
        .order_by("number")
    )
    for s in sessions_read:
        sessions[s.episode_id].append(s)
    scores: dict[int, dict[str, tuple[float, float]]] = defaultdict(dict)
    for checkin_id, instrument, scale, value, maximum in (
        Score.objects.filter(checkin__session__episode_id__in=ids)
        .order_by()
        .values_list("checkin_id", "instrument", "scale", "value", "maximum")
    ):
        scores[checkin_id][f"{instrument}.{scale}"] = (value, maximum)
    return [facts_from(e, sessions[e.pk], scores, now=now) for e in episodes]


def with_pillar_facts(facts: Sequence[EpisodeFacts]) -> list[EpisodeFacts]:
    """The same facts with each registered pillar's own facts added under its key."""
    loaded = {p.key: p.facts(facts) for p in all_pillars() if p.facts is not None}
    return [
        replace(
            f,
            pillars=MappingProxyType(
                {key: mine[f.episode_id] for key, mine in loaded.items() if f.episode_id in mine}
            ),
        )
        for f in facts
    ]


def gather_facts(episodes: Sequence[Episode], *, now: dt.datetime) -> list[EpisodeFacts]:
    """Everything the rules may look at for these episodes, in a constant number of queries."""
    return with_pillar_facts(spine_facts(episodes, now=now))
