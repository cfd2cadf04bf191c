"""Pillars bring their own facts to the engine through the registry (care.pillars.Pillar.facts), loaded
for many episodes at once in a constant number of queries; the risk app names none of them. (Each
pillar's facts reaching its rules are tested with the pillar.)"""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.facts import clear_totals_cache
from care.models import Episode
from care.pillars import Pillar, register, unregister
from risk import engine as risk
from risk.facts import EpisodeFacts, Finding, reason, rule
from risk.gather import gather_facts
from risk.models import Flag
from risk.rules import engine_rules, rule_by_id
from risk.safety import safety_check
from tests.alliance.factories import ClinicianRatingFactory, rel
from tests.care.factories import CheckInFactory, EpisodeFactory, SessionFactory
from tests.checkin.factories import submit
from tests.readiness.factories import GoalFactory, IntakeReadinessFactory

pytestmark = pytest.mark.django_db
RISK_APP = Path(__file__).resolve().parents[2] / "risk"


def test_the_risk_app_names_no_pillar_data():
    pillar_words = (
        "clinician_rating",
        "ClinicianRating",
        "intake_readiness",
        "IntakeReadiness",
        "Goal",
        ".goals",
    )
    for path in RISK_APP.rglob("*.py"):
        text = path.read_text()
        assert not [w for w in pillar_words if w in text], path


# A toy fifth pillar, with facts of its own --------------------------------------------------------------


@dataclass(frozen=True)
class ToyFacts:
    program: str


LOADED: list[int] = []


def load_toy_facts(episodes):
    """One query for all episodes, as every loader must."""
    LOADED.append(len(episodes))
    names = dict(
        Episode.objects.filter(id__in=[e.episode_id for e in episodes]).values_list("id", "program__name")
    )
    return {e.episode_id: ToyFacts(program=names[e.episode_id]) for e in episodes}


@rule(id="toy.program", version="1", pillar="toy", title="In the toy programme")
def in_toy_program(facts: EpisodeFacts, params) -> Finding | None:
    mine = facts.pillar("toy")
    if mine is None or mine.program != "Toy":
        return None
    return Finding(
        level="amber",
        reasons=(reason("In the toy programme.", program=mine.program),),
        suggested_action="Play.",
    )


@pytest.fixture
def toy_pillar():
    register(
        Pillar(
            key="toy", label="Toy", order=99, instruments=(), rules=(in_toy_program,), facts=load_toy_facts
        )
    )
    LOADED.clear()
    yield
    unregister("toy")


def test_a_pillar_registered_with_facts_is_seen_by_the_engine(toy_pillar):
    episode = EpisodeFactory(program__name="Toy")
    result = risk.evaluate_episode(episode.pk)
    assert "toy.program" in result.raised
    flag = Flag.objects.get(episode=episode, rule="toy.program")
    assert flag.pillar == "toy" and flag.reasons[0]["evidence"] == {"program": "Toy"}
    assert LOADED == [1]


def test_a_clinic_may_switch_the_toy_pillars_rule_off(toy_pillar):
    episode = EpisodeFactory(program__name="Toy")
    episode.client.clinic.risk_thresholds = {"toy.program": {"enabled": False}}
    episode.client.clinic.save(update_fields=["risk_thresholds"])
    assert "toy.program" not in risk.evaluate_episode(episode.pk).raised


# Every pillar's facts for many episodes -------------------------------------------------------------------


def test_facts_for_many_episodes_take_as_many_queries_as_for_one():
    def episode_with_everything():
        episode = EpisodeFactory()
        for n in (1, 2):
            session = SessionFactory(episode=episode, number=n, days_ago=10 - n)
            submit(session, rel(heard=7))
            ClinicianRatingFactory(session=session)
        GoalFactory(episode=episode, text="Walk daily", endorsed_by_client=True)
        IntakeReadinessFactory(episode=episode, importance=7, confidence=7, stage=3)
        return Episode.objects.select_related("client__clinic").get(pk=episode.pk)

    def queries_for(episodes):
        clear_totals_cache()
        with CaptureQueriesContext(connection) as ctx:
            facts = gather_facts(episodes, now=timezone.now())
        assert all(f.pillar("relationship").ratings and f.pillar("readiness").intake for f in facts)
        return len(ctx.captured_queries)

    one = queries_for([episode_with_everything()])
    # sessions with check-ins, scores; relationship: ratings, clinic totals; readiness: goals, intake
    assert one == 6
    assert queries_for([episode_with_everything() for _ in range(10)]) == one


# The safety rule, a rule like the others that runs in the request -----------------------------------------


def test_the_safety_rule_is_known_and_titled_like_the_others():
    safety = rule_by_id()["phq9_item9_safety"]
    assert (safety.pillar, safety.title, safety.resolves_on, safety.runs_in) == (
        "safety",
        "Safety: check on the client today",
        "hand",
        "request",
    )
    assert safety.source and "enabled" not in safety.defaults
    assert safety not in engine_rules()


def test_safety_check_raises_the_red_flag_and_the_engine_never_closes_it(client, personas):
    episode = personas["owner_episode"]
    session = SessionFactory(episode=episode, number=1, days_ago=8)
    answers = {"phq9": {"item9": 2}}
    checkin = submit(
        session, {**rel(), **{"phq9": {**{f"item{i}": 0 for i in range(1, 9)}, "item9": 2, "difficulty": 0}}}
    )
    assert safety_check(episode=episode, session=session, checkin=checkin, answers=answers) == 2
    flag = Flag.objects.get(episode=episode, rule="phq9_item9_safety")
    assert (flag.level, flag.pillar, flag.session_id) == ("red", "safety", session.pk)
    assert flag.reasons[0]["evidence"] == {
        "checkin": checkin.pk,
        "session": 1,
        "item": "phq9.item9",
        "answer": 2,
        "threshold": "> 0",
    }
    # A later good check-in: the engine leaves the safety flag open; only a clinician closes it
    submit(SessionFactory(episode=episode, number=2), rel(), evaluate=True)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN
    # The inbox titles it from the registry
    client.force_login(personas["owner"].user)
    assert "Safety: check on the client today" in client.get("/flags/").content.decode()


def test_safety_check_is_quiet_for_item_9_at_zero():
    episode = EpisodeFactory()
    session = SessionFactory(episode=episode, number=1)
    checkin = CheckInFactory(session=session)
    assert (
        safety_check(episode=episode, session=session, checkin=checkin, answers={"phq9": {"item9": 0}})
        is None
    )
    assert not Flag.objects.filter(episode=episode).exists()
