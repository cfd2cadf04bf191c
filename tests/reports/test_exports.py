"""What leaves Attune in an export: nothing that identifies a client by default (scanned in every format,
read back), small cells suppressed, formula cells neutralised, every CSV field quoted, FHIR that validates."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.test import TestCase
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.measurereport import MeasureReport
from openpyxl import load_workbook
from pypdf import PdfReader

from care.models import AuditEvent
from reports import export_tasks, jobs
from reports.exports import copy_csv, deid, rows, tabular
from reports.filters import ReportFilters
from reports.measures import MEASURE_BY_KEY
from reports.models import ReportJob
from reports.selectors import MeasureFigure, MonthPoint
from tests.reports.factories import export_clinic
from tests.supervision.factories import PulseFactory

pytestmark = pytest.mark.django_db
assert export_tasks  # registers the export task, as the export views do in the web process

FILTERS = ReportFilters(start=dt.date(2026, 1, 1), end=dt.date(2026, 11, 30))
DEFAULT_EXPORTS = [
    ("summary", "csv"),
    ("summary", "xlsx"),
    ("summary", "pdf"),
    ("summary", "fhir"),
    ("records", "csv"),
    ("records", "xlsx"),
    ("records", "fhir"),
]


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.REPORTS_EXPORT_DIR = tmp_path / "exports"
    return settings.REPORTS_EXPORT_DIR


WELLBEING = "Exhausted-Marker-5521"


@pytest.fixture
def seeded(db):
    seeded = export_clinic()
    # The clinician's own wellbeing pulse, with words only they should ever see.
    PulseFactory(clinician=seeded["clinician"], burnout=5, answers={"pulse": {"note": WELLBEING}})
    return seeded


def run(
    seeded, kind: str, fmt: str, level: str = "deidentified", reason: str = "", filters=FILTERS
) -> ReportJob:
    """Start the export as the admin; eager Celery runs it when the transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = jobs.job_start(
            user=seeded["admin"],
            clinic=seeded["clinic"],
            request=jobs.ExportRequest(kind=kind, format=fmt, level=level, reason=reason),
            filters=filters,
        )
    job.refresh_from_db()
    return job


def text_of(job: ReportJob) -> str:
    """The export's file as text, read back the way its reader would read it."""
    path = jobs.job_file(job)
    assert path is not None, job.status
    if job.format == "xlsx":
        book = load_workbook(path, read_only=True)
        return "\n".join(
            "\t".join("" if v is None else str(v) for v in row)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
        )
    if job.format == "pdf":
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("kind", "fmt"), DEFAULT_EXPORTS)
def test_no_default_export_names_a_client_or_a_full_date(seeded, kind, fmt):
    job = run(seeded, kind, fmt)
    assert job.status == ReportJob.Status.DONE, job.error
    text = text_of(job)
    found = [secret for secret in seeded["secrets"] if secret.lower() in text.lower()]
    assert found == []
    assert WELLBEING not in text and "burnout" not in text.lower()  # never the clinician's wellbeing
    assert not re.search(r"\b2026-0[2-7]-\d\d\b", text), "a full 2026 date left the clinic"
    if kind == "records":
        assert "2026" in text  # the year is kept
        assert "Ysolde" not in text and "call" not in text  # the free-text answer never leaves
    else:
        assert "Check-in completion" in text


def test_the_streamed_summary_names_no_client(client, seeded):
    client.force_login(seeded["admin"])
    response = client.get(reverse("reports-export-summary-csv"), {"start": "2026-01", "end": "2026-11"})
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode()
    assert [s for s in seeded["secrets"] if s in text] == []
    assert '"checkin_completion"' in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, actor=seeded["admin"])
    assert event.detail["rows"] == len(list(csv.reader(io.StringIO(text)))) - 1
    assert event.detail["level"] == "deidentified"


def test_records_carry_pseudonyms_that_are_stable_and_keyed(seeded, settings):
    job = run(seeded, "records", "csv")
    table = list(csv.DictReader(io.StringIO(text_of(job).lstrip("\ufeff"))))
    assert len(table) == 14 * 4
    clients = {r["client_id"] for r in table}
    assert len(clients) == 14 and all(c.startswith("CL-") and len(c) == 23 for c in clients)
    assert {r["session_year"] for r in table} == {"2026"} and {r["episode_opened_year"] for r in table} == {
        "2026"
    }
    assert {r["phq9_total"] for r in table} == {"15", "12", "8", "4"}
    pk = seeded["clinic"].clients.order_by("pk").first().pk
    assert deid.pseudonym("client", pk) in clients
    # Another key, other pseudonyms: nobody without Attune's key can link them back.
    settings.REPORTS_PSEUDONYM_KEY = "another-key"
    assert deid.pseudonym("client", pk) not in clients


# ------------------------------------------------------------------------------------------- suppression


def figure(key: str, n: float, d: float) -> MeasureFigure:
    m = MEASURE_BY_KEY[key]
    value = None if not d else round(n / d * 100, 1) if m.unit == "percent" else round(n / d, 1)
    return MeasureFigure(m, n, d, value, [MonthPoint(dt.date(2026, 1, 1), n, d, value)])


S = deid.SUPPRESSED


@pytest.mark.parametrize(
    ("key", "n", "d", "expected"),
    [
        ("checkin_completion", 20, 40, (20, 40, 50.0)),
        ("checkin_completion", 11, 11, (11, 11, 100.0)),
        ("checkin_completion", 0, 40, (0, 40, 0.0)),
        ("checkin_completion", 10, 40, (S, 40, S)),  # numerator below 11
        ("checkin_completion", 30, 40, (S, 40, S)),  # complement (10) below 11: 40 − 30 gives it away
        ("checkin_completion", 3, 10, (S, S, S)),  # denominator below 11
        ("recovery", 0, 0, (0, 0, None)),  # nobody: nothing to hide
        ("days_between_sessions", 95, 12, (95, 12, 7.9)),  # days add up days, not people
        ("days_between_sessions", 40, 5, (S, S, S)),
    ],
)
def test_small_cells_are_suppressed(key, n, d, expected):
    numerator, denominator, value, note = rows.summary_cells(figure(key, n, d))
    assert (numerator, denominator, value) == expected
    assert bool(note) == (S in expected)


def test_a_small_clinic_exports_suppressed_cells(db):
    seeded = export_clinic(clients=4)
    job = run(seeded, "summary", "csv")
    table = {r["measure"]: r for r in csv.DictReader(io.StringIO(text_of(job).lstrip("\ufeff")))}
    # 4 clients × 4 attended sessions = 16 sessions, all with a check-in: complement 0, numerator 16.
    assert table["checkin_completion"]["value"] == "100.0"
    # 4 depression episodes: every count below 11 is suppressed, and so is the rate.
    assert table["hedis_follow_up"]["denominator"] in (S, "0")
    assert table["early_dropout"]["denominator"] == S and table["early_dropout"]["value"] == S
    fhir = json.loads(text_of(run(seeded, "summary", "fhir")))
    dropout = next(
        e["resource"] for e in fhir["entry"] if e["resource"]["measure"].endswith(":early_dropout")
    )
    assert "measureScore" not in dropout["group"][0]
    assert all("count" not in p for p in dropout["group"][0]["population"])
    pdf = text_of(run(seeded, "summary", "pdf"))
    assert "suppressed" in pdf


# ---------------------------------------------------------------------------------- spreadsheet safety


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 617", "'+1 617"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Aetna", "Aetna"),
        (-2, -2),  # a number is a number
        (None, None),
    ],
)
def test_formula_cells_are_neutralised(value, expected):
    assert deid.safe_cell(value) == expected


def test_formulas_in_clinic_names_reach_spreadsheets_as_text(db):
    seeded = export_clinic(clients=2, program_name='=HYPERLINK("http://evil.example","x")', payer="@SUM(1+1)")
    text = text_of(run(seeded, "records", "csv")).lstrip("\ufeff")
    lines = text.splitlines()
    field = r'"(?:[^"]|"")*"'
    assert all(re.fullmatch(f"{field}(,{field})*", line) for line in lines), "every CSV field is quoted"
    first = next(csv.DictReader(io.StringIO(text)))
    assert first["program"] == '\'=HYPERLINK("http://evil.example","x")' and first["payer"] == "'@SUM(1+1)"
    path = jobs.job_file(run(seeded, "records", "xlsx"))
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    program = sheet.cell(row=2, column=header.index("program") + 1)
    assert program.data_type == "s" and program.value.startswith("'=")


# ------------------------------------------------------------------------------------------------ FHIR


def test_measure_reports_validate(seeded):
    bundle = json.loads(text_of(run(seeded, "summary", "fhir")))
    Bundle.model_validate(bundle)
    reports = [e["resource"] for e in bundle["entry"]]
    assert {r["measure"].rsplit(":", 1)[1] for r in reports} == {f.key for f in MEASURE_BY_KEY.values()}
    for resource in reports:
        MeasureReport.model_validate(resource)
        assert resource["type"] == "summary" and resource["status"] == "complete"
    completion = next(r for r in reports if r["measure"].endswith(":checkin_completion"))
    counts = {p["code"]["coding"][0]["code"]: p["count"] for p in completion["group"][0]["population"]}
    assert counts == {"numerator": 56, "denominator": 56}
    assert completion["group"][0]["measureScore"]["value"] == 100.0


def test_record_bundles_validate_and_name_no_one(seeded):
    bundle = json.loads(text_of(run(seeded, "records", "fhir")))
    Bundle.model_validate(bundle)
    resources = [e["resource"] for e in bundle["entry"]]
    kinds = {r["resourceType"] for r in resources}
    assert kinds == {"QuestionnaireResponse", "Observation"}  # no Patient: subjects are pseudonyms
    phq9 = [
        r
        for r in resources
        if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == "44261-6"
    ]
    assert len(phq9) == 14 * 4
    assert {o["effectiveDateTime"] for o in phq9} == {"2026"}
    assert all(o["subject"]["identifier"]["value"].startswith("CL-") for o in phq9)
    closing = [
        r
        for r in resources
        if r["resourceType"] == "QuestionnaireResponse" and "closing" in r["questionnaire"]
    ]
    assert closing and all("item" not in r for r in closing)  # the free text is not exported


def test_wellbeing_indicators_never_appear(seeded):
    """Exports read the report tables and the spine only; their columns are a fixed list."""
    job = run(seeded, "records", "csv")
    header = next(csv.reader(io.StringIO(text_of(job).lstrip("\ufeff"))))
    assert header == rows.RECORD_HEADER
    assert not any(word in " ".join(header) for word in ("wellbeing", "burnout", "pulse", "caseload"))


@pytest.mark.parametrize("level", ["deidentified", "limited", "identified"])
def test_the_database_written_csv_matches_the_python_rows(seeded, level, tmp_path):
    """Records as CSV are made by PostgreSQL (pseudonyms as HMAC-SHA256 in SQL, local dates, quoting):
    cell for cell what the Python writer makes for XLSX and SQLite."""
    clinic = seeded["clinic"]
    path = tmp_path / "records.csv"
    assert copy_csv.write_records_csv(path, clinic, FILTERS, level, lambda done: None, 1000) == 56
    text = path.read_text(encoding="utf-8").lstrip("\ufeff")
    field = r'"(?:[^"]|"")*"'
    assert all(re.fullmatch(f"{field}(,{field})*", line) for line in text.splitlines())
    made = list(csv.reader(io.StringIO(text)))
    table = rows.records_table(clinic, FILTERS, level)
    expected = [table.header] + [["" if v is None else str(v) for v in row] for row in table.rows]

    def same(value: str) -> str:  # 15.0 (Python) and 15 (PostgreSQL) are one score
        try:
            return str(float(value))
        except ValueError:
            return value

    assert [[same(v) for v in row] for row in made] == [[same(v) for v in row] for row in expected]


def test_a_table_longer_than_a_sheet_goes_on_over_further_sheets(tmp_path):
    table = rows.Table(["n", "text"], iter([[n, f"={n}"] for n in range(7)]), 7)
    path = tmp_path / "long.xlsx"
    assert tabular.write_xlsx(path, table, title="Records", sheet_rows=3) == 7
    book = load_workbook(path)
    assert book.sheetnames == ["Records", "Records (2)", "Records (3)"]
    assert [[c.value for c in r] for r in book["Records (3)"].iter_rows()] == [["n", "text"], [6, "'=6"]]
    assert sum(sheet.max_row - 1 for sheet in book) == 7
