"""The production settings: the deploy check passes, and without SECRET_KEY serving refuses to start."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_the_deploy_check():
    # The browser tests' relaxation of async safety belongs to the test process, not to production.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "attune.example.org",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DATABASE_URL": "sqlite:////tmp/attune-deploy-check.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _production_env(**overrides) -> dict:
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**inherited, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false", **overrides}


def test_without_a_secret_key_the_server_refuses_to_start():
    env = _production_env(SECRET_KEY="")
    for module in ("config.wsgi", "config.asgi"):
        result = subprocess.run(
            [sys.executable, "-c", f"import {module}"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.returncode != 0, module
        assert "SECRET_KEY must be set" in result.stderr


def test_without_a_secret_key_management_commands_run_but_the_deploy_check_fails():
    env = _production_env(SECRET_KEY="", DATABASE_URL="sqlite:////tmp/attune-deploy-check.sqlite3")
    migrations = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrations.returncode == 0, migrations.stderr
    deploy = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert deploy.returncode != 0
    assert "attune.E001" in deploy.stderr
