"""The client's words on the check-in form: each text question shows its limit (the engine's
`max_length`, which the service checks), and a longer answer is refused with nothing stored."""

import pytest

from care.models import CheckIn
from tests.checkin.factories import GOOD

pytestmark = pytest.mark.django_db


def test_each_text_question_shows_its_limit(client, opened):
    _session, token = opened
    body = client.get(f"/c/{token}/").content.decode()
    assert 'name="closing.note" rows="4" maxlength="2000"' in body
    assert "Up to 2,000 characters." in body


def test_a_longer_answer_is_refused_and_nothing_is_stored(client, opened):
    session, token = opened
    response = client.post(f"/c/{token}/", {**GOOD, "closing.note": "x" * 2001})
    assert response.status_code == 400
    assert "Please keep this shorter." in response.content.decode()
    assert CheckIn.objects.get(session=session).status != CheckIn.Status.SUBMITTED
