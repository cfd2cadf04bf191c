"""Tablet codes are limited per registered tablet and per address: a clinic admin registers a tablet from
the tablet itself (a long-lived signed cookie), and then a stranger guessing codes — even on the clinic's
own network, behind the same address — or a typo-prone tablet locks out only itself."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings
from django.utils import timezone

from care.models import AccessLink, AuditEvent, Tablet, User
from checkin.services import checkin_link_resend
from checkin.tablets import CODE_TRIES, COOKIE
from tests.care.factories import UserFactory

PROXY = "10.0.0.2"
CLINIC_WIFI = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.20"}


def _registered_tablet(personas, name: str) -> Client:
    """The admin opens the tablets page on a new device and registers it."""
    device = Client()
    device.force_login(personas["admin"])
    answer = device.post("/clinic/tablets/", {"action": "register", "name": name})
    assert answer.status_code == 302
    cookie = answer.cookies[COOKIE]
    assert cookie["httponly"] and int(cookie["max-age"]) >= 365 * 24 * 3600
    device.post("/logout/")
    assert COOKIE in device.cookies, "the tablet keeps its cookie after the admin signs out"
    return device


def _wrong_codes(device: Client, times: int) -> list[int]:
    return [device.post("/c/", {"code": "WRONG234"}, **CLINIC_WIFI).status_code for _ in range(times)]


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_wrong_code_from_one_tablet_does_not_lock_another(personas):
    front, back = _registered_tablet(personas, "Front desk"), _registered_tablet(personas, "Room 2")

    assert _wrong_codes(front, CODE_TRIES) == [400] * CODE_TRIES
    assert _wrong_codes(front, 1) == [429], "the front desk tablet waits"
    assert _wrong_codes(back, 1) == [400], "the other tablet, same address, is not locked"


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_stranger_on_the_clinic_network_cannot_lock_the_registered_tablet(personas, opened):
    session, _token = opened
    tablet = _registered_tablet(personas, "Front desk")
    stranger = Client()
    assert _wrong_codes(stranger, CODE_TRIES + 1)[-1] == 429, "the stranger's device is locked"

    _link, _t, code = checkin_link_resend(actor=personas["owner"].user, session=session, email=False)
    opened_form = tablet.post("/c/", {"code": code}, **CLINIC_WIFI)
    assert opened_form.status_code == 302, "the tablet still opens a real code"
    assert AccessLink.objects.filter(from_tablet=True, checkin=session.checkin).exists()


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_revoked_or_forged_tablet_cookie_counts_as_any_device(personas):
    tablet = _registered_tablet(personas, "Front desk")
    admin = Client()
    admin.force_login(personas["admin"])
    admin.post("/clinic/tablets/", {"action": "revoke", "tablet": Tablet.objects.get().pk})
    assert Tablet.objects.get().revoked_at is not None
    assert AuditEvent.objects.filter(object_type="care.Tablet").count() == 2

    stranger = Client()
    _wrong_codes(stranger, CODE_TRIES)
    assert _wrong_codes(tablet, 1) == [429], "revoked: counted with its address"
    forged = Client()
    forged.cookies[COOKIE] = "1"
    assert _wrong_codes(forged, 1) == [429]


@pytest.mark.django_db
def test_only_the_clinics_admin_registers_or_revokes_tablets(client, personas):
    client.force_login(personas["owner"].user)
    assert client.get("/clinic/tablets/").status_code == 404
    assert client.post("/clinic/tablets/", {"action": "register", "name": "Mine"}).status_code == 404
    other_admin = UserFactory(role=User.Role.ADMIN)
    mine = Tablet.objects.create(clinic=personas["clinic"], name="Waiting room 3")
    client.force_login(other_admin)
    assert client.post("/clinic/tablets/", {"action": "revoke", "tablet": mine.pk}).status_code == 404
    mine.refresh_from_db()
    assert mine.revoked_at is None
    assert client.get("/clinic/tablets/").status_code == 200
    assert "Waiting room 3" not in client.get("/clinic/tablets/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_old_tablet_mark_into_its_own_field(personas):
    executor = MigrationExecutor(connection)
    executor.migrate([("care", "0007_two_factor_setting_and_denied_access")])
    old = executor.loader.project_state([("care", "0007_two_factor_setting_and_denied_access")]).apps
    OldLink = old.get_model("care", "AccessLink")
    client = personas["owner_episode"].client
    common = {
        "purpose": "portal",
        "client_id": client.pk,
        "expires_at": timezone.now() + dt.timedelta(days=1),
    }
    OldLink.objects.create(token_hash="a" * 64, code_hash="tablet", **common)
    OldLink.objects.create(token_hash="b" * 64, code_hash="c" * 64, **common)

    executor = MigrationExecutor(connection)
    # Forward to every app's latest migration, not just care's: going back to 0007 also unapplied the
    # migrations that depend on 0008, and the tests after this one need the whole schema.
    executor.migrate(executor.loader.graph.leaf_nodes())

    marked = AccessLink.objects.get(token_hash="a" * 64)
    assert marked.from_tablet and marked.code_hash == ""
    typed = AccessLink.objects.get(token_hash="b" * 64)
    assert not typed.from_tablet and typed.code_hash == "c" * 64
