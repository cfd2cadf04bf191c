"""Webhook events into the delivery log (the outbox), and replays from the admin page."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from api.models import WebhookDelivery, WebhookEndpoint
from api.tasks import deliver_webhook


def record_event(*, episode_id: int, event: str, data: dict[str, Any]) -> None:
    """One delivery per active endpoint of the episode's clinic that listens for `event`, written in the
    caller's transaction (one query when the clinic has no endpoint) and queued after it commits."""
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(active=True, clinic__clients__episodes__id=episode_id)
        if event in e.events
    ]
    if not endpoints:
        return
    payload = {"event": event, "occurred_at": timezone.now().isoformat(), "data": data}
    rows = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=e, event=event, payload=payload) for e in endpoints
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: queue(ids))


def queue(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        deliver_webhook.delay(delivery_id)


@transaction.atomic
def replay(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a past delivery's payload again, as a new logged delivery (the original row is kept)."""
    again = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint, event=delivery.event, payload=delivery.payload
    )
    transaction.on_commit(lambda: queue([again.pk]))
    return again
