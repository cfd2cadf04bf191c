"""FHIR R4 out: a MeasureReport (type summary) per measure, and record-level Bundles of the check-ins'
QuestionnaireResponses and score Observations — built with instruments.fhir's own builders, so a record
export reads like the episode export, minus what identifies: no Patient name or record number (the
subject is a pseudonymous identifier), no free-text answers, and dates reduced to the year unless the
level keeps them. Everything written is checked with fhir.resources' R4B models in the tests."""

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from care.models import Clinic
from instruments.fhir.common import uuid_urn
from instruments.fhir.responses import response_resource, score_observation
from instruments.library import InstrumentResolver
from instruments.scoring import score
from reports.exports import deid
from reports.exports.rows import CHUNK, checkins, summary_cells
from reports.filters import ReportFilters
from reports.models import ReportJob
from reports.selectors import Report

MEASURE_BASE = "urn:attune:measure:"
POPULATION = "http://terminology.hl7.org/CodeSystem/measure-population"
SUPPRESSED_EXT = "urn:attune:fhir:suppressed"
PSEUDONYM_SYSTEM = "urn:attune:pseudonymous-client"


def _population(code: str, count: Any) -> dict:
    population: dict[str, Any] = {"code": {"coding": [{"system": POPULATION, "code": code}]}}
    if isinstance(count, int | float):
        population["count"] = int(count)
    return population


def measure_reports(report: Report, *, clinic_name: str) -> list[dict]:
    """One MeasureReport per measure, population counts and score suppressed by the same rule as the CSV
    (a suppressed count is left out and the group carries the `suppressed` extension)."""
    start, end = report.filters.start.isoformat(), report.filters.end.isoformat()
    resources = []
    for figure in report.figures:
        m = figure.measure
        numerator, denominator, value, _note = summary_cells(figure)
        group: dict[str, Any] = {
            "code": {"coding": [{"system": MEASURE_BASE.rstrip(":"), "code": m.key}], "text": str(m.title)},
            "population": [_population("numerator", numerator), _population("denominator", denominator)],
        }
        if isinstance(value, int | float):
            group["measureScore"] = (
                {"value": value, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"}
                if m.unit == "percent"
                else {"value": value, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d"}
            )
        if deid.SUPPRESSED in (numerator, denominator, value) or figure.withheld:
            group["extension"] = [{"url": SUPPRESSED_EXT, "valueBoolean": True}]
        resources.append(
            {
                "resourceType": "MeasureReport",
                "status": "complete",
                "type": "summary",
                "measure": f"{MEASURE_BASE}{m.key}",
                # The report's own period (its first and last month), not any client's date.
                "period": {"start": start, "end": end},
                "date": report.as_of.isoformat(),
                "reporter": {"display": clinic_name},
                "improvementNotation": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/measure-improvement-notation",
                            "code": "increase" if m.higher_is_better else "decrease",
                        }
                    ]
                },
                "group": [group],
            }
        )
    return resources


def summary_bundle(report: Report, *, clinic_name: str) -> dict:
    entries = [
        {"fullUrl": uuid_urn("measure-report", report.clinic.pk, r["measure"]), "resource": r}
        for r in measure_reports(report, clinic_name=clinic_name)
    ]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def write_summary(path: Path, report: Report, *, clinic_name: str) -> int:
    bundle = summary_bundle(report, clinic_name=clinic_name)
    path.write_text(json.dumps(bundle, indent=1), encoding="utf-8")
    return len(bundle["entry"])


# --------------------------------------------------------------------------------------------- records


def record_entries(clinic: Clinic, filters: ReportFilters, level: str) -> tuple[int, Iterator[list[dict]]]:
    """(number of check-ins, an iterator of each submitted check-in's entries)."""
    queryset = checkins(clinic, filters)
    return queryset.count(), _entries(clinic, queryset, level)


def _entries(clinic: Clinic, queryset, level: str) -> Iterator[list[dict]]:
    resolver = InstrumentResolver(clinic.pk)
    zone = ZoneInfo(clinic.time_zone)
    keep_dates = level in (ReportJob.Level.LIMITED, ReportJob.Level.IDENTIFIED)
    rows = (
        queryset.order_by("pk")
        .values_list(
            "pk",
            "session__episode__client_id",
            "submitted_at",
            "instrument_versions",
            "instrument_hashes",
            "answers",
        )
        .iterator(chunk_size=CHUNK)
    )
    for pk, client_id, submitted, versions, pins, answers in rows:
        # Entry ids from the pseudonym, not the database id (a uuid5 of a small integer is guessable).
        ref = deid.pseudonym("checkin", pk)
        local = timezone.localtime(submitted, zone)
        # FHIR dateTime takes a bare year: the de-identified export says only that.
        authored = local.isoformat() if keep_dates else str(local.year)
        subject = {"identifier": {"system": PSEUDONYM_SYSTEM, "value": deid.pseudonym("client", client_id)}}
        entries: list[dict] = []
        for key, version in sorted((versions or {}).items()):
            instrument = resolver.get(key, version, (pins or {}).get(key))
            if instrument is None:
                continue  # a definition no longer available as asked: nothing faithful to export
            given = (answers or {}).get(key) or {}
            # Free text can name anyone: it never leaves in a record export.
            kept = {i.key: given[i.key] for i in instrument.items if i.type != "text" and i.key in given}
            response_url = uuid_urn("report-checkin", ref, key, "response")
            response = response_resource(instrument, kept, completed=True, subject=subject, authored=authored)
            entries.append({"fullUrl": response_url, "resource": response})
            for result in score(instrument, given):
                scale = next(s for s in instrument.scales if s.key == result.scale)
                observation = score_observation(
                    instrument, scale, result, subject=subject, authored=authored, response_url=response_url
                )
                entries.append(
                    {"fullUrl": uuid_urn("report-checkin", ref, key, scale.key), "resource": observation}
                )
        yield entries


def write_records(
    path: Path, clinic: Clinic, filters: ReportFilters, level: str, tick: Callable[[int], None], every: int
) -> int:
    """One Bundle (collection) written entry by entry: the file grows, memory does not."""
    _total, batches = record_entries(clinic, filters, level)
    done = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('{"resourceType": "Bundle", "type": "collection", "entry": [')
        first = True
        for entries in batches:
            for entry in entries:
                out.write(("\n" if first else ",\n") + json.dumps(entry))
                first = False
            done += 1
            if done % every == 0:
                tick(done)
        out.write("\n]}\n")
    tick(done)
    return done
