#!/usr/bin/env bash
# Install the test dependencies and run the whole suite, plus ruff (lint and format), the import layers,
# the type checker and the migrations check.
#
# Uses PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379 when they answer (DATABASE_URL and
# ATTUNE_TEST_REDIS_URL override). With ATTUNE_REQUIRE_SERVICES=1 (as in CI) a missing PostgreSQL,
# Redis or Chromium fails the run instead of skipping the tests that need it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
py=.venv/bin/python
require="${ATTUNE_REQUIRE_SERVICES:-0}"

missing() {
    if [ "$require" = "1" ]; then echo "FAIL: $1" >&2; exit 1; fi
    echo "note: $1 — the tests that need it will be skipped" >&2
}

if [ -z "${DATABASE_URL:-}" ]; then
    if $py -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 1)' 2>/dev/null; then
        export DATABASE_URL="postgres://${PGUSER:-root}@127.0.0.1:5432/attune"
    else
        missing "PostgreSQL is not answering on 127.0.0.1:5432; using SQLite"
    fi
fi
if [ -z "${ATTUNE_TEST_REDIS_URL:-}" ]; then
    if $py -c 'import socket; socket.create_connection(("127.0.0.1", 6379), 1)' 2>/dev/null; then
        export ATTUNE_TEST_REDIS_URL="redis://127.0.0.1:6379/15"
    else
        missing "Redis is not answering on 127.0.0.1:6379"
    fi
fi
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing "Chromium is not installed (apt-get install -y chromium)"
if [ ! -f node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null 2>&1; then
    npm install --no-audit --no-fund --silent
fi
export ATTUNE_REQUIRE_SERVICES="$require"

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== import layers"
.venv/bin/lint-imports --no-cache
echo "== types"
DEBUG=true .venv/bin/mypy .
echo "== migrations"
DEBUG=true DATABASE_URL=sqlite:///:memory: $py manage.py makemigrations --check --dry-run
echo "== pytest on ${DATABASE_URL:-SQLite}"
if [ $# -gt 0 ]; then exec .venv/bin/pytest "$@"; fi
# Tests that start real Celery workers re-point Celery's connection pools at their own brokers, so they
# run on their own, one at a time, in a process of their own; everything else runs in parallel.
.venv/bin/pytest -n "${PYTEST_WORKERS:-2}" -m "not services"
.venv/bin/pytest -m services
