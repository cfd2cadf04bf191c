"""Celery tasks of the check-in: take ids, call a service, own the retry policy. Names are pinned."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from checkin.services import checkin_send_reminders


@shared_task(
    name="checkin.send_reminders",
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    max_retries=3,
)
def send_checkin_reminders() -> int:
    """Beat, hourly: one reminder per unanswered check-in once the clinic's reminder delay has passed
    (a conditional UPDATE on the link makes overlapping runs safe)."""
    return checkin_send_reminders()
