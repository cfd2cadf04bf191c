import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_clinician_reaches_own_client_and_not_a_colleagues(client, personas):
    client.force_login(personas["owner"].user)
    own = personas["owner_episode"].client
    other = personas["colleague_episode"].client
    assert client.get(reverse("client-detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("client-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("client-detail", args=[999999])).status_code == 404
