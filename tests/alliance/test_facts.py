"""The relationship pillar's own facts reach the engine: the clinician's rating of a session."""

import pytest

from risk import engine as risk
from risk.models import Flag
from tests.alliance.factories import ClinicianRatingFactory, rel
from tests.care.factories import EpisodeFactory, SessionFactory
from tests.checkin.factories import submit

pytestmark = pytest.mark.django_db


def test_the_clinicians_noticed_rupture_reaches_the_relationship_rules():
    episode = EpisodeFactory()
    clinic = episode.client.clinic  # a rupture alone raises a flag only where the clinic asks for it
    clinic.risk_thresholds = {"relationship.rupture": {"informational": False}}
    clinic.save(update_fields=["risk_thresholds"])
    session = SessionFactory(episode=episode, number=1)
    submit(session, rel())
    ClinicianRatingFactory(
        session=session,
        answers={"heard": 10, "goals": 10, "approach": 10, "overall": 10},
        rupture_noticed=True,
    )
    result = risk.evaluate_episode(episode.pk)
    assert "relationship.rupture" in result.raised
    flag = Flag.objects.get(episode=episode, rule="relationship.rupture")
    assert flag.reasons[0]["text"] == "The clinician noted a rupture in session 1."
