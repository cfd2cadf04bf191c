"""Repair notes and reasons for resolving: control characters refused with a message (once a 500), at
most MAX_NOTE characters (once cut short silently), the limit shown on the card; an odd return address
goes to the inbox rather than a 500."""

import pytest
from django.urls import reverse

from risk.models import Flag, FlagEvent
from risk.services import MAX_NOTE
from tests.risk.factories import FlagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flag(personas):
    return FlagFactory(episode=personas["owner_episode"], rule="relationship.low_total")


@pytest.mark.parametrize(("step", "field"), [("flag-repair", "note"), ("flag-resolve", "reason")])
@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("talked\x00it through", "characters that can&#x27;t be saved"),
        ("bell\x07", "characters that can&#x27;t be saved"),
        ("x" * (MAX_NOTE + 1), "4,000 characters or fewer"),
    ],
)
def test_words_that_cannot_be_stored_are_refused_and_the_flag_is_unchanged(
    client, personas, flag, step, field, words, message
):
    client.force_login(personas["owner"].user)
    response = client.post(reverse(step, args=[flag.pk]), {field: words}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 400
    assert message in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN and flag.repair_note == "" and flag.resolution == ""
    assert not FlagEvent.objects.filter(flag=flag, action__in=["repair_recorded", "resolved"]).exists()


def test_the_card_shows_the_limit(client, personas, flag):
    client.force_login(personas["owner"].user)
    body = client.get(reverse("flag-detail", args=[flag.pk])).content.decode()
    assert body.count(f'maxlength="{MAX_NOTE}"') == 2
    assert body.count("Up to 4,000 characters.") == 2


@pytest.mark.parametrize("target", ["-3013", "a\x00b", "flag-inbox\n", "https://elsewhere.example/"])
def test_an_odd_return_address_goes_to_the_inbox(client, personas, flag, target):
    client.force_login(personas["owner"].user)
    response = client.post(reverse("flag-acknowledge", args=[flag.pk]), {"next": target})
    assert response.status_code == 302 and response["Location"] == reverse("flag-inbox")
