"""The relationship pillar: the clinician's rating of a session, and the client's relationship answers."""

import factory
from django.utils import timezone

from alliance.models import ClinicianRating
from tests.care.factories import SessionFactory

# The client's relationship answers with nothing wrong: 40/40, no rupture.
GOOD = {"heard": 10, "goals": 10, "approach": 10, "overall": 10, "belief": 9, "misunderstood": 0}
# The clinician's rating as the session page's form posts it.
RATING = {
    "rating.heard": "7",
    "rating.goals": "6",
    "rating.approach": "8",
    "rating.overall": "7",
    "rating.belief": "8",
}


def rel(**items) -> dict:
    """A check-in's answers: the relationship section, good but for `items`."""
    return {"relationship": {**GOOD, **items}}


class ClinicianRatingFactory(factory.django.DjangoModelFactory):
    """The clinician's own rating of a session, by the clinician who holds the episode."""

    class Meta:
        model = ClinicianRating

    session = factory.SubFactory(SessionFactory)
    rated_by = factory.SelfAttribute("session.episode.clinician.user")
    rated_at = factory.LazyFunction(timezone.now)
    instrument_version = "1"
