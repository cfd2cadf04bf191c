"""Behind a reverse proxy, limits count the client's own address: ten wrong tablet codes from one
stranger, or five wrong passwords from one place, no longer lock out everyone behind the same proxy.
Entries a client writes into X-Forwarded-For itself are not believed."""

import pytest
from django.test import RequestFactory, override_settings

from care.client_ip import client_ip
from tests.care.factories import UserFactory

PROXY = "10.0.0.2"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.9", PROXY),  # no proxy trusted: the header is the client's claim
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged left entry is ignored
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "203.0.113.9", PROXY),  # fewer hops than proxies: not through them all
        (1, "not-an-address", PROXY),
        (1, "", PROXY),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_the_client_address_is_taken_from_the_trusted_hop(count, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_ip(request) == expected


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_wrong_tablet_codes_from_one_stranger_do_not_lock_the_clinics_tablet(client):
    stranger = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    for n in range(10):
        # Given a stranger who also forges the header's left entries, every try still counts to them.
        forged = {**stranger, "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}, 198.51.100.7"}
        assert client.post("/c/", {"code": "WRONG234"}, **forged).status_code == 400
    assert client.post("/c/", {"code": "WRONG234"}, **stranger).status_code == 429
    tablet = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.20"}
    assert client.post("/c/", {"code": "WRONG234"}, **tablet).status_code == 400, "the tablet is not locked"


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_wrong_passwords_from_one_place_do_not_lock_the_account_everywhere(client):
    UserFactory(username="sam", password="right-password-123")
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    for _ in range(5):
        client.post("/login/", {"username": "sam", "password": "wrong"}, **attacker)
    locked = client.post("/login/", {"username": "sam", "password": "right-password-123"}, **attacker)
    assert locked.status_code != 302, "the attacker's address is locked out"
    office = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.20"}
    signed_in = client.post("/login/", {"username": "sam", "password": "right-password-123"}, **office)
    assert signed_in.status_code == 302, "the staff member still signs in from the clinic"
