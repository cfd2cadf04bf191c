"""Celery tasks of the report exports: take ids, call reports.jobs, own the retry policy. Names are pinned
so queued messages and the beat schedule survive a move (settings.CELERY_IMPORTS loads this module in
the worker; the export views import it in the web process)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from reports import emails, jobs

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(name="reports.run_export", acks_late=True, reject_on_worker_lost=True)
def run_export(job_id: int) -> str:
    """Write one export. Not retried: a failed job says so on the page and the admin starts another
    (a half-written file is deleted); a redelivered message finds the job no longer queued."""
    return jobs.job_run(job_id)


@shared_task(
    name="reports.expire_exports", acks_late=True, autoretry_for=TRANSIENT, retry_backoff=30, max_retries=3
)
def expire_exports() -> int:
    """Beat, hourly: delete downloads past their expiry."""
    return jobs.jobs_expire()


@shared_task(
    name="reports.send_monthly_reports",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=60,
    max_retries=3,
)
def send_monthly_reports() -> int:
    """Beat, the 1st of each month: make each scheduled clinic's report and email its admins the link."""
    made = jobs.monthly_reports_make(timezone.localdate())
    return sum(emails.send_report_ready(job) for job in made)
