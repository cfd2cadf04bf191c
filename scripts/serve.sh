#!/usr/bin/env sh
# Serve Attune in production without Docker: collect the static files (hashed, compressed names that
# WhiteNoise serves with a year-long immutable cache), then run gunicorn. Put nginx in front
# (deploy/nginx.conf) and migrate first with scripts/migrate.sh. BIND (default 127.0.0.1:8000) and
# WEB_CONCURRENCY (gunicorn's worker count, default 3) adjust it; docs/operations.md, "Deployment".
set -eu
cd "$(dirname "$0")/.."
py="${PYTHON:-python}"
[ -x .venv/bin/python ] && [ "$py" = python ] && py=.venv/bin/python
# Without this every page would fail: the manifest of hashed names is what {% static %} reads.
"$py" manage.py collectstatic --noinput -v0
exec "$py" -m gunicorn config.wsgi:application --bind "${BIND:-127.0.0.1:8000}" \
    --workers "${WEB_CONCURRENCY:-3}" --timeout 60 --access-logfile -
