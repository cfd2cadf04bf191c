"""Celery tasks of the risk engine: take ids, call a service, own the retry policy. All are idempotent.

Names are pinned (`name=`) so queued messages and the beat schedule survive any move of this module.

The risk tasks retry with backoff only on transient database errors; anything else is a bug that a
retry would not fix, and the outbox (Episode.evaluation_due_at) keeps the work for the next sweep."""

import datetime as dt

from celery import shared_task
from django.db import InterfaceError, OperationalError

from risk import engine as risk
from risk.services import digests_send

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    name="risk.evaluate_episode",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=6,
)
def evaluate_episode(episode_id: int) -> dict:
    result = risk.evaluate_episode(episode_id)
    return {"raised": result.raised, "updated": result.updated, "resolved": result.resolved}


@shared_task(
    name="risk.evaluate_episodes",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=6,
)
def evaluate_episodes(episode_ids: list[int]) -> dict:
    """A batch from the sweep: evaluated together (risk.engine.evaluate_episodes)."""
    results = risk.evaluate_episodes(episode_ids)
    return {"evaluated": len(results), "raised": sum(len(r.raised) for r in results)}


@shared_task(name="risk.sweep", acks_late=True, autoretry_for=TRANSIENT, retry_backoff=5, max_retries=3)
def sweep_risk(grace_seconds: int = 120) -> dict:
    """Beat, every few minutes: mark stale flags, then queue every episode the engine still owes a look
    (lost tasks, check-ins never evaluated, time-based rules coming due)."""
    stale = risk.flags_mark_stale()
    due = risk.sweep_due(enqueue=True, grace=dt.timedelta(seconds=grace_seconds))
    return {"stale": stale, "queued": len(due)}


@shared_task(
    name="risk.send_flag_digests", acks_late=True, autoretry_for=TRANSIENT, retry_backoff=30, max_retries=3
)
def send_flag_digests() -> int:
    return digests_send()
