"""The plan's words: a 1 MB note (once stored) and control characters are refused with a message and
nothing is stored; each field's limit is shown."""

import pytest
from django.urls import reverse

from regimen.models import PlanRevision
from regimen.services import MAX_LABEL, MAX_NOTE

pytestmark = pytest.mark.django_db

PLAN = {
    "diagnosis_code": "F33.1",
    "diagnosis_label": "Major depressive disorder, recurrent, moderate",
    "modality": "cbt",
    "frequency": "weekly",
    "container": "individual",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("note", "n" * 1_000_000, "2,000 characters or fewer"),
        ("note", "why\x1b[0m", "characters that can&#x27;t be saved"),
        ("diagnosis_label", "Depre\x85ssion", "characters that can&#x27;t be saved"),
        ("diagnosis_label", "Depression\nand anxiety", "characters that can&#x27;t be saved"),
        ("diagnosis_code", "F33\x07", "characters that can&#x27;t be saved"),
    ],
)
def test_words_that_cannot_be_stored_are_refused(client, personas, field, value, message):
    episode = personas["owner_episode"]
    client.force_login(personas["owner"].user)
    response = client.post(reverse("plan-edit", args=[episode.pk]), {**PLAN, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PlanRevision.objects.exists()


def test_a_note_with_windows_line_breaks_is_stored_with_plain_ones(client, personas):
    episode = personas["owner_episode"]
    client.force_login(personas["owner"].user)
    note = "Moved to fortnightly.\r\nClient asked."
    assert client.post(reverse("plan-edit", args=[episode.pk]), {**PLAN, "note": note}).status_code == 302
    assert PlanRevision.objects.get().note == "Moved to fortnightly.\nClient asked."


def test_the_form_shows_each_limit(client, personas):
    episode = personas["owner_episode"]
    client.force_login(personas["owner"].user)
    body = client.get(reverse("plan-edit", args=[episode.pk])).content.decode()
    assert f'maxlength="{MAX_NOTE}"' in body and "Up to 2,000 characters." in body
    assert f'maxlength="{MAX_LABEL}"' in body and "Up to 200 characters." in body
