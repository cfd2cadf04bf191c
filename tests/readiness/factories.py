"""The readiness pillar: the client's goals and readiness at intake."""

import factory
from django.utils import timezone

from readiness.models import Goal, IntakeReadiness
from tests.care.factories import EpisodeFactory


class GoalFactory(factory.django.DjangoModelFactory):
    """A goal set today, not yet put to the client."""

    class Meta:
        model = Goal

    episode = factory.SubFactory(EpisodeFactory)
    text = "Sleep through the night"
    set_on = factory.LazyFunction(timezone.localdate)


class IntakeReadinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeReadiness

    episode = factory.SubFactory(EpisodeFactory)
    importance = 7
    confidence = 7
    stage = 3
    recorded_on = factory.LazyFunction(timezone.localdate)
