#!/usr/bin/env bash
# Back up Attune's PostgreSQL database: `scripts/backup.sh [FILE]`.
# One pg_dump in custom format (-Fc: compressed, one consistent snapshot, restored selectively and in
# parallel by pg_restore), written to FILE or backups/attune-<UTC time>.dump, then checked by listing its
# contents. Dumps as BACKUP_DATABASE_URL, else MIGRATE_DATABASE_URL (the owner), else DATABASE_URL. Needs
# pg_dump of the server's major version or newer. Restore with scripts/restore.sh; docs/operations.md.
set -euo pipefail
cd "$(dirname "$0")/.."
url="${BACKUP_DATABASE_URL:-${MIGRATE_DATABASE_URL:-${DATABASE_URL:-}}}"
case "$url" in
    postgres://* | postgresql://*) ;;
    *) echo "backup.sh: set DATABASE_URL (or BACKUP_DATABASE_URL) to a postgres:// URL" >&2; exit 2 ;;
esac
file="${1:-backups/attune-$(date -u +%Y%m%dT%H%M%SZ).dump}"
mkdir -p "$(dirname "$file")"
umask 077  # the dump holds every client's data: readable by its owner only
pg_dump --format=custom --compress=6 --file="$file.partial" --dbname="$url"
pg_restore --list "$file.partial" >/dev/null  # a dump that cannot be read is not a backup
mv "$file.partial" "$file"
echo "backup.sh: wrote $file ($(du -h "$file" | cut -f1))"
