"""A sketch, for bench/reports.py --sketch: the de-identified record-level CSV (the columns of
reports.exports.rows.RECORD_HEADER) written by PostgreSQL's COPY instead of a Python loop per row.

Pseudonyms are the exports' own (reports.exports.deid.pseudonym, HMAC with a key that stays in Python):
computed once per client, episode and clinician and copied into a temporary table the query joins.
Years, formula neutralising (a leading quote before = + - @ TAB CR) and quoting happen in SQL; the three
score totals come from one pass over care_score instead of three index probes per session. Not what
the app serves: a measure of what moving the row loop out of Python would reach."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from care.models import Client, Clinic, Episode
from clinicians.models import Clinician
from reports.exports.deid import pseudonym
from reports.exports.rows import RECORD_HEADER
from reports.filters import ReportFilters


def _safe(column: str) -> str:
    return (
        f"CASE WHEN left({column}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || {column} "
        f"ELSE {column} END"
    )


def _text(column: str) -> str:
    # A null as "" so that FORCE_QUOTE quotes every field, as the app's CSV does.
    return f"coalesce({column}::text, '')"


QUERY = f"""
SELECT pc.pseudonym, pe.pseudonym, pk.pseudonym, {_safe("p.name")}, {_safe("e.payer")},
       extract(year FROM e.opened_on)::int, extract(year FROM s.scheduled_start AT TIME ZONE %(zone)s)::int,
       s.number, s.attendance, coalesce(c.status, ''), {_text("sc.phq9")}, {_text("sc.gad7")}, {_text("sc.rel")}
FROM care_session s
JOIN care_episode e ON e.id = s.episode_id
JOIN care_client cl ON cl.id = e.client_id AND cl.clinic_id = %(clinic)s
JOIN care_program p ON p.id = e.program_id
JOIN bench_pseudonym pc ON pc.kind = 'client' AND pc.id = e.client_id
JOIN bench_pseudonym pe ON pe.kind = 'episode' AND pe.id = e.id
JOIN bench_pseudonym pk ON pk.kind = 'clinician' AND pk.id = e.clinician_id
LEFT JOIN care_checkin c ON c.session_id = s.id
LEFT JOIN (
    SELECT checkin_id,
           max(value) FILTER (WHERE instrument = 'phq9') AS phq9,
           max(value) FILTER (WHERE instrument = 'gad7') AS gad7,
           max(value) FILTER (WHERE instrument = 'relationship') AS rel
    FROM care_score WHERE scale = 'total' AND instrument IN ('phq9', 'gad7', 'relationship')
    GROUP BY checkin_id
) sc ON sc.checkin_id = c.id
WHERE s.scheduled_start >= %(start)s AND s.scheduled_start < %(end)s
ORDER BY s.id
"""  # noqa: S608 — fixed text; values are bound


def write_csv_by_copy(path: Path, clinic: Clinic, filters: ReportFilters) -> int:
    """Write the CSV; returns the rows written (header not counted)."""
    zone = ZoneInfo(clinic.time_zone)
    start = dt.datetime.combine(filters.start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    ids = [("client", pk) for pk in Client.objects.filter(clinic=clinic).values_list("pk", flat=True)]
    ids += [
        ("episode", pk) for pk in Episode.objects.filter(client__clinic=clinic).values_list("pk", flat=True)
    ]
    ids += [("clinician", pk) for pk in Clinician.objects.filter(clinic=clinic).values_list("pk", flat=True)]
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute(
            "CREATE TEMP TABLE bench_pseudonym (kind text, id bigint, pseudonym text, PRIMARY KEY (kind, id)) "
            "ON COMMIT DROP"
        )
        with cursor.copy("COPY bench_pseudonym FROM STDIN") as copy:
            for kind, pk in ids:
                copy.write_row((kind, pk, pseudonym(kind, pk)))
        cursor.execute("ANALYZE bench_pseudonym")
        sql = cursor.mogrify(
            QUERY, {"zone": clinic.time_zone, "clinic": clinic.pk, "start": start, "end": end}
        )
        lines = 0
        with (
            path.open("wb") as out,
            cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv, FORCE_QUOTE *)") as copy,
        ):
            out.write(("\ufeff" + ",".join(f'"{h}"' for h in RECORD_HEADER) + "\r\n").encode())
            for data in copy:
                out.write(data)
                lines += bytes(data).count(b"\n")
    return lines
