"""Integration API throughput on PostgreSQL: an EHR pulling 100,000 flags page by page with
updated_since, and posting 10,000 attendance records.

Creates (or recreates) its own database, seeds one clinic (episodes, flags in every state, past
appointments) with bulk inserts, then drives the API in-process through Django's full request stack
(middleware, key authentication, rate limit in the database cache, JSON) — no network in the figures:

    .venv/bin/python bench/api.py                       # 100,000 flags, 10,000 attendance records
    .venv/bin/python bench/api.py --flags 20000 --attendance 2000 --limit 100

Recording attendance opens the check-in and issues its link in the request, as the session page does;
the risk evaluation it asks for is queued to the broker (a worker's job), not run inline."""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="attune_api_bench")
    parser.add_argument("--server", default="postgres://root@127.0.0.1:5432")
    parser.add_argument("--flags", type=int, default=100_000)
    parser.add_argument("--attendance", type=int, default=10_000)
    parser.add_argument("--limit", type=int, default=500, help="Flags per page (the API allows 1–500).")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument(
        "--redis",
        default=os.environ.get("REDIS_URL", ""),
        help="Redis for the per-key rate counter, as in production "
        "(default: REDIS_URL; empty: the database cache).",
    )
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{args.database}"')
    os.environ["DATABASE_URL"] = f"{args.server}/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    import django

    django.setup()
    from django.conf import settings

    from config.celery import app

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 60
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.REDIS_URL = args.redis  # only the API's rate counter reads it here
    # Queue the risk evaluation (an in-memory broker, nothing consumes it): that is a worker's job.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    from django.db import connection

    secret, sessions = seed(args)
    pull_flags(args, secret)
    post_attendance(args, secret, sessions)
    connection.close()
    if not args.keep:
        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


def seed(args):
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from api.keys import key_issue
    from api.models import ApiKey
    from care.models import Client, Episode, Session, User
    from risk.models import Flag
    from tests.care.factories import ClinicFactory, ProgramFactory, UserFactory
    from tests.clinicians.factories import ClinicianFactory

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    clinic = ClinicFactory(name="API bench clinic")
    clinician = ClinicianFactory(user__clinic=clinic, user__username="bench")
    program = ProgramFactory(clinic=clinic)
    admin = UserFactory(clinic=clinic, role=User.Role.ADMIN)
    episodes_needed = max(args.flags // 4, args.attendance // 4, 1)
    today = timezone.localdate()
    Client.objects.bulk_create(
        Client(
            clinic=clinic,
            reference=f"B{n:07d}",
            external_id=f"MRN-{n}",
            given_name="Bench",
            family_name=str(n),
        )
        for n in range(episodes_needed)
    )
    clients = list(Client.objects.filter(clinic=clinic).order_by("id"))
    Episode.objects.bulk_create(
        Episode(client=c, clinician=clinician, program=program, opened_on=today - dt.timedelta(days=90))
        for c in clients
    )
    episodes = list(Episode.objects.filter(client__clinic=clinic).order_by("id").values_list("id", flat=True))
    now = timezone.now()
    pillars = ["relationship", "readiness", "regimen", "reliability"]
    batch = []
    for n in range(args.flags):
        when = now - dt.timedelta(days=60) + dt.timedelta(seconds=n * 30)
        batch.append(
            Flag(
                episode_id=episodes[n // 4],
                pillar=pillars[n % 4],
                rule=f"{pillars[n % 4]}_bench",
                rule_version="1",
                level="red" if n % 5 == 0 else "amber",
                status="open",
                reasons=[{"text": "Bench reason.", "evidence": {}}],
                suggested_action="Bench action.",
                opened_at=when,
                updated_at=when,
            )
        )
        if len(batch) == 5000:
            Flag.objects.bulk_create(batch)
            batch = []
    Flag.objects.bulk_create(batch)
    start = now - dt.timedelta(days=1)
    Session.objects.bulk_create(
        Session(
            episode_id=episodes[n % len(episodes)],
            number=n // len(episodes) + 1,
            scheduled_start=start,
            scheduled_end=start + dt.timedelta(minutes=50),
        )
        for n in range(args.attendance)
    )
    sessions = list(
        Session.objects.filter(episode__client__clinic=clinic).order_by("id").values_list("id", flat=True)
    )
    _key, secret = key_issue(actor=admin, clinic=clinic, name="bench", scopes=list(ApiKey.Scope.values))
    ApiKey.objects.update(rate_per_minute=10_000_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"Seeded {args.flags:,} flags, {len(episodes):,} episodes, {len(sessions):,} appointments "
        f"in {time.perf_counter() - started:.1f} s (database {args.database})."
    )
    return secret, sessions


def pull_flags(args, secret: str) -> None:
    from django.test import Client as HttpClient

    http = HttpClient()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    since = "2000-01-01T00:00:00+00:00"
    http.get("/api/v1/flags/", {"limit": 1}, **auth)  # warm up: URLconf, schema extensions, first connection
    times, seen, cursor = [], 0, None
    started = time.perf_counter()
    while True:
        params = {"updated_since": since, "limit": args.limit, **({"cursor": cursor} if cursor else {})}
        t0 = time.perf_counter()
        response = http.get("/api/v1/flags/", params, **auth)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.content[:300]
        page = response.json()
        seen += len(page["results"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    total = time.perf_counter() - started
    assert seen == args.flags, (seen, args.flags)
    print(
        f"Pulled {seen:,} flags in {len(times)} pages of {args.limit} (updated_since, cursor): "
        f"per page p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 95):.1f} ms, "
        f"max {max(times):.1f} ms; {len(times) / total:.1f} pages/s, {seen / total:,.0f} flags/s."
    )


def post_attendance(args, secret: str, sessions: list[int]) -> None:
    from django.test import Client as HttpClient

    from care.models import CheckIn

    if not args.attendance:
        return
    http = HttpClient()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    times = []
    started = time.perf_counter()
    for n, session_id in enumerate(sessions[: args.attendance]):
        body = {"attendance": "late_start", "late_minutes": 5} if n % 7 == 0 else {"attendance": "attended"}
        t0 = time.perf_counter()
        response = http.post(
            f"/api/v1/appointments/{session_id}/attendance/",
            json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
            **headers,
        )
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.content[:300]
    total = time.perf_counter() - started
    opened = CheckIn.objects.filter(session_id__in=sessions[: args.attendance]).count()
    print(
        f"Posted {len(times):,} attendance records in {total:.1f} s: {len(times) / total:.0f}/s; "
        f"per request p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 95):.1f} ms; "
        f"{opened:,} check-ins opened with their links."
    )


if __name__ == "__main__":
    main()
