"""The clinician home and the client page, as each persona sees them."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_clinician_home_lists_own_caseload_with_flags_and_pillar_chips(client, personas, rich_case):
    # Given the owner's caseload with a flagged client
    client.force_login(personas["owner"].user)
    # When they open their home
    response = client.get(reverse("caseload"))
    # Then they see their clients, the pillar chips with reasons, and the flag in the inbox
    body = response.content.decode()
    assert response.status_code == 200
    flagged = rich_case[0].client
    assert str(flagged) in body
    assert "Relationship fell from 36 to 29" in body
    assert "chip-red" in body and "Act now" in body
    assert str(personas["colleague_episode"].client) not in body
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
