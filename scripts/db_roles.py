#!/usr/bin/env python3
"""PostgreSQL roles for Attune: an owner that migrations run as, and an app role the web and the workers
run as, which owns nothing.

Why: a role that owns a table can disable or drop its triggers and TRUNCATE it, so the audit table's
append-only trigger would bind only the honest. The app role gets SELECT/INSERT/UPDATE/DELETE on the
tables and only SELECT/INSERT on care_auditevent: it cannot UPDATE, DELETE or TRUNCATE audit rows, nor
ALTER, DISABLE TRIGGER or DROP TRIGGER (those need ownership). See docs/operations.md, "Database roles".

The role names and passwords come from the URLs, so each lives in one place:

  MIGRATE_DATABASE_URL  postgres://attune_owner:…@host/attune   the owner (migrations)
  DATABASE_URL          postgres://attune_app:…@host/attune     the app (web, worker, beat)
  ADMIN_DATABASE_URL    postgres://postgres:…@host/attune       a superuser (`setup` only)

  python scripts/db_roles.py setup    # once, and after upgrading: roles, ownership, schema rights, grants
  python scripts/db_roles.py grants   # as the owner, after every `manage.py migrate` (scripts/migrate.sh)
  python scripts/db_roles.py verify   # as the app: says what is wrong, exits 1 if anything is

Both steps are idempotent. Standard library and psycopg only (the container image has no psql)."""

import os
import sys
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

AUDIT_TABLE = "care_auditevent"
APP_TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
ROLE_LIMITS = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"


def _url(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        sys.exit(f"db_roles: {name} is not set (see the docstring of scripts/db_roles.py)")
    return value


def _role(url: str) -> tuple[str, str | None, str]:
    """(role name, password, database name) from a postgres:// URL."""
    parts = urlsplit(url)
    if not parts.username:
        sys.exit("db_roles: a database URL must name its user")
    password = unquote(parts.password) if parts.password else None
    return unquote(parts.username), password, parts.path.lstrip("/")


def _ensure_role(cursor: psycopg.Cursor, name: str, password: str | None) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    verb = "ALTER" if cursor.fetchone() else "CREATE"
    statement = sql.SQL(verb + " ROLE {} LOGIN " + ROLE_LIMITS).format(sql.Identifier(name))
    if password:
        statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
    cursor.execute(statement)


def _take_ownership(cursor: psycopg.Cursor, owner: str) -> None:
    """Everything in schema public belongs to the owner (an older set-up may have the app own it)."""
    cursor.execute(
        """
        SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND pg_get_userbyid(c.relowner) <> %s
          -- sequences behind identity/serial columns follow their table
          AND NOT (c.relkind = 'S' AND EXISTS (
              SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
        """,
        [owner],
    )
    kinds = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
    for relname, relkind in cursor.fetchall():
        cursor.execute(
            sql.SQL("ALTER " + kinds[relkind] + " public.{} OWNER TO {}").format(
                sql.Identifier(relname), sql.Identifier(owner)
            )
        )
    cursor.execute(
        """
        SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> %s
        """,
        [owner],
    )
    for (signature,) in cursor.fetchall():
        cursor.execute(
            sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(sql.SQL(signature), sql.Identifier(owner))
        )


def grants(cursor: psycopg.Cursor, *, owner: str, app: str) -> None:
    """The app's rights on what exists now and on what the owner creates later; audit rows append-only."""
    ids = {"owner": sql.Identifier(owner), "app": sql.Identifier(app)}
    for statement in (
        "GRANT " + APP_TABLE_RIGHTS + " ON ALL TABLES IN SCHEMA public TO {app}",
        "REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {app}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT "
        + APP_TABLE_RIGHTS
        + " ON TABLES TO {app}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ):
        cursor.execute(sql.SQL(statement).format(**ids))
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"public.{AUDIT_TABLE}"])
    row = cursor.fetchone()
    if row and row[0]:
        cursor.execute(
            sql.SQL("REVOKE ALL ON TABLE public.{} FROM {app}").format(sql.Identifier(AUDIT_TABLE), **ids)
        )
        cursor.execute(
            sql.SQL("GRANT SELECT, INSERT ON TABLE public.{} TO {app}").format(
                sql.Identifier(AUDIT_TABLE), **ids
            )
        )


def setup(admin_url: str, owner_url: str, app_url: str) -> None:
    owner, owner_password, database = _role(owner_url)
    app, app_password, _ = _role(app_url)
    admin, _, _ = _role(admin_url)
    if len({owner, app, admin}) < 3:
        sys.exit("db_roles: the superuser, the owner and the app must be three different roles")
    with psycopg.connect(admin_url, autocommit=True) as connection, connection.cursor() as cursor:
        _ensure_role(cursor, owner, owner_password)
        _ensure_role(cursor, app, app_password)
        ids = {"db": sql.Identifier(database), "owner": sql.Identifier(owner), "app": sql.Identifier(app)}
        for statement in (
            "ALTER DATABASE {db} OWNER TO {owner}",
            "REVOKE CREATE ON DATABASE {db} FROM PUBLIC",
            "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {app}",
            "ALTER SCHEMA public OWNER TO {owner}",
            "REVOKE ALL ON SCHEMA public FROM PUBLIC",
            "GRANT USAGE ON SCHEMA public TO {app}",
        ):
            cursor.execute(sql.SQL(statement).format(**ids))
        _take_ownership(cursor, owner)
        grants(cursor, owner=owner, app=app)


AUDIT_FORBIDDEN = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")


def problems(cursor: psycopg.Cursor) -> list[str]:
    """What would let the connected role (the app's) erase or unguard the audit trail."""
    found = []
    cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    superuser, bypass = cursor.fetchone() or (False, False)
    if superuser or bypass:
        found.append("the app's role is a superuser or bypasses row security")
    cursor.execute(
        """
        SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND pg_has_role(current_user, c.relowner, 'USAGE')
        """
    )
    owned = cursor.fetchone()
    if owned and owned[0]:
        found.append(f"the app's role owns (or acts as the owner of) {owned[0]} tables or sequences")
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"public.{AUDIT_TABLE}"])
    exists = cursor.fetchone()
    if not (exists and exists[0]):
        return [*found, f"{AUDIT_TABLE} does not exist (migrate first)"]
    for right in AUDIT_FORBIDDEN:
        cursor.execute("SELECT has_table_privilege(current_user, %s, %s)", [f"public.{AUDIT_TABLE}", right])
        allowed = cursor.fetchone()
        if allowed and allowed[0]:
            found.append(f"the app's role may {right} {AUDIT_TABLE}")
    cursor.execute(
        "SELECT tgenabled FROM pg_trigger WHERE tgname = 'care_auditevent_append_only' AND NOT tgisinternal"
    )
    trigger = cursor.fetchone()
    if not trigger or trigger[0] == "D":
        found.append(f"the append-only trigger on {AUDIT_TABLE} is missing or disabled")
    return found


def main(argv: list[str]) -> None:
    step = argv[1] if len(argv) > 1 else ""
    if step == "setup":
        setup(_url("ADMIN_DATABASE_URL"), _url("MIGRATE_DATABASE_URL"), _url("DATABASE_URL"))
    elif step == "grants":
        owner_url = _url("MIGRATE_DATABASE_URL")
        owner, _, _ = _role(owner_url)
        app, _, _ = _role(_url("DATABASE_URL"))
        with psycopg.connect(owner_url, autocommit=True) as connection, connection.cursor() as cursor:
            grants(cursor, owner=owner, app=app)
    elif step == "verify":
        with (
            psycopg.connect(_url("DATABASE_URL"), autocommit=True) as connection,
            connection.cursor() as cursor,
        ):
            found = problems(cursor)
        if found:
            sys.exit("db_roles: the audit trail is not safe from the app:\n  - " + "\n  - ".join(found))
    else:
        sys.exit("usage: db_roles.py setup|grants|verify")
    print(f"db_roles: {step} done")


if __name__ == "__main__":
    main(sys.argv)
