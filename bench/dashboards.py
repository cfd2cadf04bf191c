"""Server time of the clinician home and the client page on a large caseload, on PostgreSQL.

Creates (or recreates) its own database, seeds one clinician with 150 clients × 30 weekly sessions (check-ins,
scores, clinician ratings, flags, plans, goals), optionally buries them in a much larger clinic, then times
requests through Django's full stack (middleware, view, selectors, templates) in-process and prints
p50/p95 and the query count per page.

    .venv/bin/python bench/dashboards.py                       # 150 × 30, 200 requests per page
    .venv/bin/python bench/dashboards.py --filler 50000        # the same caseload inside a 50,150-client clinic
    .venv/bin/python bench/dashboards.py --keep --database attune_dash_bench   # leave the data for a browser

Target: p95 < 150 ms for both pages on a 2-core machine."""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="attune_dash_bench")
    parser.add_argument("--server", default="postgres://root@127.0.0.1:5432")
    parser.add_argument("--clients", type=int, default=150)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--filler", type=int, default=0, help="Other clinicians' clients in the same clinic.")
    parser.add_argument("--requests", type=int, default=200, help="Timed requests per page.")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--reuse", action="store_true", help="Time a database kept by an earlier --keep run.")
    args = parser.parse_args()
    args.keep = args.keep or args.reuse

    import psycopg

    if not args.reuse:
        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{args.database}"')

    os.environ["DATABASE_URL"] = f"{args.server}/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 60  # as in production: keep the connection
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

    from django.db import connection

    if args.reuse:
        from care.models import Client, Episode
        from clinicians.models import Clinician

        clinician = Clinician.objects.get(user__username="bench")
        episodes = list(Episode.objects.filter(clinician=clinician))
        print(f"Reusing {args.database}: {Client.objects.count()} clients in the clinic.")
    else:
        clinician, episodes = _seed(args)
    _time_pages(args, clinician, episodes)
    connection.close()
    if not args.keep:
        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


def _seed(args):
    from django.core.management import call_command
    from django.db import connection

    from tests.care.factories import ClinicFactory
    from tests.clinicians.factories import ClinicianFactory
    from tests.dashboards.factories import seed_caseload

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    clinic = ClinicFactory(name="Benchmark Clinic")
    clinician = ClinicianFactory(user__clinic=clinic, user__username="bench")
    episodes = seed_caseload(clinician, clients=args.clients, sessions=args.sessions, prefix="B")
    filler_made = 0
    while filler_made < args.filler:
        other = ClinicianFactory(user__clinic=clinic)
        batch = min(500, args.filler - filler_made)
        seed_caseload(other, clients=batch, sessions=2, prefix="F", seed=filler_made)
        filler_made += batch
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"Seeded {args.clients} clients × {args.sessions} sessions"
        + (f" in a clinic of {args.clients + args.filler} clients" if args.filler else "")
        + f" in {time.perf_counter() - started:.1f} s (database {args.database})."
    )
    return clinician, episodes


def _time_pages(args, clinician, episodes):
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    browser = Client()
    browser.force_login(clinician.user)
    rng = random.Random(1)
    pages = {
        "clinician home (caseload)": lambda: reverse("caseload"),
        "client page": lambda: reverse("client-detail", args=[rng.choice(episodes).client_id]),
    }
    for name, url in pages.items():
        for _ in range(5):  # warm up: connection, template loading, instrument definitions
            browser.get(url())
        queries = []  # counted with a wrapper: the test client's request_started signal resets queries_log

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            assert browser.get(url()).status_code == 200
        times, cpu = [], []
        for _ in range(args.requests):
            target = url()
            t0, c0 = time.perf_counter(), time.process_time()
            response = browser.get(target)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            assert response.status_code == 200, (target, response.status_code)
        # Wall time is what a clinician waits for (minus the network); Python CPU time is the app's own
        # share of it, which stays meaningful when other work is competing for the machine's cores.
        print(
            f"{name:28s} n={len(times):4d}  p50 {statistics.median(times):6.1f} ms  "
            f"p95 {_percentile(times, 95):6.1f} ms  max {max(times):6.1f} ms  "
            f"(python cpu p50 {statistics.median(cpu):5.1f} p95 {_percentile(cpu, 95):5.1f})  "
            f"queries {len(queries)}  html {len(response.content) // 1024} KiB"
        )
    print(f"load average while timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
