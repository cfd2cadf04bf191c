"""A supervision note: the message for control characters and for length is care.text's, and the limit
is shown beside the field."""

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.models import SupervisionNote
from supervision.services import MAX_NOTE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bad\x00byte", "characters that can&#x27;t be saved"),
        ("x" * (MAX_NOTE + 1), "5,000 characters or fewer"),
    ],
)
def test_a_note_that_cannot_be_stored_is_refused_with_a_message(client, personas, text, message):
    client.force_login(personas["supervisor"].user)
    response = client.post(
        reverse("supervision-note-create", args=[personas["owner"].pk]),
        {"met_on": timezone.localdate().isoformat(), "text": text},
        follow=True,
    )
    assert message in response.content.decode()
    assert not SupervisionNote.objects.exists()


def test_the_limit_is_shown(client, personas):
    client.force_login(personas["supervisor"].user)
    body = client.get(reverse("supervision-clinician", args=[personas["owner"].pk])).content.decode()
    assert f'maxlength="{MAX_NOTE}"' in body and "Up to 5,000 characters." in body
