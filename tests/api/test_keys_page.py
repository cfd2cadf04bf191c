"""The clinic admin's API keys page: a key is shown once and stored hashed; rotate and revoke; admins of
this clinic only."""

import os
import re

import pytest
import redis

from api.keys import hash_key
from api.models import ApiKey
from care.models import AuditEvent, User
from tests.api.conftest import make_api
from tests.care.factories import UserFactory
from tests.conftest import require_service

pytestmark = pytest.mark.django_db


def _make(client, **data):
    return client.post("/api/keys/new/", {"name": "EHR", "scopes": ["flags:read", "schedule:write"], **data})


def test_the_admin_makes_a_key_that_is_shown_once_and_stored_hashed(client, clinic_setup):
    client.force_login(clinic_setup["admin"])
    response = _make(client)
    assert response.status_code == 200
    secret = re.search(r"atk_[0-9a-f]{8}_[A-Za-z0-9_\-]+", response.content.decode()).group(0)
    key = ApiKey.objects.get()
    assert key.secret_hash == hash_key(secret) and secret not in str(key.__dict__)
    assert key.scopes == ["flags:read", "schedule:write"]
    assert response["Cache-Control"] == "no-store"
    assert secret not in client.get("/api/keys/").content.decode()
    assert AuditEvent.objects.filter(object_type="api.ApiKey", action="create").count() == 1
    api = client.get("/api/v1/flags/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.status_code == 200
    ApiKey.objects.update(last_used_at=None)
    client.get("/api/v1/flags/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert ApiKey.objects.get().last_used_at is not None
    assert "never" not in client.get("/api/keys/").content.decode()


def test_a_key_needs_a_permission(client, clinic_setup):
    client.force_login(clinic_setup["admin"])
    assert client.post("/api/keys/new/", {"name": "EHR"}).status_code == 400
    assert not ApiKey.objects.exists()


def test_rotation_gives_a_new_secret_and_the_old_one_keeps_working_for_a_while(client, clinic_setup):
    client.force_login(clinic_setup["admin"])
    old_secret = re.search(r"atk_\w+_[\w\-]+", _make(client).content.decode()).group(0)
    old = ApiKey.objects.get()
    page = client.post(f"/api/keys/{old.pk}/rotate/").content.decode()
    new_secret = re.search(r"atk_\w+_[\w\-]+", page).group(0)
    assert new_secret != old_secret
    for secret in (old_secret, new_secret):
        assert client.get("/api/v1/flags/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    old.refresh_from_db()
    assert old.expires_at is not None and old.replaced_by.scopes == old.scopes
    ApiKey.objects.filter(pk=old.pk).update(expires_at=old.created_at)
    assert client.get("/api/v1/flags/", HTTP_AUTHORIZATION=f"Bearer {old_secret}").status_code == 401


def test_revoke(client, clinic_setup):
    client.force_login(clinic_setup["admin"])
    secret = re.search(r"atk_\w+_[\w\-]+", _make(client).content.decode()).group(0)
    assert client.post(f"/api/keys/{ApiKey.objects.get().pk}/revoke/").status_code == 302
    assert client.get("/api/v1/flags/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert "Revoked" in client.get("/api/keys/").content.decode()


@pytest.mark.parametrize("who", ["clinician", "other_admin"])
def test_only_this_clinics_admin_reaches_the_page(client, clinic_setup, who):
    client.force_login(clinic_setup["admin"])
    _make(client)
    key = ApiKey.objects.get()
    if who == "clinician":
        user = clinic_setup["clinician"].user
    else:
        user = UserFactory(clinic=clinic_setup["other_episode"].client.clinic, role=User.Role.ADMIN)
    client.force_login(user)
    assert client.post(f"/api/keys/{key.pk}/revoke/").status_code == 404
    if who == "clinician":
        assert client.get("/api/keys/").status_code == 404
    else:
        assert "atk_" + key.prefix not in client.get("/api/keys/").content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None


def test_the_rate_limit_answers_429_with_retry_after(clinic_setup):
    api = make_api(clinic_setup, scopes=["flags:read"])
    ApiKey.objects.update(rate_per_minute=3)
    codes = [api.get("/api/v1/flags/").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    limited = api.get("/api/v1/flags/")
    assert limited.json()["errors"][0]["code"] == "rate_limited" and int(limited["Retry-After"]) >= 1


def test_the_rate_limit_counts_in_redis_when_redis_is_configured(clinic_setup, settings):
    url = os.environ.get("ATTUNE_TEST_REDIS_URL", "")
    try:
        available = bool(url) and redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        available = False
    require_service("Redis (ATTUNE_TEST_REDIS_URL)", available)
    settings.REDIS_URL = url
    api = make_api(clinic_setup, scopes=["flags:read"])
    key = ApiKey.objects.get()
    ApiKey.objects.update(rate_per_minute=2)
    codes = [api.get("/api/v1/flags/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    client = redis.Redis.from_url(url)
    assert any(client.scan_iter(f"api:rate:{key.pk}:*"))
    for name in client.scan_iter(f"api:rate:{key.pk}:*"):
        client.delete(name)


def test_a_key_name_with_a_nul_is_refused_with_a_message(client, clinic_setup):
    client.force_login(clinic_setup["admin"])
    response = client.post("/api/keys/new/", {"name": "EHR\x00", "scopes": ["flags:read"]})
    assert response.status_code == 400 and not ApiKey.objects.exists()
