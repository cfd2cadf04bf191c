"""The reports at a million check-ins, beside PostgreSQL's own ceilings, in one run (PostgreSQL only).

    .venv/bin/python bench/reports.py                              # attune_bench; seeds 1,000,000 if empty
    .venv/bin/python bench/reports.py --database attune_bench --runs 10 --skip-fill

Prints, one block each, and a JSON line at the end:
1. COPY ceiling: `COPY (SELECT … FROM care_checkin) TO STDOUT (FORMAT csv)` rows/s (psql, timed in its own
   session after a warm-up, like ../shared/bench/copy_ceiling.py), and the same for the join the record
   export reads (sessions, check-ins and three scores), for reference.
2. GROUP BY ceiling: check-ins per month (`GROUP BY date_trunc('month', submitted_at)`), ms.
3. The report tables' fill: reports.facts.refresh from empty (skipped with --skip-fill).
4. The full report, reports.selectors.clinic_report, over the last 12 months and over all time:
   p50/p95 ms of --runs runs, and as a multiple of a GROUP BY run just before each (target ≤ 30×).
5. The CSV record-level export as an export job makes it on PostgreSQL (reports.exports.copy_csv,
   de-identified, all time) in a subprocess: rows/s, as a multiple of COPY's rows/s timed just before and after it (target ≥ 0.3×),
   and its peak RSS (< 300 MB).
   With --sketch, also the Python rows writer (records_table + write_csv: XLSX and SQLite use it) and the
   same rows written by PostgreSQL's COPY itself (bench/reports_copy_export.py).
Targets are from issue 13; docs/reports-bench.md has the figures measured on this machine."""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHECKIN_COLUMNS = (
    "id, session_id, status, sent_at, opened_at, submitted_at, language, instrument_versions, answers, "
    "evaluated_at"
)
COPY_CHECKINS = f"COPY (SELECT {CHECKIN_COLUMNS} FROM care_checkin) TO STDOUT (FORMAT csv)"  # noqa: S608
COPY_RECORDS = (
    "COPY (SELECT e.client_id, s.episode_id, e.clinician_id, e.payer, s.number, s.scheduled_start, "
    "s.attendance, c.status, c.submitted_at, p.value, g.value, r.value FROM care_session s "
    "JOIN care_episode e ON e.id = s.episode_id LEFT JOIN care_checkin c ON c.session_id = s.id "
    "LEFT JOIN care_score p ON p.checkin_id = c.id AND p.instrument = 'phq9' AND p.scale = 'total' "
    "LEFT JOIN care_score g ON g.checkin_id = c.id AND g.instrument = 'gad7' AND g.scale = 'total' "
    "LEFT JOIN care_score r ON r.checkin_id = c.id AND r.instrument = 'relationship' AND r.scale = 'total' "
    "ORDER BY s.id) TO STDOUT (FORMAT csv)"
)
GROUP_BY = "SELECT date_trunc('month', submitted_at) AS month, count(*) FROM care_checkin GROUP BY 1"

EXPORT_CHILD = """
import json, resource, sys, tempfile, time
from pathlib import Path
import django
django.setup()
from care.models import Clinic
from reports.exports.rows import records_table
from reports.exports.tabular import write_csv
from reports.filters import ReportFilters
from reports.models import ReportJob
import datetime as dt
sys.path.insert(0, "bench")
from reports_copy_export import write_csv_by_copy
clinic = Clinic.objects.get(pk=int(sys.argv[1]))
filters = ReportFilters(start=dt.date.fromisoformat(sys.argv[2]), end=dt.date.fromisoformat(sys.argv[3]))
started = time.perf_counter()
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "records.csv"
    level = ReportJob.Level.DEIDENTIFIED
    if sys.argv[4] == "copy":
        rows = write_csv_by_copy(path, clinic, filters)
    elif sys.argv[4] == "python":
        rows = write_csv(path, records_table(clinic, filters, level))
    else:  # what an export job runs on PostgreSQL (reports.jobs)
        from reports.exports.copy_csv import write_records_csv
        rows = write_records_csv(path, clinic, filters, level, lambda done: None, 5000)
    size = path.stat().st_size
seconds = time.perf_counter() - started
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": rows, "seconds": seconds, "peak_rss_mb": peak_kb / 1024, "csv_mb": size / 2**20}))
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def psql_timed(dsn: str, sql: str, repeat: int) -> list[float]:
    """Run sql 1 + repeat times in one psql session, output to /dev/null; ms of the last `repeat`."""
    script = "\\timing on\n\\o /dev/null\n" + (sql + ";\n") * (1 + repeat)
    done = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn],
        input=script,
        text=True,
        capture_output=True,
        check=True,
    )
    ms = [float(x) for x in re.findall(r"^Time: ([\d.]+) ms", done.stdout, re.M)]
    if len(ms) != 1 + repeat:
        sys.exit(f"could not read psql's timings:\n{done.stdout}\n{done.stderr}")
    return ms[1:]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "attune_bench"))
    parser.add_argument("--server", default="postgres://root@127.0.0.1:5432")
    parser.add_argument("--checkins", type=int, default=1_000_000, help="Seeded when the database is empty.")
    parser.add_argument("--runs", type=int, default=10, help="Timed runs of each report and query.")
    parser.add_argument("--skip-fill", action="store_true", help="Keep the report tables as they are.")
    parser.add_argument(
        "--sketch", action="store_true", help="Also time the COPY-based CSV (bench/reports_copy_export.py)."
    )
    args = parser.parse_args()
    dsn = f"{args.server}/{args.database}"
    os.environ["DATABASE_URL"] = dsn
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    results = {"database": args.database}
    clinic = seeded_clinic(args, results)
    ceilings(dsn, args.runs, results)
    if not args.skip_fill:
        fill(clinic, results)
    reports(clinic, args.runs, results)
    export(clinic, dsn, results)
    if args.sketch:
        export(clinic, dsn, results, how="python")
        export(clinic, dsn, results, how="copy")
    print(json.dumps(results))


def seeded_clinic(args, results: dict):
    from care.models import CheckIn, Clinic
    from demo.bulk import describe, seed_bulk

    clinic = Clinic.objects.order_by("pk").first()
    if clinic is None:
        summary = seed_bulk(checkins=args.checkins, progress=lambda message: None)
        print(f"Seeded: {describe(summary)}")
        results["seed_s"] = round(summary.seconds["total"], 1)
        clinic = summary.clinic
    submitted = CheckIn.objects.filter(status="submitted").count()
    results["checkins_submitted"] = submitted
    results["checkin_rows"] = CheckIn.objects.count()
    print(
        f"{args.database}: clinic {clinic.pk}, {submitted:,} submitted check-ins ({results['checkin_rows']:,} rows)"
    )
    return clinic


def ceilings(dsn: str, runs: int, results: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM care_checkin")
        checkins = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM care_session")
        sessions = cursor.fetchone()[0]
    copy_ms = psql_timed(dsn, COPY_CHECKINS, min(runs, 5))
    join_ms = psql_timed(dsn, COPY_RECORDS, min(runs, 3))
    group_ms = psql_timed(dsn, GROUP_BY, runs)
    results["copy"] = {
        "rows": checkins,
        "ms_median": round(statistics.median(copy_ms)),
        "rows_per_s": round(checkins / (statistics.median(copy_ms) / 1000)),
    }
    results["copy_records_join"] = {
        "rows": sessions,
        "ms_median": round(statistics.median(join_ms)),
        "rows_per_s": round(sessions / (statistics.median(join_ms) / 1000)),
    }
    results["group_by_ms"] = {"p50": round(statistics.median(group_ms), 1), "min": round(min(group_ms), 1)}
    print(
        f"COPY care_checkin TO STDOUT: {checkins:,} rows in {results['copy']['ms_median']:,} ms = "
        f"{results['copy']['rows_per_s']:,} rows/s\n"
        f"COPY of the record export's join: {sessions:,} rows in {results['copy_records_join']['ms_median']:,} ms "
        f"= {results['copy_records_join']['rows_per_s']:,} rows/s\n"
        f"GROUP BY month over care_checkin: p50 {results['group_by_ms']['p50']} ms"
    )


def fill(clinic, results: dict) -> None:
    from reports import facts
    from reports.models import EpisodeFact, EpisodeMonth

    EpisodeMonth.objects.filter(clinic=clinic).delete()
    EpisodeFact.objects.filter(clinic=clinic).delete()
    started = time.perf_counter()
    episodes = facts.refresh(clinic)
    seconds = time.perf_counter() - started
    again = time.perf_counter()
    facts.refresh(clinic)  # what a nightly run costs: only open and changed episodes
    results["fill"] = {
        "episodes": episodes,
        "seconds": round(seconds, 1),
        "episodes_per_s": round(episodes / seconds),
        "incremental_s": round(time.perf_counter() - again, 1),
    }
    print(
        f"Report tables filled from empty: {episodes:,} episodes in {seconds:.1f} s "
        f"({results['fill']['episodes_per_s']:,} episodes/s); again (open episodes only): "
        f"{results['fill']['incremental_s']} s"
    )


def reports(clinic, runs: int, results: dict) -> None:
    import datetime as dt

    from django.utils import timezone

    from reports.filters import ReportFilters
    from reports.selectors import clinic_report

    today = timezone.localdate()
    periods = {
        "last_12_months": ReportFilters.last_twelve_months(today),
        "all_time": ReportFilters(
            start=dt.date(today.year - 4, 1, 1), end=ReportFilters.last_twelve_months(today).end
        ),
    }
    for name, filters in periods.items():
        clinic_report(clinic, filters)  # warm-up
        # Paired with a GROUP BY run just before each report run: the machine's speed drifts (it is
        # shared), and a ratio of neighbours holds where a ratio of medians taken minutes apart does not.
        ms, ratios = [], []
        for _ in range(runs):
            group_ms = _group_by_ms()
            started = time.perf_counter()
            clinic_report(clinic, filters)
            ms.append((time.perf_counter() - started) * 1000)
            ratios.append(ms[-1] / group_ms)
        p50, p95, ratio = statistics.median(ms), percentile(ms, 95), statistics.median(ratios)
        results[f"report_{name}"] = {
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "x_group_by": round(ratio, 2),
            "x_group_by_range": [round(min(ratios), 2), round(max(ratios), 2)],
        }
        print(
            f"Full report, {name.replace('_', ' ')}: p50 {p50:.0f} ms, p95 {p95:.0f} ms; "
            f"{ratio:.2f}× the GROUP BY run beside it (median of {runs} pairs; target ≤ 30×)"
        )
    results["all_time_period"] = [periods["all_time"].start.isoformat(), periods["all_time"].end.isoformat()]


def _group_by_ms() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(GROUP_BY)
        cursor.fetchall()
        return (time.perf_counter() - started) * 1000


def export(clinic, dsn: str, results: dict, how: str = "exports") -> None:
    """The CSV record export in a child process (its peak RSS is the export's alone): `how` is
    "exports" (reports.exports.copy_csv, what an export job runs on PostgreSQL), "python" (the rows
    writer, records_table + write_csv, which XLSX and SQLite use) or "copy" (bench/reports_copy_export.py)."""
    start, end = results["all_time_period"]
    env = {**os.environ, "DATABASE_URL": dsn, "PYTHONPATH": str(ROOT)}
    before_ms = psql_timed(dsn, COPY_CHECKINS, 1)[0]
    done = subprocess.run(
        [sys.executable, "-c", EXPORT_CHILD, str(clinic.pk), start, end, how],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"the export failed:\n{done.stderr}")
    # COPY again right after the export: the ratio is to the mean of the COPY runs on either side.
    after_ms = psql_timed(dsn, COPY_CHECKINS, 1)[0]
    copy_rate = results["copy"]["rows"] / (statistics.fmean([before_ms, after_ms]) / 1000)
    child = json.loads(done.stdout.strip().splitlines()[-1])
    rate = child["rows"] / child["seconds"]
    ratio = rate / copy_rate
    key = {"exports": "csv_export", "python": "csv_export_python_rows", "copy": "csv_by_copy_sketch"}[how]
    results[key] = {
        "rows": child["rows"],
        "seconds": round(child["seconds"], 1),
        "rows_per_s": round(rate),
        "x_copy": round(ratio, 3),
        "copy_rows_per_s_beside": round(copy_rate),
        "x_copy_records_join": round(rate / results["copy_records_join"]["rows_per_s"], 3),
        "peak_rss_mb": round(child["peak_rss_mb"]),
        "csv_mb": round(child["csv_mb"], 1),
    }
    label = {
        "exports": "CSV record export (copy_csv, as a job runs it)",
        "python": "CSV record export, Python rows (records_table + write_csv)",
        "copy": "Sketch: the same CSV written by COPY",
    }[how]
    print(
        f"{label} (de-identified, all time): {child['rows']:,} rows in {child['seconds']:.1f} s = "
        f"{rate:,.0f} rows/s = {ratio:.3f}× COPY's {copy_rate:,.0f} rows/s timed just before and after "
        f"(target ≥ 0.3×); peak RSS "
        f"{child['peak_rss_mb']:.0f} MB (target < 300 MB)"
    )


if __name__ == "__main__":
    main()
