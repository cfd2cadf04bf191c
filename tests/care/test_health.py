"""/health/ answers JSON: 200 while the database answers (Redis and the risk queue only "degraded"),
503 without it — never an HTML 500 — and over plain HTTP even when every other page goes to https."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.utils import timezone

from care.models import Episode

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_healthy_is_200_json_with_each_check(client):
    response = client.get("/health/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["queue"] == {"status": "ok", "depth": 0, "oldest_seconds": 0}
    assert "no-store" in response["Cache-Control"]


def test_database_down_is_503_json_not_an_html_500(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/health/")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert response.json() == {"status": "down", "checks": {"database": "down"}}


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_redis_down_is_degraded_but_still_ready(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded" and response.json()["checks"]["redis"] == "degraded"


def test_a_late_risk_queue_is_degraded_with_its_depth(client, personas):
    late = timezone.now() - dt.timedelta(minutes=20)
    Episode.objects.filter(pk=personas["owner_episode"].pk).update(evaluation_due_at=late)
    Episode.objects.filter(pk=personas["colleague_episode"].pk).update(evaluation_due_at=timezone.now())
    response = client.get("/health/")
    assert response.status_code == 200
    queue = response.json()["checks"]["queue"]
    assert queue["status"] == "degraded" and queue["depth"] == 2 and queue["oldest_seconds"] >= 20 * 60


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_reaches_health_while_other_pages_go_to_https(client):
    assert client.get("/health/").status_code == 200
    assert client.get("/login/").status_code == 301


def test_with_production_settings_and_no_database_it_is_503_json_over_http():
    """The real thing: production settings (https redirect on) and a database that refuses connections."""
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/health/'); print(json.dumps([r.status_code, r['Content-Type'], r.json()]))"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "REDIS_URL": "",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    status, content_type, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert (status, content_type, body["status"]) == (503, "application/json", "down")
