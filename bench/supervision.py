"""Server time of the supervisor's home on PostgreSQL: 12 supervisees × 30 clients × 30 weekly sessions.

Creates (or recreates) its own database, seeds a supervisor and their team with check-ins, scores and
flags (tests/dashboards/factories.seed_caseload), then times the page through Django's full stack
in-process and prints p50/p95 and the query count; the query count is also printed for a team of 3,
which must be the same.

    .venv/bin/python bench/supervision.py                  # 12 × 30 × 30, 100 requests
    .venv/bin/python bench/supervision.py --keep           # leave the database for a browser

Target: p95 < 150 ms single-user on a 2-core machine."""

import argparse
import os
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
    parser.add_argument("--database", default="attune_supervision_bench")
    parser.add_argument("--server", default="postgres://root@127.0.0.1:5432")
    parser.add_argument("--supervisees", type=int, default=12)
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--keep", action="store_true")
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

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 60
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
    from django.db import connection

    supervisor, team = _seed(args)
    from clinicians.models import Supervision

    # A team of 3 first (the others' supervision paused), then the whole team: the same query count.
    later = Supervision.objects.filter(supervisor=supervisor).order_by("id")[3:].values_list("id", flat=True)
    paused = list(later)
    Supervision.objects.filter(id__in=paused).update(ended_on=django.utils.timezone.localdate())
    small = _count_queries(supervisor)
    Supervision.objects.filter(id__in=paused).update(ended_on=None)
    _time(args, supervisor, team, small)
    connection.close()
    if not args.keep:
        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


def _seed(args):
    from django.core.management import call_command
    from django.db import connection

    from tests.care.factories import ClinicFactory
    from tests.clinicians.factories import SupervisionFactory, SupervisorFactory
    from tests.dashboards.factories import seed_caseload

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    clinic = ClinicFactory(name="Benchmark Clinic")
    supervisor = SupervisorFactory(user__clinic=clinic, user__username="bench-supervisor")
    team = []
    for i in range(args.supervisees):
        supervisee = SupervisionFactory(supervisor=supervisor).supervisee
        seed_caseload(supervisee, clients=args.clients, sessions=args.sessions, prefix=f"S{i}-", seed=i + 1)
        team.append(supervisee)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"Seeded {args.supervisees} supervisees × {args.clients} clients × {args.sessions} sessions "
        f"in {time.perf_counter() - started:.1f} s (database {args.database})."
    )
    return supervisor, team


def _client(supervisor):
    from django.test import Client

    browser = Client()
    browser.force_login(supervisor.user)
    return browser


def _count_queries(supervisor) -> int:
    from django.db import connection
    from django.urls import reverse

    browser = _client(supervisor)
    browser.get(reverse("supervision"))  # warm up
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert browser.get(reverse("supervision")).status_code == 200
    return len(queries)


def _time(args, supervisor, team, small_queries: int) -> None:
    from django.urls import reverse

    browser = _client(supervisor)
    url = reverse("supervision")
    for _ in range(5):
        browser.get(url)
    queries = _count_queries(supervisor)
    times, cpu = [], []
    for _ in range(args.requests):
        t0, c0 = time.perf_counter(), time.process_time()
        response = browser.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200
    print(
        f"supervision home ({len(team)} supervisees) n={len(times)}  p50 {statistics.median(times):6.1f} ms  "
        f"p95 {_percentile(times, 95):6.1f} ms  max {max(times):6.1f} ms  "
        f"(python cpu p50 {statistics.median(cpu):5.1f})  queries {queries} (3 supervisees: {small_queries})  "
        f"html {len(response.content) // 1024} KiB"
    )
    print(f"load average while timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
