#!/usr/bin/env bash
# Run Attune with a seeded demo clinic on http://127.0.0.1:8000.
# SQLite and in-process tasks by default; PostgreSQL and Redis (with a Celery worker and beat) when
# DATABASE_URL / REDIS_URL are set.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export DEBUG="${DEBUG:-true}"
py=.venv/bin/python

$py manage.py migrate --noinput -v0
$py manage.py createcachetable
addr="${ATTUNE_ADDR:-127.0.0.1:8000}"
export SITE_URL="${SITE_URL:-http://$addr}"  # the links in emails (and the demo mailbox) point here
echo "Preparing the demo clinic (the first run seeds it: about a minute)…"
$py manage.py seed_demo --if-empty >/dev/null
# Logins by role and three fresh links into the client side (a check-in, a tablet code, an own page).
$py manage.py demo_links --url "http://$addr"

if [ -n "${REDIS_URL:-}" ]; then
    echo "Starting a Celery worker with beat against $REDIS_URL (logs: celery.log)"
    .venv/bin/celery -A config worker --beat --loglevel=INFO --concurrency=2 >celery.log 2>&1 &
    trap 'kill $! 2>/dev/null || true' EXIT
fi
echo
$py manage.py runserver "$addr"
