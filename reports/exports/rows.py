"""The rows of each export, at each level, as plain lists: the writers only lay them out.

Summary: one row per measure of the report (reports.selectors.clinic_report), small cells suppressed.
Records: one row per therapy session in the period (with its check-in's status and scores), read in one
streamed query (a server-side cursor on PostgreSQL) so memory stays flat at any size."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import FilteredRelation, Q, QuerySet

from care.models import CheckIn, Clinic, Session
from reports.exports import deid
from reports.filters import ReportFilters
from reports.models import EpisodeFact, ReportJob
from reports.router import reports_database
from reports.selectors import MeasureFigure, Report

CHUNK = 2000
Level = str  # a ReportJob.Level value


@dataclass
class Table:
    """An export's header and its rows (an iterator: read once), with the number of rows to expect."""

    header: list[str]
    rows: Iterator[list[Any]]
    total: int


def describe_filters(report: Report) -> str:
    f = report.filters
    parts = [
        f"{key}={value}" for key, value in f.as_params().items() if key not in ("start", "end") and value
    ]
    return "; ".join(parts) or "none"


def period(filters: ReportFilters) -> str:
    # Months, not days: a day could match a client's session date in a de-identification scan.
    return f"{filters.start:%Y-%m} to {filters.end:%Y-%m}"


# --------------------------------------------------------------------------------------------- summary

SUMMARY_HEADER = [
    "measure",
    "title",
    "group",
    "unit",
    "numerator",
    "denominator",
    "value",
    "period",
    "filters",
    "source",
    "note",
]


def summary_cells(figure: MeasureFigure) -> tuple[Any, Any, Any, str]:
    """(numerator, denominator, value, note) as exported. Below 11 in the denominator, everything but a
    zero is suppressed. For a rate, a numerator below 11 is suppressed, and so is one whose complement
    (denominator − numerator) is: with the denominator shown, either would give the other away; the rate
    goes with it. Days measures add up days, not people: only their denominator is a count."""
    if figure.withheld:
        return None, None, None, figure.withheld
    n, d = figure.numerator, figure.denominator
    hidden = deid.is_small(d)
    if figure.measure.unit == "percent":
        hidden = hidden or deid.is_small(n) or deid.is_small(d - n)
    numerator: Any = deid.SUPPRESSED if hidden else deid.suppress_count(n)
    value: Any = deid.SUPPRESSED if hidden and figure.value is not None else figure.value
    note = "Fewer than 11 in a cell: suppressed (CMS cell-size policy)." if hidden else ""
    return numerator, deid.suppress_count(d), value, note


def summary_table(report: Report) -> Table:
    filters, rows = describe_filters(report), []
    for figure in report.figures:
        m = figure.measure
        numerator, denominator, value, note = summary_cells(figure)
        rows.append(
            [
                m.key,
                str(m.title),
                m.group,
                m.unit,
                numerator,
                denominator,
                value,
                period(report.filters),
                filters,
                m.source,
                note,
            ]
        )
    return Table(SUMMARY_HEADER, iter(rows), len(rows))


# --------------------------------------------------------------------------------------------- records

RECORD_HEADER = [
    "client_id",
    "episode_id",
    "clinician_id",
    "program",
    "payer",
    "episode_opened_year",
    "session_year",
    "session_number",
    "attendance",
    "checkin_status",
    "phq9_total",
    "gad7_total",
    "relationship_total",
]
LIMITED_EXTRA = ["episode_opened_on", "episode_closed_on", "session_date", "checkin_submitted_on"]
IDENTIFIED_EXTRA = ["client_reference", "client_given_name", "client_family_name", "client_date_of_birth"]
SCORES = {"phq9": ("phq9", "total"), "gad7": ("gad7", "total"), "rel": ("relationship", "total")}


def _bounds(clinic: Clinic, filters: ReportFilters) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(clinic.time_zone)
    start = dt.datetime.combine(filters.start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def _episode_filters(clinic: Clinic, filters: ReportFilters, prefix: str) -> Q:
    where = Q(**{f"{prefix}client__clinic": clinic})
    if filters.program_id:
        where &= Q(**{f"{prefix}program_id": filters.program_id})
    if filters.payer:
        where &= Q(**{f"{prefix}payer": filters.payer})
    if filters.clinician_id:
        where &= Q(**{f"{prefix}clinician_id": filters.clinician_id})
    if filters.age:
        # Age at the episode's start is worked out once, in the report tables.
        aged = EpisodeFact.objects.filter(filters.where(EpisodeFact), clinic=clinic).values("episode_id")
        where &= Q(**{f"{prefix}id__in": aged})
    return where


def sessions(clinic: Clinic, filters: ReportFilters) -> QuerySet[Session]:
    start, end = _bounds(clinic, filters)
    # A whole-clinic read: on the report replica when there is one (reports.router).
    return Session.objects.using(reports_database()).filter(
        _episode_filters(clinic, filters, "episode__"), scheduled_start__gte=start, scheduled_start__lt=end
    )


def record_header(level: Level) -> list[str]:
    header = list(RECORD_HEADER)
    if level in (ReportJob.Level.LIMITED, ReportJob.Level.IDENTIFIED):
        header += LIMITED_EXTRA
    if level == ReportJob.Level.IDENTIFIED:
        header += IDENTIFIED_EXTRA
    return header


def records_table(clinic: Clinic, filters: ReportFilters, level: Level) -> Table:
    queryset = sessions(clinic, filters)
    total = queryset.count()
    return Table(record_header(level), _record_rows(clinic, queryset, level), total)


def score_relations() -> dict[str, FilteredRelation]:
    """One join per score column: the check-in's total on each instrument."""
    return {
        name: FilteredRelation(
            "checkin__scores",
            condition=Q(checkin__scores__instrument=instrument, checkin__scores__scale=scale),
        )
        for name, (instrument, scale) in SCORES.items()
    }


def _record_rows(clinic: Clinic, queryset: QuerySet[Session], level: Level) -> Iterator[list[Any]]:
    relations = score_relations()
    fields = [
        "episode__client_id",
        "episode_id",
        "episode__clinician_id",
        "episode__program__name",
        "episode__payer",
        "episode__opened_on",
        "episode__closed_on",
        "scheduled_start",
        "number",
        "attendance",
        "checkin__status",
        "checkin__submitted_at",
        "phq9__value",
        "gad7__value",
        "rel__value",
    ]
    identified = level == ReportJob.Level.IDENTIFIED
    limited = identified or level == ReportJob.Level.LIMITED
    if identified:
        fields += [
            "episode__client__reference",
            "episode__client__given_name",
            "episode__client__family_name",
            "episode__client__date_of_birth",
        ]
    zone = ZoneInfo(clinic.time_zone)
    client_id, episode_id, clinician_id = (deid.Pseudonyms(k) for k in ("client", "episode", "clinician"))
    rows = queryset.annotate(**relations).order_by("pk").values_list(*fields).iterator(chunk_size=CHUNK)
    for row in rows:
        (client, episode, clinician, program, payer, opened, closed, start, number) = row[:9]
        (attendance, status, submitted, phq9, gad7, rel) = row[9:15]
        held_on = start.astimezone(zone).date()  # the clinic's calendar day
        line = [
            client_id(client),
            episode_id(episode),
            clinician_id(clinician),
            program,
            payer,
            opened.year,
            held_on.year,
            number,
            attendance,
            status or "",
            _score(phq9),
            _score(gad7),
            _score(rel),
        ]
        if limited:
            submitted_on = submitted.astimezone(zone).date() if submitted else None
            line += [_iso(opened), _iso(closed), _iso(held_on), _iso(submitted_on)]
        if identified:
            line += [row[15], row[16], row[17], _iso(row[18])]
        yield line


def _score(value: float | None) -> float | int | None:
    """15.0 → 15, as PostgreSQL writes it in the CSV (copy_csv): one look in every format."""
    return int(value) if value is not None and value.is_integer() else value


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def checkins(clinic: Clinic, filters: ReportFilters) -> QuerySet[CheckIn]:
    """The submitted check-ins of the period (by their session's date), for record-level FHIR."""
    start, end = _bounds(clinic, filters)
    return CheckIn.objects.using(reports_database()).filter(
        _episode_filters(clinic, filters, "session__episode__"),
        status=CheckIn.Status.SUBMITTED,
        session__scheduled_start__gte=start,
        session__scheduled_start__lt=end,
    )
