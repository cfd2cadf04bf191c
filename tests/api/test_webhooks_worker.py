"""Webhook retries through a real Celery worker on real Redis: the first answer fails, the worker waits
the backoff (30 s) and delivers on the second attempt."""

import time

import pytest
import redis

from api import webhooks
from api.models import WebhookDelivery, WebhookEndpoint
from tests.api.test_webhooks import Receiver
from tests.conftest import require_service
from tests.risk.factories import FlagFactory
from tests.risk.worker import Worker, publishing_to, redis_url, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_failed_delivery_is_retried_after_its_backoff_by_a_real_worker(clinic_setup):
    url = redis_url()
    try:
        available = bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        available = False
    require_service(f"Redis at {url}", available)
    receiver = Receiver(statuses=[500])
    endpoint = WebhookEndpoint.objects.create(
        clinic=clinic_setup["clinic"], url=receiver.url, secret=webhooks.new_secret(), events=["flag.raised"]
    )
    worker = Worker(url).start()  # DEBUG=true in the worker: it may deliver to 127.0.0.1
    try:
        with publishing_to(url):
            FlagFactory(episode=clinic_setup["episode"])
            wait_for(
                lambda: WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered").exists(),
                timeout=90,
                every=0.5,
                what="the second attempt",
            )
    finally:
        worker.stop()
        receiver.close()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.attempts, delivery.last_status_code) == (2, 204)
    assert len(receiver.requests) == 2
    gap = receiver.requests[1]["at"] - receiver.requests[0]["at"]
    assert gap >= webhooks.backoff_seconds(1) - 1, gap
    assert time.time() >= receiver.requests[1]["at"]
