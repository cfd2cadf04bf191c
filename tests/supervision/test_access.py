"""Every supervision URL without an id, for every role (those with an id are in the care URL matrix)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# name: {role: expected status of a GET}
PAGES = {
    "supervision": {"owner": 404, "supervisor": 200, "admin": 404},
    "supervision-funnels": {"owner": 404, "supervisor": 200, "admin": 404},
    "my-week": {"owner": 200, "supervisor": 200, "admin": 404},
    "pulse": {"owner": 200, "supervisor": 200, "admin": 404},
    "supervision-definitions": {"owner": 200, "supervisor": 200, "admin": 200},
    "pulse-sharing": {"owner": 405, "supervisor": 405, "admin": 405},
}


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("role", ["owner", "supervisor", "admin"])
def test_each_role_gets_what_it_should(client, personas, name, role):
    who = personas[role]
    client.force_login(getattr(who, "user", who))
    assert client.get(reverse(name)).status_code == PAGES[name][role]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_signed_out_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_admin_cannot_set_a_pulse_sharing_choice(client, personas):
    client.force_login(personas["admin"])
    assert client.post(reverse("pulse-sharing"), {"shared": "1"}).status_code == 404
