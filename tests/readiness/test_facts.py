"""The readiness pillar's own facts reach the engine: the client's goals and their readiness at intake."""

import datetime as dt

import pytest
from django.utils import timezone

from risk import engine as risk
from risk.models import Flag
from tests.care.factories import EpisodeFactory
from tests.readiness.factories import GoalFactory, IntakeReadinessFactory
from tests.risk.factories import finding_of

pytestmark = pytest.mark.django_db


def test_goals_and_intake_reach_the_readiness_rules():
    episode = EpisodeFactory()
    today = timezone.localdate()
    GoalFactory(episode=episode, text="Sleep better", endorsed_by_client=False, set_on=today)
    GoalFactory(episode=episode, text="Achieved", endorsed_by_client=False, set_on=today, achieved_on=today)
    GoalFactory(
        episode=episode, text="Not yet set", endorsed_by_client=False, set_on=today + dt.timedelta(days=30)
    )
    IntakeReadinessFactory(episode=episode, importance=3, confidence=8, stage=2, recorded_on=today)
    result = risk.evaluate_episode(episode.pk)
    assert {"readiness.goal_not_endorsed", "readiness.low_ruler"} <= set(result.raised)
    flag = Flag.objects.get(episode=episode, pillar="readiness")  # one flag holds both findings
    goal = finding_of(flag, "readiness.goal_not_endorsed")
    assert [r["text"] for r in goal["reasons"]] == ['The client did not endorse the goal "Sleep better".']
    ruler = finding_of(flag, "readiness.low_ruler")
    assert "how important change is 3 of 10 at intake" in ruler["reasons"][0]["text"]
