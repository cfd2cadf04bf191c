"""The default SQLite demo: simultaneous submits of one check-in link wait for each other instead of
failing with a 500 "database is locked". Runs on a temporary SQLite file in a separate process
(whatever DATABASE_URL the suite itself uses), so it also runs in PostgreSQL runs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_sqlite_writes_begin_immediate_and_wait_for_the_lock():
    # Given the settings' rule applied to a SQLite address, then write transactions take the lock up
    # front and wait for it.
    env = {**os.environ, "DATABASE_URL": "sqlite:////tmp/attune-settings-probe.sqlite3"}
    probe = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS'))"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {probe}"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.test_settings", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "'transaction_mode': 'IMMEDIATE'" in result.stdout, result.stderr
    assert "'timeout': 20" in result.stdout


@pytest.mark.parametrize("posts", [2, 4])
def test_simultaneous_submits_on_sqlite_all_get_thanks_and_store_one(tmp_path, posts):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests/config/sqlite_race.py"), str(posts)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"statuses": [200] * posts, "stored": 1}, result.stderr[-3000:]
