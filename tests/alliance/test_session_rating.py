"""The clinician's own 30-second rating of a session, posted from its card on the session page."""

import pytest
from django.urls import reverse

from alliance.models import ClinicianRating
from care.models import AuditEvent, Session
from tests.alliance.factories import RATING
from tests.care.factories import SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(personas):
    return SessionFactory(episode=personas["owner_episode"], number=1)


def test_the_clinicians_rating_is_stored_and_audited(client, personas, session):
    client.force_login(personas["owner"].user)
    response = client.post(
        reverse("session-rating", args=[session.pk]),
        {**RATING, "rupture_noticed": "on", "rupture_note": "She went quiet after I mentioned homework."},
    )
    assert response.status_code == 302
    rating = ClinicianRating.objects.get(session=session)
    assert rating.answers == {"heard": 7, "goals": 6, "approach": 8, "overall": 7, "belief": 8}
    assert rating.rupture_noticed and "homework" in rating.rupture_note
    assert rating.rated_by == personas["owner"].user
    assert AuditEvent.objects.filter(object_type="alliance.ClinicianRating", action="create").exists()
    # Saving again replaces it.
    client.post(reverse("session-rating", args=[session.pk]), {**RATING, "rating.heard": "3"})
    rating.refresh_from_db()
    assert rating.answers["heard"] == 3 and not rating.rupture_noticed
    assert ClinicianRating.objects.count() == 1


@pytest.mark.parametrize("bad", ["11", "-1", "seven", ""])
def test_a_bad_rating_is_refused_and_keeps_what_was_entered(client, personas, session, bad):
    client.force_login(personas["owner"].user)
    response = client.post(reverse("session-rating", args=[session.pk]), {**RATING, "rating.heard": bad})
    assert response.status_code == 400
    assert 'name="rating.goals" value="6" checked' in response.content.decode()
    assert not ClinicianRating.objects.exists()


def test_a_session_not_attended_cannot_be_rated(client, personas):
    session = SessionFactory(
        episode=personas["owner_episode"], number=1, attendance=Session.Attendance.NO_SHOW
    )
    client.force_login(personas["owner"].user)
    assert client.post(reverse("session-rating", args=[session.pk]), RATING).status_code == 400
    assert not ClinicianRating.objects.exists()


def test_a_refused_rating_comes_back_with_the_way_to_the_session(client, personas, session):
    client.force_login(personas["owner"].user)
    response = client.post(reverse("session-rating", args=[session.pk]), {**RATING, "rating.heard": "11"})
    html = response.content.decode()
    assert response.status_code == 400
    assert f'href="{reverse("session-detail", args=[session.pk])}"' in html
    assert 'role="alert"' in html or "field-error" in html


def test_the_rating_card_says_whose_rating_it_is_to_each_reader(client, personas, session):
    # Given a session the owner rated
    owner = personas["owner"]
    client.force_login(owner.user)
    client.post(reverse("session-rating", args=[session.pk]), RATING)
    page = reverse("session-detail", args=[session.pk])
    # The clinician reads "Your rating"
    assert "Your rating of the session" in client.get(page).content.decode()
    # Their supervisor reads it under the clinician's name
    client.force_login(personas["supervisor"].user)
    html = client.get(page).content.decode()
    name = owner.user.first_name or str(owner)
    assert f"{name}'s rating of the session" in html and "Your rating of the session" not in html
