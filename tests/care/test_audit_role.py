"""The audit table holds against the app itself: set up as in production (scripts/db_roles.py setup, then
scripts/migrate.sh as the owner), the app role cannot TRUNCATE, disable or drop the trigger, alter,
UPDATE or DELETE care_auditevent — each way round is refused by PostgreSQL — while INSERT and its
ordinary work on other tables go through. Runs in a scratch database with roles of its own."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
INSERT_AUDIT = (
    "INSERT INTO care_auditevent (at, actor_label, action, object_type, object_id, detail) "
    "VALUES (now(), 'probe', 'read', 'care.Client', '1', '{}') RETURNING id"
)
TAMPERING = {
    "truncate": "TRUNCATE care_auditevent",
    "truncate cascade": "TRUNCATE care_auditevent CASCADE",
    "disable trigger": "ALTER TABLE care_auditevent DISABLE TRIGGER care_auditevent_append_only",
    "disable all triggers": "ALTER TABLE care_auditevent DISABLE TRIGGER ALL",
    "drop trigger": "DROP TRIGGER care_auditevent_append_only ON care_auditevent",
    "drop table": "DROP TABLE care_auditevent",
    "alter table": "ALTER TABLE care_auditevent ADD COLUMN erased boolean",
    "rename": "ALTER TABLE care_auditevent RENAME TO care_auditevent_old",
    "change owner": "ALTER TABLE care_auditevent OWNER TO CURRENT_USER",
    "replace trigger function": (
        "CREATE OR REPLACE FUNCTION care_auditevent_refuse_change() RETURNS trigger AS $$ "
        "BEGIN RETURN NEW; END $$ LANGUAGE plpgsql"
    ),
    "update": "UPDATE care_auditevent SET actor_label = 'someone else'",
    "delete": "DELETE FROM care_auditevent",
    "session replication role": "SET session_replication_role = replica",
    "create table": "CREATE TABLE public.anything (id int)",
}


def _url(user: str, password: str, database: str) -> str:
    db = settings.DATABASES["default"]
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    auth = quote(user) + (":" + quote(password) if password else "")
    return f"postgres://{auth}@{host}:{port}/{database}"


@pytest.fixture(scope="module")
def production_roles():
    """A scratch database migrated as in production; yields (app URL, owner URL, superuser URL)."""
    db = settings.DATABASES["default"]
    require_service("PostgreSQL", db["ENGINE"] == "django.db.backends.postgresql")
    tag = uuid.uuid4().hex[:8]
    name, owner, app = f"{db['NAME']}_roles_{tag}", f"attune_owner_{tag}", f"attune_app_{tag}"
    admin_url = _url(db.get("USER") or "", db.get("PASSWORD") or "", name)
    maintenance = _url(db.get("USER") or "", db.get("PASSWORD") or "", "postgres")
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    owner_url, app_url = _url(owner, "owner-" + tag, name), _url(app, "app-" + tag, name)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "roles-test-" + "k" * 50,
        "ADMIN_DATABASE_URL": admin_url,
        "MIGRATE_DATABASE_URL": owner_url,
        "DATABASE_URL": app_url,
        "PYTHON": sys.executable,
    }
    try:
        for command in (
            [sys.executable, "scripts/db_roles.py", "setup"],
            ["sh", "scripts/migrate.sh"],
        ):
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stdout + done.stderr
        yield app_url, owner_url, admin_url, env
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            for role in (app, owner):
                connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_the_app_role_cannot_erase_or_unguard_the_audit_table_but_can_append(production_roles):
    app_url, owner_url, _admin, _env = production_roles
    with psycopg.connect(app_url, autocommit=True) as app:
        before = app.execute("SELECT count(*) FROM care_auditevent").fetchone()
        first = app.execute(INSERT_AUDIT).fetchone()
        assert first is not None and before is not None
        refused = {}
        for way, statement in TAMPERING.items():
            try:
                app.execute(statement)
            except psycopg.errors.InsufficientPrivilege as error:
                refused[way] = error.sqlstate
        assert refused == dict.fromkeys(TAMPERING, "42501"), set(TAMPERING) - set(refused)
        # Everything still there, untouched, and the trigger still on.
        assert app.execute("SELECT actor_label FROM care_auditevent WHERE id = %s", first).fetchone() == (
            "probe",
        )
        enabled = app.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = 'care_auditevent_append_only'"
        ).fetchone()
        assert enabled == ("O",)
        second = app.execute(INSERT_AUDIT).fetchone()
        assert second is not None and second[0] > first[0]
        assert app.execute("SELECT count(*) FROM care_auditevent").fetchone() == (before[0] + 2,)


def test_the_app_role_owns_nothing_and_does_its_ordinary_work(production_roles):
    app_url, owner_url, _admin, _env = production_roles
    with psycopg.connect(app_url, autocommit=True) as app:
        owned = app.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
        ).fetchone()
        assert owned == (0,)
        flags = app.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user"
        )
        assert flags.fetchone() == (False, False, False)
        # Ordinary work on the other tables: insert, update, delete (the cache table, made by migrate.sh).
        app.execute("INSERT INTO attune_cache (cache_key, value, expires) VALUES ('k', 'v', now())")
        app.execute("UPDATE attune_cache SET value = 'w' WHERE cache_key = 'k'")
        app.execute("DELETE FROM attune_cache WHERE cache_key = 'k'")
    with psycopg.connect(owner_url, autocommit=True) as owner:
        audit_owner = owner.execute(
            "SELECT pg_get_userbyid(relowner) = current_user FROM pg_class WHERE relname = 'care_auditevent'"
        ).fetchone()
        assert audit_owner == (True,)


def test_a_table_a_later_migration_adds_is_open_to_the_app_by_default(production_roles):
    app_url, owner_url, _admin, _env = production_roles
    with psycopg.connect(owner_url, autocommit=True) as owner:
        owner.execute(
            "CREATE TABLE later_table (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, x int)"
        )
    with psycopg.connect(app_url, autocommit=True) as app:
        app.execute("INSERT INTO later_table (x) VALUES (1)")
        app.execute("UPDATE later_table SET x = 2")
        assert app.execute("SELECT x FROM later_table").fetchone() == (2,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("TRUNCATE later_table")


def test_the_app_does_its_work_as_the_app_role(production_roles):
    """A demo clinic seeded and its risk evaluated by the app connected as the app role: nothing it does
    needs a right the role lacks."""
    app_url, _owner, _admin, env = production_roles
    for command in (["seed_demo", "--clients", "20", "--evaluate"], ["sweep_risk", "--grace", "0"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    with psycopg.connect(app_url) as app:
        assert app.execute("SELECT count(*) > 0 FROM care_checkin").fetchone() == (True,)


def test_verify_passes_for_the_app_role_and_names_what_is_wrong_for_any_other(production_roles):
    app_url, owner_url, admin_url, env = production_roles

    def verify(url: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "scripts/db_roles.py", "verify"]
        return subprocess.run(
            command, cwd=ROOT, env={**env, "DATABASE_URL": url}, capture_output=True, text=True
        )

    assert verify(app_url).returncode == 0  # scripts/migrate.sh runs it too: the fixture would have failed
    as_owner = verify(owner_url)
    assert as_owner.returncode == 1
    assert "owns" in as_owner.stderr and "may TRUNCATE care_auditevent" in as_owner.stderr
    as_superuser = verify(admin_url)
    assert as_superuser.returncode == 1 and "superuser" in as_superuser.stderr
