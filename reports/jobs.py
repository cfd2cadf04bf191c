"""Exports as background jobs: who may start which, running one in chunks with its progress, cancelling,
expiring, and the monthly report.

A job's progress is one conditional UPDATE per chunk (`status = running`): it records the rows done and,
when it changes nothing, tells the runner the job was cancelled, so cancelling needs no other signal.
Every finished export writes one audit event (action export) with its level, reason and row count."""

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.db import connections, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from care.audit import audit_record
from care.models import AuditEvent, Clinic, User
from reports.exports import copy_csv, fhir, pdf, rows, tabular
from reports.facts import add_months
from reports.filters import ReportFilters
from reports.models import ReportJob, ReportSchedule
from reports.router import reports_database
from reports.selectors import clinic_report, report_clinic

log = logging.getLogger(__name__)

RUN_TASK = "reports.run_export"  # reports.export_tasks.run_export, by its pinned name
PROGRESS_EVERY = 2000  # rows between progress updates (and cancellation checks)
SCHEDULED_TTL = dt.timedelta(days=7)  # an emailed link should outlive a weekend
STUCK_AFTER = dt.timedelta(hours=6)
FORMATS = {
    ReportJob.Kind.SUMMARY: (
        ReportJob.Format.CSV,
        ReportJob.Format.XLSX,
        ReportJob.Format.PDF,
        ReportJob.Format.FHIR,
    ),
    ReportJob.Kind.RECORDS: (ReportJob.Format.CSV, ReportJob.Format.XLSX, ReportJob.Format.FHIR),
}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "pdf": "pdf", "fhir": "json"}
LEVEL_PERMISSIONS = {
    ReportJob.Level.LIMITED: "reports.export_limited",
    ReportJob.Level.IDENTIFIED: "reports.export_identified",
}
ACTIVE = (ReportJob.Status.QUEUED, ReportJob.Status.RUNNING)


class ExportRefused(Exception):
    """Why an export cannot start: `code` is "invalid", "permission", "reason" or "sign_in"."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class Cancelled(Exception):
    pass


@dataclass(frozen=True)
class ExportRequest:
    kind: str
    format: str
    level: str = ReportJob.Level.DEIDENTIFIED
    reason: str = ""


def may_export(user: User, level: str) -> bool:
    permission = LEVEL_PERMISSIONS.get(ReportJob.Level(level))
    return permission is None or user.has_perm(permission)


def check_request(user: User, request: ExportRequest, *, confirmed: bool) -> None:
    """Raise ExportRefused unless `user` may make this export now. De-identified: any clinic admin. A
    limited or identified export: the level's permission, a reason, and `confirmed` — the person signed
    in or confirmed it's them in the last 15 minutes (care.reauth, asked by the view)."""
    if request.kind not in FORMATS or request.format not in FORMATS[ReportJob.Kind(request.kind)]:
        raise ExportRefused("invalid", "This export is not offered.")
    if request.level not in ReportJob.Level.values:
        raise ExportRefused("invalid", "This level is not offered.")
    if request.level == ReportJob.Level.DEIDENTIFIED:
        return
    if not may_export(user, request.level):
        raise ExportRefused("permission", "You do not have permission to export client dates or names.")
    if len(request.reason.strip()) < 10:
        raise ExportRefused("reason", "Say why this export needs dates or names (at least a sentence).")
    if not confirmed:
        raise ExportRefused("sign_in", "Confirm it's you to export client dates or names.")


def job_start(
    *, user: User, clinic: Clinic, request: ExportRequest, filters: ReportFilters, confirmed: bool = False
) -> ReportJob:
    """Create the job and queue it once the transaction commits."""
    check_request(user, request, confirmed=confirmed)
    with transaction.atomic():
        job = ReportJob.objects.create(
            clinic=clinic,
            requested_by=user,
            kind=request.kind,
            format=request.format,
            level=request.level,
            reason=request.reason.strip(),
            params=filters.as_params(),
        )
        transaction.on_commit(lambda: current_app.tasks[RUN_TASK].delay(job.pk))
    return job


# ----------------------------------------------------------------------------------------------- run


def export_dir() -> Path:
    path = Path(settings.REPORTS_EXPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _tick(job_id: int):
    def tick(done: int) -> None:
        # One UPDATE: records progress, and finds the job cancelled when it matches nothing.
        if not ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.RUNNING).update(rows_done=done):
            raise Cancelled

    return tick


def _set_total(job_id: int, total: int) -> None:
    ReportJob.objects.filter(pk=job_id).update(rows_total=total)


def job_run(job_id: int, *, every: int = PROGRESS_EVERY) -> str:
    """Run a queued job; returns its final status. Safe to call twice: only a queued job is claimed."""
    now = timezone.now()
    claimed = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.QUEUED).update(
        status=ReportJob.Status.RUNNING, started_at=now
    )
    job = ReportJob.objects.select_related("clinic", "requested_by").get(pk=job_id)
    if not claimed:
        return job.status
    path = export_dir() / f"{job.clinic_id}-{job.pk}-{secrets.token_hex(8)}.{EXTENSIONS[job.format]}"
    try:
        total = _write(job, path, _tick(job.pk), every)
    except Cancelled:
        path.unlink(missing_ok=True)
        return ReportJob.Status.CANCELLED
    except Exception as error:
        path.unlink(missing_ok=True)
        log.exception("report export %s failed", job.pk)
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        return ReportJob.Status.FAILED
    return _finish(job, path, total)


def _finish(job: ReportJob, path: Path, total: int) -> str:
    finished = timezone.now()
    ttl = SCHEDULED_TTL if job.scheduled else dt.timedelta(hours=settings.REPORTS_EXPORT_TTL_HOURS)
    with transaction.atomic():
        done = ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.RUNNING).update(
            status=ReportJob.Status.DONE,
            rows_done=total,
            rows_total=total,
            file_path=path.name,
            finished_at=finished,
            expires_at=finished + ttl,
        )
        if not done:  # cancelled after the last chunk
            path.unlink(missing_ok=True)
            return ReportJob.Status.CANCELLED
        audit_record(
            actor=job.requested_by,
            action=AuditEvent.Action.EXPORT,
            obj=job,
            detail={
                "kind": job.kind,
                "format": job.format,
                "level": job.level,
                "reason": job.reason,
                "rows": total,
                "filters": job.params,
                "scheduled": job.scheduled,
            },
        )
    return ReportJob.Status.DONE


def _write(job: ReportJob, path: Path, tick, every: int) -> int:
    filters = ReportFilters.from_params(job.params)
    label = ReportJob.Level(job.level).label
    if job.kind == ReportJob.Kind.RECORDS:
        if job.format == ReportJob.Format.FHIR:
            total = fhir.checkins(job.clinic, filters).count()
            _set_total(job.pk, total)
            return fhir.write_records(path, job.clinic, filters, job.level, tick, every)
        if job.format == ReportJob.Format.CSV and connections[reports_database()].vendor == "postgresql":
            _set_total(job.pk, rows.sessions(job.clinic, filters).count())
            return copy_csv.write_records_csv(path, job.clinic, filters, job.level, tick, every)
        table = rows.records_table(job.clinic, filters, job.level)
    else:
        report = clinic_report(job.clinic, filters)
        if job.format == ReportJob.Format.PDF:
            _set_total(job.pk, len(report.figures))
            return pdf.write_pdf(path, report, level_label=label, clinic_name=job.clinic.name)
        if job.format == ReportJob.Format.FHIR:
            _set_total(job.pk, len(report.figures))
            return fhir.write_summary(path, report, clinic_name=job.clinic.name)
        table = rows.summary_table(report)
    _set_total(job.pk, table.total)
    if job.format == ReportJob.Format.XLSX:
        return tabular.write_xlsx(path, table, tick, every, title=job.get_kind_display())
    return tabular.write_csv(path, table, tick, every)


def job_cancel(*, user: User, job: ReportJob) -> bool:
    """Cancel a queued or running job: the runner stops at its next chunk and deletes its file."""
    return bool(
        ReportJob.objects.filter(pk=job.pk, status__in=ACTIVE).update(
            status=ReportJob.Status.CANCELLED, finished_at=timezone.now()
        )
    )


def jobs_expire(now: dt.datetime | None = None) -> int:
    """Beat, hourly: delete the files of jobs past their expiry; fail jobs a lost worker left behind."""
    now = now or timezone.now()
    expired = ReportJob.objects.filter(expires_at__lte=now).exclude(file_path="")
    count = 0
    for job in expired.only("pk", "file_path"):
        (export_dir() / Path(job.file_path).name).unlink(missing_ok=True)
        count += ReportJob.objects.filter(pk=job.pk).update(file_path="")
    ReportJob.objects.filter(status__in=ACTIVE, created_at__lte=now - STUCK_AFTER).update(
        status=ReportJob.Status.FAILED, error="Did not finish in time.", finished_at=now
    )
    return count


# ------------------------------------------------------------------------------------------- reading


def visible_jobs(user: User, clinic: Clinic) -> QuerySet[ReportJob]:
    """The jobs a clinic admin sees: the clinic's de-identified ones, and their own of any level."""
    jobs = ReportJob.objects.filter(clinic=clinic)
    if not user.is_superuser:
        jobs = jobs.filter(Q(level=ReportJob.Level.DEIDENTIFIED) | Q(requested_by=user))
    return jobs


def recent_jobs(user: User, clinic: Clinic, limit: int = 8) -> list[ReportJob]:
    return list(visible_jobs(user, clinic).order_by("-created_at", "-pk")[:limit])


def job_for(user: User, job_id: int) -> ReportJob:
    """The job, if this user may see it; otherwise 404 (another clinic's, someone else's identified)."""
    if user.is_authenticated and user.is_superuser:
        job = ReportJob.objects.filter(pk=job_id).select_related("clinic").first()
    else:
        clinic = report_clinic(user)
        job = visible_jobs(user, clinic).filter(pk=job_id).select_related("clinic").first()
    if job is None:
        raise Http404("Not found")
    return job


def job_file(job: ReportJob, now: dt.datetime | None = None) -> Path | None:
    """The job's file while it may be downloaded, else None."""
    now = now or timezone.now()
    if job.status != ReportJob.Status.DONE or not job.file_path or (job.expires_at and job.expires_at <= now):
        return None
    path = export_dir() / Path(job.file_path).name
    return path if path.exists() else None


def job_percent(job: ReportJob) -> int:
    if job.status == ReportJob.Status.DONE:
        return 100
    if not job.rows_total:
        return 0
    return min(99, int(job.rows_done * 100 / job.rows_total))


# ------------------------------------------------------------------------------------- monthly report


def schedule_set(*, user: User, clinic: Clinic, active: bool, format: str) -> ReportSchedule:
    if format not in FORMATS[ReportJob.Kind.SUMMARY]:
        raise ExportRefused("invalid", "This format is not offered.")
    with transaction.atomic():
        schedule, _created = ReportSchedule.objects.update_or_create(
            clinic=clinic, defaults={"active": active, "format": format, "created_by": user}
        )
        audit_record(
            actor=user,
            action=AuditEvent.Action.UPDATE,
            obj=schedule,
            detail={"active": active, "format": format},
        )
    return schedule


def last_full_month(today: dt.date) -> tuple[dt.date, dt.date]:
    """The twelve months up to the last full month: (first day, last day)."""
    month = add_months(today.replace(day=1), -1)
    return add_months(month, -11), add_months(month, 1) - dt.timedelta(days=1)


def monthly_reports_make(today: dt.date) -> list[ReportJob]:
    """The 1st of each month: each active schedule's report for the twelve months to last month, made
    now (de-identified, summary) and returned for emailing. A schedule already made this month is
    skipped, so a second run the same day sends nothing twice."""
    start, end = last_full_month(today)
    jobs = []
    for schedule in ReportSchedule.objects.filter(active=True).select_related("clinic"):
        marked = ReportSchedule.objects.filter(pk=schedule.pk).exclude(last_month_sent=end.replace(day=1))
        if not marked.update(last_month_sent=end.replace(day=1)):
            continue
        job = ReportJob.objects.create(
            clinic=schedule.clinic,
            kind=ReportJob.Kind.SUMMARY,
            format=schedule.format,
            scheduled=True,
            params=ReportFilters(start=start, end=end).as_params(),
        )
        if job_run(job.pk) == ReportJob.Status.DONE:
            job.refresh_from_db()
            jobs.append(job)
    return jobs
