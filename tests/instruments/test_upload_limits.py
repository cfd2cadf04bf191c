"""The key and version typed on the upload form: control characters and over-long values are refused
with a message by the one upload service (so by the page and the API alike), nothing is stored, and the
page shows the limits."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from instruments.models import InstrumentDefinition
from instruments.services import MAX_KEY, MAX_VERSION
from tests.instruments.test_strict_input import GOOD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("version", "1\x07", "characters that can't be saved"),
        ("version", "v" * (MAX_VERSION + 1), "32 characters or fewer"),
        ("key", "mood\x1b", "characters that can't be saved"),
        ("key", "k" * (MAX_KEY + 1), "64 characters or fewer"),
    ],
)
@pytest.mark.parametrize("url", ["instrument-upload", "api-instrument-upload"])
def test_a_typed_key_or_version_that_cannot_be_stored_is_refused(
    client, personas, field, value, message, url
):
    client.force_login(personas["admin"])
    data = {"file": SimpleUploadedFile("def.json", json.dumps(GOOD).encode()), field: value}
    response = client.post(reverse(url), data)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not InstrumentDefinition.objects.exists()


def test_the_page_shows_the_limits(client, personas):
    client.force_login(personas["admin"])
    body = client.get(reverse("instrument-list")).content.decode()
    assert f'maxlength="{MAX_KEY}"' in body and "Up to 64 characters." in body
    assert f'maxlength="{MAX_VERSION}"' in body and "Up to 32 characters." in body
