"""Celery tasks of the integration API: webhook deliveries with backoff, and clearing old records.
Names are pinned so queued messages and the beat schedule survive a move."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from api import webhooks
from api.models import IdempotencyRecord, WebhookDelivery

IDEMPOTENCY_TTL = dt.timedelta(hours=24)
DELIVERY_LOG_TTL = dt.timedelta(days=30)


@shared_task(bind=True, name="api.deliver_webhook", acks_late=True, max_retries=webhooks.MAX_ATTEMPTS - 1)
def deliver_webhook(self, delivery_id: int) -> bool:
    """One attempt; on failure, retry with exponential backoff until MAX_ATTEMPTS (then FAILED)."""
    if self.request.is_eager:
        # In-process (tests, the demo without Redis): no broker to hold a countdown, so the attempts run
        # one after another until delivered or failed.
        while not webhooks.attempt(delivery_id):
            pass
        return True
    if webhooks.attempt(delivery_id):
        return True
    attempts = WebhookDelivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True).first() or 1
    raise self.retry(countdown=webhooks.backoff_seconds(attempts))


@shared_task(name="api.purge")
def purge() -> int:
    """Daily: idempotency records past 24 h (a retry after that is a new request) and the delivery log
    past 30 days."""
    now = timezone.now()
    gone = IdempotencyRecord.objects.filter(created_at__lt=now - IDEMPOTENCY_TTL).delete()[0]
    return gone + webhooks.purge_before(now - DELIVERY_LOG_TTL)
