#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database: `scripts/restore.sh FILE`.
# The target is MIGRATE_DATABASE_URL (the owner role, after `python scripts/db_roles.py setup` on the new
# database), else DATABASE_URL. Objects are created owned by the role that restores (--no-owner), rights
# are not copied from the old server (--no-privileges) but given afresh by `db_roles.py grants`, and the
# whole restore is one transaction: it lands completely or not at all. docs/operations.md, "Backups".
set -euo pipefail
cd "$(dirname "$0")/.."
file="${1:?usage: scripts/restore.sh FILE}"
[ -r "$file" ] || { echo "restore.sh: cannot read $file" >&2; exit 2; }
url="${MIGRATE_DATABASE_URL:-${DATABASE_URL:-}}"
case "$url" in
    postgres://* | postgresql://*) ;;
    *) echo "restore.sh: set MIGRATE_DATABASE_URL (or DATABASE_URL) to a postgres:// URL" >&2; exit 2 ;;
esac
tables=$(psql "$url" -XAtc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != "0" ]; then
    echo "restore.sh: the target database already has $tables tables; restore into an empty one" >&2
    exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" "$file"
if [ -n "${MIGRATE_DATABASE_URL:-}" ] && [ -n "${DATABASE_URL:-}" ]; then
    py="${PYTHON:-python}"
    [ -x .venv/bin/python ] && [ "$py" = python ] && py=.venv/bin/python
    "$py" scripts/db_roles.py grants
fi
echo "restore.sh: restored $file"
