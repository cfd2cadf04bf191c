"""A goal in the client's words: control characters refused with a message, at most MAX_GOAL characters
(checked in the service), the limit shown on the client page."""

import pytest
from django.urls import reverse

from readiness.models import Goal
from readiness.services import MAX_GOAL

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Go back\x00 to work", "characters"),  # Django's own form check names NUL characters
        ("Go back\x1b to work", "characters that can&#x27;t be saved"),
        ("g" * (MAX_GOAL + 1), "500 characters or fewer"),
    ],
)
def test_a_goal_that_cannot_be_stored_is_refused_with_a_message(client, personas, text, message):
    episode = personas["owner_episode"]
    client.force_login(personas["owner"].user)
    response = client.post(
        reverse("goal-add", args=[episode.pk]), {"text": text, "endorsed": ""}, follow=True
    )
    assert message in response.content.decode()
    assert not Goal.objects.exists()


def test_the_client_page_shows_the_limit(client, personas):
    episode = personas["owner_episode"]
    client.force_login(personas["owner"].user)
    body = client.get(reverse("client-detail", args=[episode.client_id])).content.decode()
    assert f'maxlength="{MAX_GOAL}"' in body and "Up to 500 characters." in body
