"""The record-level CSV on PostgreSQL, each line made by the database and fetched 5,000 at a time.

The same rows as reports.exports.rows (tests compare the two), but the cells are made in SQL — the
clinic's local year or date, the leading quote on formula-looking text, the quoting itself — and Python
only puts each line's three pseudonyms in front (one HMAC per distinct id, remembered). That is what
it takes to come near COPY's speed at a million rows. Not COPY itself: while a COPY runs its connection
can do nothing else, and the job must record its progress and notice a cancel between chunks. SQLite (the
demo) uses the Python writer instead."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connections
from django.db.models import CharField, F, Func, IntegerField, QuerySet

from care.models import Clinic
from reports.exports import deid, rows
from reports.filters import ReportFilters
from reports.models import ReportJob
from reports.router import reports_database

CHUNK = 5000  # lines per FETCH

FORMULA = "('=', '+', '-', '@', chr(9), chr(13))"


class ScoreTotals(Func):
    """The check-in's PHQ-9, GAD-7 and relationship totals as one array, read with one probe of the
    score index per session (three joins on the score table cost half as much again)."""

    output_field = CharField()

    def __init__(self) -> None:
        super().__init__(F("checkin__id"))

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        instruments = [instrument for instrument, _scale in rows.SCORES.values()]
        wanted = ", ".join("max(value) FILTER (WHERE instrument = %s)" for _ in instruments)
        return (
            f"(SELECT ARRAY[{wanted}] FROM care_score WHERE checkin_id = ({sql}) AND scale = 'total')",  # noqa: S608
            [*instruments, *params],
        )


class Element(Func):
    output_field = CharField()

    def __init__(self, array: Func, index: int) -> None:
        super().__init__(array)
        self.index = index

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql})[{self.index}])", params


class Local(Func):
    """A timestamp's year (or ISO date) on the clinic's calendar."""

    def __init__(self, expression: str, zone: str, *, part: str) -> None:
        super().__init__(F(expression), output_field=IntegerField() if part == "year" else CharField())
        self.zone, self.part = zone, part

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        local = f"(({sql}) AT TIME ZONE %s)"
        if self.part == "year":
            return f"extract(year from {local})::int", [*params, self.zone]
        return f"to_char({local}, 'YYYY-MM-DD')", [*params, self.zone]


class Safe(Func):
    """deid.safe_cell, in SQL: text that a spreadsheet would run gets a leading quote."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"(CASE WHEN left(({sql}), 1) IN {FORMULA} THEN '''' || ({sql}) ELSE ({sql}) END)",
            [*params, *params, *params],
        )


class Text(Func):
    """A date as ISO text (PostgreSQL's ISO DateStyle), like the Python writer's isoformat()."""

    output_field = CharField()
    template = "(%(expressions)s)::text"


PSEUDONYMOUS = ("client_id", "episode_id", "clinician_id")  # made in Python: deid.Pseudonyms
NUMBERS = {
    "episode_opened_year",
    "session_year",
    "session_number",
    "phq9_total",
    "gad7_total",
    "relationship_total",
}


def columns(zone: str, level: str) -> dict[str, Any]:
    """Each exported column after the pseudonyms (rows.record_header order) as SQL over care_session."""
    year = Func(F("episode__opened_on"), function="", template="extract(year from %(expressions)s)::int")
    scores = ScoreTotals()
    cells: dict[str, Any] = {
        "program": Safe(F("episode__program__name")),
        "payer": Safe(F("episode__payer")),
        "episode_opened_year": year,
        "session_year": Local("scheduled_start", zone, part="year"),
        "session_number": F("number"),
        "attendance": F("attendance"),
        "checkin_status": F("checkin__status"),
        "phq9_total": Element(scores, 1),
        "gad7_total": Element(scores, 2),
        "relationship_total": Element(scores, 3),
    }
    if level in (ReportJob.Level.LIMITED, ReportJob.Level.IDENTIFIED):
        cells |= {
            "episode_opened_on": Text(F("episode__opened_on")),
            "episode_closed_on": Text(F("episode__closed_on")),
            "session_date": Local("scheduled_start", zone, part="date"),
            "checkin_submitted_on": Local("checkin__submitted_at", zone, part="date"),
        }
    if level == ReportJob.Level.IDENTIFIED:
        cells |= {
            "client_reference": Safe(F("episode__client__reference")),
            "client_given_name": Safe(F("episode__client__given_name")),
            "client_family_name": Safe(F("episode__client__family_name")),
            "client_date_of_birth": Text(F("episode__client__date_of_birth")),
        }
    assert [*PSEUDONYMOUS, *cells] == rows.record_header(level)
    return cells


def csv_line(cells: dict[str, Any]) -> Func:
    """The CSV line's cells after the pseudonyms (every field quoted, NULL as "", quotes doubled), built
    by the database."""
    text = "('\"' || replace(coalesce((%(expressions)s)::text, ''), '\"', '\"\"') || '\"')"
    number = "('\"' || coalesce((%(expressions)s)::text, '') || '\"')"  # no quote to double in a number
    quoted = [
        Func(expression, template=number if name in NUMBERS else text, output_field=CharField())
        for name, expression in cells.items()
    ]
    return Func(
        *quoted, function="concat_ws", template="concat_ws(',', %(expressions)s)", output_field=CharField()
    )


def record_lines(clinic: Clinic, filters: ReportFilters, level: str) -> QuerySet:
    """(client id, episode id, clinician id, the rest of the CSV line) per session, in session order."""
    line = csv_line(columns(clinic.time_zone, level))
    return (
        rows.sessions(clinic, filters)
        .annotate(x_line=line)
        .order_by("pk")
        .values_list("episode__client_id", "episode_id", "episode__clinician_id", "x_line")
    )


def write_records_csv(
    path: Path, clinic: Clinic, filters: ReportFilters, level: str, tick: Callable[[int], None], every: int
) -> int:
    """Write the CSV (BOM, quoted header, then the database's lines), `tick` every `every` rows between
    fetches (the connection is free then for the job's progress UPDATE). Returns the rows written."""
    alias = reports_database()
    header = ",".join(f'"{name}"' for name in rows.record_header(level))
    done = 0
    client, episode, clinician = (deid.Pseudonyms(kind) for kind in ("client", "episode", "clinician"))
    with connections[alias].cursor() as cursor:
        # Compiling this one query (JIT) costs more than it saves; the setting is put back after.
        cursor.execute("SET jit = off")
        try:
            with path.open("w", encoding="utf-8", newline="") as out:
                out.write("\ufeff" + header + "\r\n")
                batch: list[str] = []
                lines = record_lines(clinic, filters, level).iterator(chunk_size=CHUNK)
                # A pseudonym per id, computed once (cheaper than two SHA-256 per row in SQL); the dicts
                # are read directly in this loop, which runs once per session.
                clients, episodes, clinicians = client.seen, episode.seen, clinician.seen
                for client_id, episode_id, clinician_id, rest in lines:
                    batch.append(
                        f'"{clients.get(client_id) or client(client_id)}",'
                        f'"{episodes.get(episode_id) or episode(episode_id)}",'
                        f'"{clinicians.get(clinician_id) or clinician(clinician_id)}",{rest}'
                    )
                    if len(batch) == every:
                        out.write("\r\n".join(batch) + "\r\n")
                        done += len(batch)
                        batch = []
                        tick(done)
                if batch:
                    out.write("\r\n".join(batch) + "\r\n")
                    done += len(batch)
        finally:
            cursor.execute("RESET jit")
    tick(done)
    return done
