#!/usr/bin/env sh
# Migrate as the owner role, then give the app role its rights on whatever the migrations created
# (scripts/db_roles.py; docs/operations.md, "Database roles"). With no MIGRATE_DATABASE_URL (SQLite, a
# developer's PostgreSQL) this is a plain migrate as DATABASE_URL.
set -eu
cd "$(dirname "$0")/.."
py="${PYTHON:-python}"
[ -x .venv/bin/python ] && [ "$py" = python ] && py=.venv/bin/python
if [ -n "${MIGRATE_DATABASE_URL:-}" ]; then
    DATABASE_URL="$MIGRATE_DATABASE_URL" "$py" manage.py migrate --noinput
    DATABASE_URL="$MIGRATE_DATABASE_URL" "$py" manage.py createcachetable
    "$py" scripts/db_roles.py grants
    "$py" scripts/db_roles.py verify  # the app's role can neither erase nor unguard the audit trail
else
    "$py" manage.py migrate --noinput
    "$py" manage.py createcachetable
fi
