"""Celery wiring: tasks run in-process after commit without a broker, and a real worker runs them
through Redis."""

import os
import time

import pytest
from celery import Celery
from django.db import transaction

from care.models import Episode
from config.celery import app as project_app
from risk import engine as risk
from risk import tasks
from tests.conftest import require_service

pytestmark = pytest.mark.django_db


def test_without_a_broker_the_evaluation_runs_in_process_after_commit(
    personas, django_capture_on_commit_callbacks
):
    episode = personas["owner_episode"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        risk.request_evaluation(episode.pk)
        episode.refresh_from_db()
        assert episode.evaluation_due_at is not None  # marked due inside the transaction
    assert len(callbacks) == 1  # and queued only once it commits

    for callback in callbacks:
        callback()
    episode.refresh_from_db()
    assert episode.evaluation_due_at is None
    assert episode.evaluated_at is not None


@pytest.fixture
def redis_url():
    url = os.environ.get("ATTUNE_TEST_REDIS_URL", "")
    available = False
    if url:
        import redis

        try:
            available = redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        except redis.RedisError:
            available = False
    require_service("Redis (ATTUNE_TEST_REDIS_URL)", available)
    return url


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_evaluation_through_redis(personas, redis_url):
    # A fresh app bound to the test broker (the project app is eager in tests); shared tasks join it.
    from celery.contrib.testing import tasks as _ping  # noqa: F401 — the worker's ping check needs it
    from celery.contrib.testing.worker import start_worker

    app = Celery("attune-test", broker=redis_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True, worker_prefetch_multiplier=1, broker_connection_retry_on_startup=True
    )
    episode = personas["owner_episode"]
    Episode.objects.filter(pk=episode.pk).update(evaluation_due_at=None, evaluated_at=None)

    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            # The project's shared task, sent by name through Redis exactly as the web does.
            app.send_task(tasks.evaluate_episode.name, args=[episode.pk])
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                episode.refresh_from_db()
                if episode.evaluated_at is not None:
                    break
                time.sleep(0.1)
    finally:
        # start_worker makes its app the current one; shared tasks must go back to the project's app.
        project_app.set_current()

    assert episode.evaluated_at is not None
