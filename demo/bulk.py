"""A clinic with a million check-ins on PostgreSQL, in minutes, to measure the reports against
(`manage.py seed_demo --checkins 1000000`, bench/reports.py).

Rows are drawn in Python from the demo's courses of care (demo.courses: alliance dips, PHQ-9 that
improves or not, dropout) and streamed to `COPY … FROM STDIN` through psycopg 3, not the ORM. Answers
and their scores come from a pool drawn once per (course, session, alliance level, language) with the
live check-in's own scoring, so every Score row is what the check-in would have stored. The load runs
in one transaction: the bulk tables' foreign keys and secondary indexes are dropped first and rebuilt
at the end (rebuilding validates every foreign key and unique index in one pass each, far faster than
row by row); check and unique constraints stay on and check every row as it arrives."""

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from care.models import Clinic
from demo.bulk_rows import TABLES, Generator
from demo.people import seed_staff

CLINIC_NAME = "Riverbend Community Counseling (a million check-ins)"
CHUNK = 2000  # episodes generated, then written, at a time: bounds memory however many check-ins
CHECKINS_PER_EPISODE = 9.5  # about what the courses give; sizes the staff before the rows exist


class BulkUnsupported(Exception):
    """The bulk seeder needs PostgreSQL's COPY."""


@dataclass
class BulkSummary:
    clinic: Clinic
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def checkins(self) -> int:
        return self.counts.get("submitted", 0)


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise BulkUnsupported(
            "--checkins writes with PostgreSQL's COPY, which this database does not have: set "
            "DATABASE_URL to a PostgreSQL database (e.g. postgres://user@127.0.0.1:5432/attune_bench) "
            "and migrate it first."
        )


def seed_bulk(
    *,
    checkins: int,
    seed: int = 7,
    now: dt.datetime | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> BulkSummary:
    """Seed one clinic with about `checkins` submitted check-ins over about three years, in one
    transaction: a load that fails leaves no half-made clinic behind."""
    require_postgresql()
    started = time.perf_counter()
    now = now or timezone.now()
    with transaction.atomic():
        clinic, staff = _clinic_and_staff(checkins)
        summary = BulkSummary(clinic=clinic)
        summary.seconds["staff"] = time.perf_counter() - started
        gen = Generator(random.Random(seed), clinic, now, staff["clinicians"], staff["programs"])
        _load(gen, checkins, summary, progress)
    summary.counts = dict(gen.counts)
    vacuum_started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    summary.seconds["vacuum"] = time.perf_counter() - vacuum_started
    summary.seconds["total"] = time.perf_counter() - started
    return summary


def _clinic_and_staff(checkins: int) -> tuple[Clinic, dict]:
    """The clinic and its staff (demo.people), about one clinician per 250 episodes over three years."""
    episodes_estimate = max(1, round(checkins / CHECKINS_PER_EPISODE))
    clinicians = max(8, episodes_estimate // 250)
    supervisors = max(2, -(-clinicians // 8))
    clinic = Clinic.objects.create(
        name=CLINIC_NAME,
        time_zone="America/New_York",
        crisis_instructions="Call or text 988 (Suicide & Crisis Lifeline), any time, day or night.",
        measure_schedule={"phq9": 4, "gad7": 4},
        require_two_factor=False,  # as the demo clinic: its printed logins sign in with a password
    )
    return clinic, seed_staff(clinic, clinicians, supervisors)


def _load(gen: Generator, checkins: int, summary: BulkSummary, progress: Callable[[str], None]) -> None:
    """Generate and COPY chunk by chunk, between dropping and rebuilding the secondary keys."""
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for copy()
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # The staff's deferred foreign-key checks run now: a table with checks pending cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        keys = _drop_secondary_keys(cursor)
        gen.ids.reserve(cursor)
        load_started = time.perf_counter()
        while gen.counts["submitted"] < checkins:
            gen.episodes(CHUNK, until_submitted=checkins)
            for table, columns in TABLES.items():
                _copy(cursor, table, columns, gen.take(table))
            progress(
                f"  {gen.counts['episodes']:,} episodes, {gen.counts['sessions']:,} sessions, "
                f"{gen.counts['submitted']:,} check-ins submitted ({time.perf_counter() - load_started:.0f} s)"
            )
        summary.seconds["copy"] = time.perf_counter() - load_started
        keys_started = time.perf_counter()
        _restore_secondary_keys(cursor, keys)
        gen.ids.release(cursor)
        summary.seconds["keys"] = time.perf_counter() - keys_started


def _copy(cursor, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
    if not lines:
        return
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write("".join(lines))


@dataclass(frozen=True)
class SecondaryKeys:
    foreign_keys: list[tuple[str, str, str]]  # (table, name, definition)
    indexes: list[str]  # CREATE INDEX statements


def _drop_secondary_keys(cursor) -> SecondaryKeys:
    """Drop the bulk tables' foreign keys and the indexes no constraint owns (primary keys and unique
    constraints stay: they check each row as it arrives)."""
    tables = list(TABLES)
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
        [tables],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = indexrelid) ORDER BY 1",
        [tables],
    )
    indexes = cursor.fetchall()
    for table, name, _definition in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return SecondaryKeys(foreign_keys, [definition for _name, definition in indexes])


def _restore_secondary_keys(cursor, keys: SecondaryKeys) -> None:
    """Rebuild the indexes (a unique one fails on a duplicate) and re-add each foreign key, which
    checks every row in one scan: a row the models would refuse fails the whole load."""
    for definition in keys.indexes:
        cursor.execute(definition)
    for table, name, definition in keys.foreign_keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def describe(summary: BulkSummary) -> str:
    c, s = summary.counts, summary.seconds
    return (
        f"{c.get('clients', 0):,} clients, {c.get('episodes', 0):,} episodes, {c.get('sessions', 0):,} "
        f"sessions, {c.get('submitted', 0):,} submitted check-ins ({c.get('checkins', 0):,} sent), "
        f"{c.get('scores', 0):,} scores, {c.get('plans', 0):,} plan revisions, {c.get('flags', 0):,} flags "
        f"in {s.get('total', 0):.1f} s (staff {s.get('staff', 0):.1f} s, COPY {s.get('copy', 0):.1f} s, "
        f"keys {s.get('keys', 0):.1f} s, vacuum {s.get('vacuum', 0):.1f} s)"
    )
