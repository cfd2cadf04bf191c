"""Exports as background jobs: who may start which level, the audit of each, progress and cancelling,
expiry, the monthly report by email, and 404 for everyone but the clinic's admins."""

import csv
import datetime as dt
import io
import time
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from care import reauth
from care.models import AuditEvent, User
from reports import export_tasks, jobs
from reports.exports import rows
from reports.filters import ReportFilters
from reports.models import ReportJob, ReportSchedule
from tests.care.factories import ClinicFactory, UserFactory
from tests.reports.factories import export_clinic

pytestmark = pytest.mark.django_db
assert export_tasks  # registers the export task, as the export views do in the web process

QUERY = "start=2026-01&end=2026-11"
FILTERS = ReportFilters(start=dt.date(2026, 1, 1), end=dt.date(2026, 11, 30))
REASON = "Quarterly audit requested by the payer, contract 2026-Q3"


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.REPORTS_EXPORT_DIR = tmp_path / "exports"
    return settings.REPORTS_EXPORT_DIR


@pytest.fixture
def seeded(db):
    return export_clinic(clients=12)


def grant(user: User, *codenames: str) -> User:
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="reports", codename__in=codenames)
    )
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance


def start(client, **fields):
    data = {
        "kind": "records",
        "format": "csv",
        "level": "deidentified",
        "reason": "",
        "query": QUERY,
    } | fields
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("reports-export-start"), data)


def csv_rows(job: ReportJob) -> list[dict]:
    text = jobs.job_file(job).read_text(encoding="utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


# ---------------------------------------------------------------------------------------------- levels


def test_a_default_export_starts_a_job_that_finishes_and_is_audited(client, seeded):
    client.force_login(seeded["admin"])
    response = start(client)
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports-job", args=[job.pk])
    assert (job.status, job.rows_done, job.rows_total) == ("done", 48, 48)
    assert job.params == FILTERS.as_params()
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_id=str(job.pk))
    assert event.actor == seeded["admin"]
    assert event.detail | {"filters": None} == {
        "kind": "records",
        "format": "csv",
        "level": "deidentified",
        "reason": "",
        "rows": 48,
        "filters": None,
        "scheduled": False,
    }


@pytest.mark.parametrize("level", ["limited", "identified"])
def test_dates_or_names_need_the_permission(client, seeded, level):
    client.force_login(seeded["admin"])
    response = start(client, level=level, reason=REASON)
    assert response.status_code == 302 and response["Location"].endswith("#exports")
    assert not ReportJob.objects.exists()
    assert "permission" in str(list(response.wsgi_request._messages)[0])


def test_limited_needs_a_reason(client, seeded):
    admin = grant(seeded["admin"], "export_limited")
    client.force_login(admin)
    start(client, level="limited", reason="  because ")
    assert not ReportJob.objects.exists()


def test_limited_needs_a_recent_confirmation_and_sends_them_to_confirm_it_is_them(client, seeded):
    admin = grant(seeded["admin"], "export_limited")
    client.force_login(admin)
    session = client.session
    session[reauth.SESSION_KEY] = time.time() - 16 * 60  # signed in (or confirmed) 16 minutes ago
    session.save()
    response = start(client, level="limited", reason=REASON)
    assert not ReportJob.objects.exists()
    assert response["Location"] == reverse("reauth") + "?" + urlencode({"next": f"/reports/?{QUERY}#exports"})
    # Confirmed again: the same export goes through.
    session = client.session
    session[reauth.SESSION_KEY] = time.time()
    session.save()
    start(client, level="limited", reason=REASON)
    assert ReportJob.objects.get().level == "limited"


def test_limited_with_permission_reason_and_recent_sign_in_keeps_dates_and_is_audited(client, seeded):
    admin = grant(seeded["admin"], "export_limited")
    client.force_login(admin)  # signing in sets last_login: now
    start(client, level="limited", reason=REASON)
    job = ReportJob.objects.get()
    table = csv_rows(job)
    assert {r["session_date"] for r in table} == {"2026-02-10", "2026-03-17", "2026-05-19", "2026-07-14"}
    assert not any("Ysolde" in value for r in table for value in r.values())  # still no names
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_id=str(job.pk))
    assert (event.detail["level"], event.detail["reason"], event.detail["rows"]) == ("limited", REASON, 48)


def test_identified_carries_names_and_only_its_requester_sees_it(client, seeded):
    admin = grant(seeded["admin"], "export_identified")
    client.force_login(admin)
    start(client, level="identified", reason=REASON)
    job = ReportJob.objects.get()
    table = csv_rows(job)
    assert {r["client_given_name"] for r in table} >= {"Ysolde00", "Ysolde11"}
    assert AuditEvent.objects.get(action="export", object_id=str(job.pk)).detail["level"] == "identified"
    colleague = UserFactory(clinic=seeded["clinic"], role=User.Role.ADMIN)
    client.force_login(colleague)
    for name in ("reports-job", "reports-job-status", "reports-job-download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404


def test_a_limited_option_is_only_offered_with_the_permission(client, seeded):
    client.force_login(seeded["admin"])
    assert b'value="limited"' not in client.get(reverse("reports")).content
    client.force_login(grant(seeded["admin"], "export_limited"))
    assert b'value="limited"' in client.get(reverse("reports")).content


def test_an_unoffered_export_is_refused(client, seeded):
    client.force_login(seeded["admin"])
    start(client, kind="records", format="pdf")
    start(client, kind="everything", format="csv")
    assert not ReportJob.objects.exists()


# ------------------------------------------------------------------------------- progress and cancelling


def new_job(seeded, kind="records", fmt="csv") -> ReportJob:
    return ReportJob.objects.create(
        clinic=seeded["clinic"],
        requested_by=seeded["admin"],
        kind=kind,
        format=fmt,
        params=FILTERS.as_params(),
    )


def test_progress_is_written_every_chunk(seeded, monkeypatch):
    job, seen = new_job(seeded, fmt="xlsx"), []
    real = rows.records_table

    def watched(*args, **kwargs):
        table = real(*args, **kwargs)

        def each():
            for row in table.rows:
                seen.append(ReportJob.objects.values_list("rows_done", "rows_total").get(pk=job.pk))
                yield row

        return rows.Table(table.header, each(), table.total)

    monkeypatch.setattr(rows, "records_table", watched)
    assert jobs.job_run(job.pk, every=10) == "done"
    assert sorted({done for done, _ in seen}) == [0, 10, 20, 30, 40]
    assert {total for _, total in seen} == {48}
    job.refresh_from_db()
    assert (job.rows_done, jobs.job_percent(job)) == (48, 100)


def test_cancelling_stops_the_job_at_its_next_chunk_and_deletes_the_file(seeded, monkeypatch, export_dir):
    job = new_job(seeded, fmt="xlsx")
    real = rows.records_table

    def cancelled_midway(*args, **kwargs):
        table = real(*args, **kwargs)

        def each():
            for n, row in enumerate(table.rows, start=1):
                if n == 15:
                    assert jobs.job_cancel(user=seeded["admin"], job=job)
                yield row

        return rows.Table(table.header, each(), table.total)

    monkeypatch.setattr(rows, "records_table", cancelled_midway)
    assert jobs.job_run(job.pk, every=10) == "cancelled"
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.file_path) == ("cancelled", 10, "")
    assert list(export_dir.iterdir()) == []
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("fmt", ["csv", "fhir"])
def test_the_database_written_csv_and_fhir_report_progress_and_stop_when_cancelled(seeded, monkeypatch, fmt):
    """The CSV lines made by PostgreSQL and the FHIR Bundle tick between fetches: the same UPDATE records
    progress and finds a cancel."""
    job, ticks = new_job(seeded, fmt=fmt), []
    real = jobs._tick

    def watched(job_id):
        tick = real(job_id)

        def each(done):
            ticks.append(done)
            if len(ticks) == 2:
                jobs.job_cancel(user=seeded["admin"], job=job)
            tick(done)

        return each

    monkeypatch.setattr(jobs, "_tick", watched)
    assert jobs.job_run(job.pk, every=10) == "cancelled"
    assert ticks == [10, 20]
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.file_path) == ("cancelled", 10, "")


def test_a_cancelled_job_is_never_started(client, seeded):
    job = new_job(seeded)
    client.force_login(seeded["admin"])
    assert client.post(reverse("reports-job-cancel", args=[job.pk])).status_code == 302
    assert jobs.job_run(job.pk) == "cancelled"
    assert client.get(reverse("reports-job-status", args=[job.pk])).json()["status"] == "cancelled"


def test_the_status_endpoint_reports_percentage_and_rows(client, seeded):
    job = new_job(seeded)
    ReportJob.objects.filter(pk=job.pk).update(status="running", rows_done=12, rows_total=48)
    client.force_login(seeded["admin"])
    data = client.get(reverse("reports-job-status", args=[job.pk])).json()
    assert data | {"status_label": None} == {
        "id": job.pk,
        "status": "running",
        "status_label": None,
        "rows_done": 12,
        "rows_total": 48,
        "percent": 25,
        "download_url": None,
        "expired": False,
    }


def test_the_page_lists_recent_exports_after_a_reload(client, seeded):
    client.force_login(seeded["admin"])
    start(client)
    job = ReportJob.objects.get()
    page = client.get(reverse("reports")).content.decode()
    assert reverse("reports-job-status", args=[job.pk]) in page
    assert reverse("reports-job-download", args=[job.pk]) in page


def test_a_failed_job_says_so_and_leaves_no_file(seeded, export_dir):
    job = new_job(seeded)
    ReportJob.objects.filter(pk=job.pk).update(params={"start": "not a date", "end": "2026-01-01"})
    assert jobs.job_run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.error and list(export_dir.iterdir()) == []


# ---------------------------------------------------------------------------------------------- expiry


def test_a_download_expires_and_its_file_is_deleted(client, seeded, export_dir):
    client.force_login(seeded["admin"])
    start(client, kind="summary", format="xlsx")
    job = ReportJob.objects.get()
    assert job.expires_at - job.finished_at == dt.timedelta(hours=24)
    response = client.get(reverse("reports-job-download", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content)[:2] == b"PK"  # a zip: XLSX
    assert AuditEvent.objects.filter(action="read", object_id=str(job.pk), detail__download=True).exists()

    later = job.expires_at + dt.timedelta(seconds=1)
    ReportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(reverse("reports-job-download", args=[job.pk])).status_code == 410
    assert jobs.jobs_expire(now=later) == 1
    job.refresh_from_db()
    assert job.file_path == "" and list(export_dir.iterdir()) == []
    assert client.get(reverse("reports-job-status", args=[job.pk])).json()["expired"] is True


def test_expiry_leaves_unexpired_files_and_fails_stuck_jobs(seeded, export_dir):
    kept = new_job(seeded)
    assert jobs.job_run(kept.pk) == "done"
    stuck = new_job(seeded)
    ReportJob.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - dt.timedelta(hours=7))
    assert jobs.jobs_expire() == 0
    assert len(list(export_dir.iterdir())) == 1
    assert ReportJob.objects.get(pk=stuck.pk).status == "failed"


# ------------------------------------------------------------------------------------------ monthly


def test_the_monthly_report_is_made_once_and_emailed_to_the_admins(client, seeded):
    second = UserFactory(clinic=seeded["clinic"], role=User.Role.ADMIN, email="second@riverside.example")
    UserFactory(clinic=seeded["clinic"], role=User.Role.CLINICIAN, email="clinician@riverside.example")
    client.force_login(seeded["admin"])
    client.post(reverse("reports-export-schedule"), {"active": "1", "format": "pdf", "query": QUERY})
    assert ReportSchedule.objects.get().active

    assert export_tasks.send_monthly_reports.apply().get() == 2
    job = ReportJob.objects.get(scheduled=True)
    assert (job.status, job.format, job.level, job.requested_by) == ("done", "pdf", "deidentified", None)
    assert job.params["start"] == "2025-12-01" and job.params["end"] == "2026-11-30"
    assert job.expires_at - job.finished_at == dt.timedelta(days=7)
    assert sorted(m.to[0] for m in mail.outbox) == ["exports-admin@riverside.example", second.email]
    link = reverse("reports-job-download", args=[job.pk])
    assert all(link in m.body and "Ysolde" not in m.body for m in mail.outbox)
    assert client.get(link).status_code == 200

    assert export_tasks.send_monthly_reports.apply().get() == 0  # the same month: nothing twice
    client.post(reverse("reports-export-schedule"), {"active": "0", "format": "pdf"})
    assert not ReportSchedule.objects.get().active


# ---------------------------------------------------------------------------------------------- access

EXPORT_URLS = [
    ("post", "reports-export-start", False),
    ("get", "reports-export-summary-csv", False),
    ("post", "reports-export-schedule", False),
    ("get", "reports-job", True),
    ("get", "reports-job-status", True),
    ("post", "reports-job-cancel", True),
    ("get", "reports-job-download", True),
]


@pytest.mark.parametrize("who", ["owner", "supervisor", "colleague", "outsider", "other_admin"])
def test_only_the_clinics_admins_reach_exports(client, personas, who):
    job = ReportJob.objects.create(
        clinic=personas["clinic"],
        requested_by=personas["admin"],
        kind="summary",
        format="csv",
        params=FILTERS.as_params(),
    )
    assert jobs.job_run(job.pk) == "done"
    if who == "other_admin":
        user = UserFactory(clinic=ClinicFactory(), role=User.Role.ADMIN)
    else:
        user = personas[who].user
    client.force_login(user)
    for method, name, with_job in EXPORT_URLS:
        if who == "other_admin" and not with_job:
            continue  # their own clinic's exports: theirs to make
        url = reverse(name, args=[job.pk] if with_job else [])
        assert getattr(client, method)(url).status_code == 404, (who, name)
    assert ReportJob.objects.count() == 1 and ReportJob.objects.get().status == "done"
    client.force_login(personas["admin"])
    assert client.get(reverse("reports-job-download", args=[job.pk])).status_code == 200


def test_a_superuser_reaches_any_clinics_job(client, seeded):
    job = new_job(seeded, kind="summary")
    jobs.job_run(job.pk)
    root = UserFactory(clinic=None, is_superuser=True, is_staff=True, role=User.Role.ADMIN)
    client.force_login(root)
    assert client.get(reverse("reports-job-download", args=[job.pk])).status_code == 200


# ------------------------------------------------------------------------------------------ scale


@pytest.mark.parametrize(
    ("kind", "fmt"), [("records", "csv"), ("records", "xlsx"), ("records", "fhir"), ("summary", "pdf")]
)
def test_a_job_makes_as_many_queries_for_a_big_clinic_as_for_a_small_one(db, kind, fmt):
    counts = []
    for size in (2, 9):
        seeded = export_clinic(clients=size, admin=f"admin-{size}")
        job = new_job(seeded, kind=kind, fmt=fmt)
        with CaptureQueriesContext(connection) as queries:
            assert jobs.job_run(job.pk) == "done"
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
