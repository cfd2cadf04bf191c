"""Flags in the database, and episode facts for rule tests built from a few keyword arguments.

The facts builders touch no database. The pillars' own facts (the clinician's ratings, goals, intake
readiness, clinic totals) go under each pillar's key, as the engine's loaders put them
(risk.gather.with_pillar_facts)."""

import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType

import factory
from django.utils import timezone

from alliance import facts as alliance
from readiness import facts as readiness
from risk.facts import CheckInFacts, EpisodeFacts, SessionFacts
from risk.models import Flag
from tests.alliance.factories import rel as relationship_answers
from tests.care.factories import EpisodeFactory


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag

    episode = factory.SubFactory(EpisodeFactory)
    rule = factory.Sequence(lambda n: f"test_rule_{n}")
    rule_version = "1"
    pillar = "relationship"
    level = Flag.Level.AMBER
    reasons = factory.LazyFunction(lambda: [{"text": "Alliance total 30 of 40, below 36.", "evidence": {}}])
    suggested_action = "Open the next session by asking what felt off last time."
    opened_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


# Facts for the pure rule tests ----------------------------------------------------------------------------

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class BuiltSession:
    """A session's spine facts, and the clinician's rating of it (relationship pillar facts) if any."""

    facts: SessionFacts
    rating: alliance.ClinicianRatingFacts | None = None


def session(
    number: int,
    *,
    days_ago: float | None = None,
    attendance: str = "attended",
    late_minutes: int = 0,
    booked: bool = False,
    answers: dict | None = None,
    rel: dict | None = None,
    clinician: dict | None = None,
    rupture_noticed: bool = False,
) -> BuiltSession:
    """Session `number`, held `days_ago` days before NOW (default: a week per session, latest yesterday)."""
    start = NOW - dt.timedelta(days=days_ago if days_ago is not None else 1 + 7 * (3 - number))
    if rel is not None:
        answers = {**(answers or {}), **relationship_answers(**rel)}
    checkin = None
    if answers is not None:
        scores = {}
        r = answers.get("relationship")
        if r:
            scores["relationship.total"] = (
                float(sum(r[k] for k in ("heard", "goals", "approach", "overall"))),
                40.0,
            )
        checkin = CheckInFacts(submitted_at=start + dt.timedelta(hours=2), answers=answers, scores=scores)
    return BuiltSession(
        SessionFacts(
            id=1000 + number,
            number=number,
            scheduled_start=start,
            scheduled_end=start + dt.timedelta(minutes=50),
            attendance=attendance,
            late_minutes=late_minutes,
            next_session_booked=booked,
            checkin=checkin,
        ),
        (
            alliance.ClinicianRatingFacts(answers=clinician or {}, rupture_noticed=rupture_noticed)
            if clinician is not None or rupture_noticed
            else None
        ),
    )


def facts(*sessions: BuiltSession, goals=(), intake=None, totals=(), is_open=True, now=NOW) -> EpisodeFacts:
    return EpisodeFacts(
        episode_id=1,
        clinic_id=1,
        now=now,
        is_open=is_open,
        sessions=tuple(s.facts for s in sessions),
        pillars=MappingProxyType(
            {
                alliance.PILLAR: alliance.AllianceFacts(
                    ratings={s.facts.id: s.rating for s in sessions if s.rating is not None},
                    clinic_totals_at_session=tuple(sorted(totals)),
                ),
                readiness.PILLAR: readiness.ReadinessFacts(
                    goals=tuple(readiness.GoalFacts(text=t, endorsed_by_client=e) for t, e in goals),
                    intake=readiness.IntakeReadinessFacts(*intake) if intake else None,
                ),
            }
        ),
    )


# Flags carry one finding per rule of their pillar (risk.intents) ----------------------------------------


def flags_with(episode, rule: str):
    """The episode's flags that carry a finding of `rule`, active or not (read in Python: any database)."""
    ids = [f.pk for f in Flag.objects.filter(episode=episode) if any(x["rule"] == rule for x in f.findings)]
    return Flag.objects.filter(pk__in=ids)


def finding_of(flag: Flag, rule: str) -> dict:
    """The finding of `rule` on a flag: {"rule", "level", "reasons", ...}."""
    return next(f for f in flag.findings if f["rule"] == rule)
