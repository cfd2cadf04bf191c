"""The regimen pillar: the treatment plan and its revisions."""

import factory
from django.utils import timezone

from regimen.models import PlanRevision
from tests.care.factories import EpisodeFactory


class PlanRevisionFactory(factory.django.DjangoModelFactory):
    """The first plan: weekly individual CBT for recurrent moderate depression."""

    class Meta:
        model = PlanRevision

    episode = factory.SubFactory(EpisodeFactory)
    number = 1
    diagnosis_code = "F33.1"
    diagnosis_label = "Major depressive disorder, recurrent, moderate"
    modality = PlanRevision.Modality.CBT
    frequency = PlanRevision.Frequency.WEEKLY
    container = PlanRevision.Container.INDIVIDUAL
    revised_at = factory.LazyFunction(timezone.now)
