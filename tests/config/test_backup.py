"""Backups restore: scripts/backup.sh dumps a seeded database, scripts/restore.sh puts it into a fresh one
set up as production is (the two roles of scripts/db_roles.py), and every check-in, score and audit row
is there — the same count and the same checksum of ids — read back as the app role, with the audit
table as closed to it as before."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from care.audit import audit_record
from care.models import AuditEvent
from tests.care.factories import CheckInFactory, ScoreFactory, SessionFactory
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("care_checkin", "care_score", "care_auditevent", "care_client", "care_session")
FINGERPRINT = "SELECT count(*), md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) FROM {}"


def _url(user: str, password: str, database: str) -> str:
    db = connection.settings_dict
    auth = quote(user) + (":" + quote(password) if password else "")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{database}"


def _fingerprints(url: str) -> dict[str, tuple]:
    with psycopg.connect(url) as db:
        return {
            table: db.execute(sql.SQL(FINGERPRINT).format(sql.Identifier(table))).fetchone()
            for table in TABLES
        }


def _run(command: list[str], env: dict) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_check_in_and_audit_row_into_a_fresh_database(tmp_path):
    require_service("PostgreSQL", connection.vendor == "postgresql")
    for number in range(12):
        checkin = CheckInFactory(session=SessionFactory(number=number + 1))
        ScoreFactory(checkin=checkin)
        audit_record(
            actor=None, action=AuditEvent.Action.READ, obj=checkin, client=checkin.session.episode.client_id
        )
    db = connection.settings_dict
    user, password = db.get("USER") or "", db.get("PASSWORD") or ""
    source = _url(user, password, db["NAME"])
    before = _fingerprints(source)
    assert before["care_checkin"][0] == 12 and before["care_auditevent"][0] >= 12

    tag = uuid.uuid4().hex[:8]
    fresh, owner, app = f"{db['NAME']}_restore_{tag}", f"attune_owner_{tag}", f"attune_app_{tag}"
    maintenance = _url(user, password, "postgres")
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(fresh)))
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "ADMIN_DATABASE_URL": _url(user, password, fresh),
        "MIGRATE_DATABASE_URL": _url(owner, "owner-" + tag, fresh),
        "DATABASE_URL": _url(app, "app-" + tag, fresh),
    }
    dump = tmp_path / "attune.dump"
    try:
        _run(["bash", "scripts/backup.sh", str(dump)], {**env, "BACKUP_DATABASE_URL": source})
        assert dump.stat().st_size > 0 and oct(dump.stat().st_mode)[-3:] == "600"
        _run([sys.executable, "scripts/db_roles.py", "setup"], env)
        _run(["bash", "scripts/restore.sh", str(dump)], env)

        assert _fingerprints(env["DATABASE_URL"]) == before  # read back as the app role
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as restored:
            trigger = restored.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'care_auditevent_append_only'"
            )
            assert trigger.fetchone() == (1,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                restored.execute("TRUNCATE care_auditevent")
        # A second restore over the restored data is refused rather than mixed in.
        again = subprocess.run(
            ["bash", "scripts/restore.sh", str(dump)], cwd=ROOT, env=env, capture_output=True
        )
        assert again.returncode == 1 and b"restore into an empty one" in again.stderr
    finally:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(fresh)))
            for role in (app, owner):
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
