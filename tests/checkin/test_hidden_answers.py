"""Words typed in the optional "what happened" box are not kept when the client then answered "No" to
the question that reveals it (the box was hidden when they sent the form)."""

from types import SimpleNamespace
from typing import cast

import pytest

from care.models import CheckIn
from checkin.services import _without_hidden
from instruments.schemas import Instrument
from tests.checkin.factories import GOOD

pytestmark = pytest.mark.django_db

WORDS = "They talked over me about my brother"


@pytest.mark.parametrize(
    ("misunderstood", "kept"),
    [("0", False), ("1", True)],
    ids=["answered-no-words-dropped", "answered-yes-words-kept"],
)
def test_the_what_happened_words_are_kept_only_when_the_box_was_shown(client, opened, misunderstood, kept):
    session, token = opened
    posted = {**GOOD, "relationship.misunderstood": misunderstood, "relationship.misunderstood_words": WORDS}
    response = client.post(f"/c/{token}/", posted)
    assert response.status_code == 200
    answers = CheckIn.objects.get(session=session).answers["relationship"]
    assert ("misunderstood_words" in answers) is kept
    assert answers["misunderstood"] == int(misunderstood)


def test_the_dropped_words_are_not_shown_on_the_clinicians_session_page(client, personas, opened):
    session, token = opened
    posted = {**GOOD, "relationship.misunderstood": "0", "relationship.misunderstood_words": WORDS}
    client.post(f"/c/{token}/", posted)
    client.force_login(personas["owner"].user)
    assert WORDS not in client.get(f"/sessions/{session.pk}/").content.decode()


def _instrument(items: list[tuple[str, dict | None]]) -> Instrument:
    # Only the keys and conditions matter to the rule: a stand-in for a full definition.
    return cast(Instrument, SimpleNamespace(items=[SimpleNamespace(key=k, show_if=c) for k, c in items]))


CHAIN = [("a", None), ("b", {"a": 1}), ("c", {"b": 1})]


@pytest.mark.parametrize(
    ("clean", "kept"),
    [
        ({"a": 1, "b": 1, "c": "x"}, {"a": 1, "b": 1, "c": "x"}),
        ({"a": 1, "b": 0, "c": "x"}, {"a": 1, "b": 0}),
        ({"a": 0, "b": 1, "c": "x"}, {"a": 0}),  # c hides behind b, which hides behind a
        ({"a": 0}, {"a": 0}),
    ],
)
def test_hidden_answers_are_dropped_in_chains(clean, kept):
    assert _without_hidden(_instrument(CHAIN), clean) == kept
