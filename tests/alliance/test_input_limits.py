"""The rupture note: control characters refused with a message, at most MAX_RUPTURE_NOTE characters
(checked in the service, a line break counted once as the browser counts it), the limit shown."""

import pytest
from django.urls import reverse

from alliance.models import ClinicianRating
from alliance.services import MAX_RUPTURE_NOTE
from tests.alliance.factories import RATING
from tests.care.factories import SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(personas):
    return SessionFactory(episode=personas["owner_episode"], number=1)


def _post(client, personas, session, note):
    client.force_login(personas["owner"].user)
    return client.post(
        reverse("session-rating", args=[session.pk]),
        {**RATING, "rupture_noticed": "on", "rupture_note": note},
    )


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("quiet\x00after", "characters that can&#x27;t be saved"),
        ("\x1b[31mred", "characters that can&#x27;t be saved"),
        ("x" * (MAX_RUPTURE_NOTE + 1), "2,000 characters or fewer"),
    ],
)
def test_a_note_that_cannot_be_stored_is_refused_with_a_message(client, personas, session, note, message):
    response = _post(client, personas, session, note)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ClinicianRating.objects.exists()


def test_a_note_at_the_limit_with_windows_line_breaks_is_kept(client, personas, session):
    note = "a\r\n" * (MAX_RUPTURE_NOTE // 2 - 1) + "b"  # 1,999 characters once CR LF counts once
    assert _post(client, personas, session, note).status_code == 302
    assert ClinicianRating.objects.get().rupture_note == note.replace("\r\n", "\n").strip()


def test_the_session_page_shows_the_limit(client, personas, session):
    client.force_login(personas["owner"].user)
    body = client.get(reverse("session-detail", args=[session.pk])).content.decode()
    assert f'name="rupture_note" rows="3" maxlength="{MAX_RUPTURE_NOTE}"' in body
    assert "Up to 2,000 characters." in body
