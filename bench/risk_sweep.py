"""Re-evaluating many due episodes: the sweep's bulk path against the one-episode path.

Not a test: a measurement, on PostgreSQL. It copies a database that already holds a large clinic (by
default `attune_bench`, built by `manage.py seed_demo --checkins 1000000`), re-opens up to --episodes of
its episodes and marks them all due — as after a change of thresholds — then:

1. evaluates a sample of --sample episodes one at a time (risk.engine.evaluate_episode), for the rate
   of the old path;
2. evaluates every due episode with --workers processes, each taking batches of 500 from a shared
   queue (risk.engine.evaluate_episodes, what the sweep's tasks run), and prints the wall time.

    .venv/bin/python bench/risk_sweep.py --source attune_bench --episodes 100000 --workers 2
"""

import argparse
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-bench-only-secret-key-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

HOST = "127.0.0.1"


def copy_database(source: str, target: str) -> None:
    import psycopg

    with psycopg.connect(host=HOST, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}"')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def setup_django(database: str) -> None:
    os.environ["DATABASE_URL"] = f"postgres://root@{HOST}:5432/{database}"
    import django

    django.setup()


def mark_due(limit: int) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE care_episode SET closed_on = NULL, end_reason = '', evaluation_due_at = now()
            WHERE id IN (SELECT id FROM care_episode ORDER BY id DESC LIMIT %s)
            RETURNING id
            """,
            [limit],
        )
        return sorted(row[0] for row in cursor.fetchall())


def worker(database: str, batches: "mp.Queue", done: "mp.Queue") -> None:
    setup_django(database)
    from risk import engine

    evaluated = 0
    while (batch := batches.get()) is not None:
        evaluated += len(engine.evaluate_episodes(batch))
    done.put(evaluated)


def time_now():
    from django.utils import timezone

    return timezone.now()


def run_workers(database: str, ids: list[int], workers: int) -> tuple[float, int]:
    """Evaluate `ids` with `workers` processes taking batches from a queue: (wall seconds, evaluated)."""
    from django.db import connections

    from risk import engine

    connections.close_all()  # each worker opens its own
    batches: mp.Queue = mp.Queue()
    done: mp.Queue = mp.Queue()
    for start in range(0, len(ids), engine.BATCH):
        batches.put(ids[start : start + engine.BATCH])
    for _ in range(workers):
        batches.put(None)
    processes = [mp.Process(target=worker, args=(database, batches, done)) for _ in range(workers)]
    t = time.perf_counter()
    for p in processes:
        p.start()
    evaluated = sum(done.get() for _ in processes)
    for p in processes:
        p.join()
    return time.perf_counter() - t, evaluated


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", default="attune_bench")
    parser.add_argument("--database", default="attune_sweep_bench")
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()

    started = time.perf_counter()
    copy_database(args.source, args.database)
    setup_django(args.database)
    from care.models import Episode
    from risk import engine
    from risk.models import Flag

    ids = mark_due(args.episodes)
    print(
        f"copied {args.source} and marked {len(ids):,} episodes due in {time.perf_counter() - started:.1f} s"
    )
    flags_before = Flag.objects.count()

    sample = ids[: args.sample]
    t = time.perf_counter()
    for episode_id in sample:
        engine.evaluate_episode(episode_id)
    one = (time.perf_counter() - t) / len(sample)
    print(
        f"one at a time: {one * 1000:.1f} ms per episode ({len(sample)} episodes) → {one * len(ids):.0f} s for all"
    )

    for label, episode_ids in (
        ("first look (flags raised)", ids[args.sample :]),
        ("again, nothing new (the steady sweep)", ids),
    ):
        if label.startswith("again"):
            Episode.objects.filter(pk__in=ids).update(evaluation_due_at=time_now())
        wall, evaluated = run_workers(args.database, episode_ids, args.workers)
        print(
            f"in batches, {args.workers} worker(s), {label}: {evaluated:,} episodes in {wall:.1f} s "
            f"({evaluated / wall:,.0f} episodes/s; {wall / max(evaluated, 1) * 100_000:.0f} s per 100,000)"
        )
    due_left = Episode.objects.filter(evaluation_due_at__isnull=False).count()
    print(f"flags before {flags_before:,}, after {Flag.objects.count():,}; episodes still due: {due_left:,}")


if __name__ == "__main__":
    main()
