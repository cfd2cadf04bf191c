"""The sweep's bulk path (risk.engine.evaluate_episodes) leaves exactly the flags the one-episode path
(evaluate_episode) leaves, on a seeded demo cohort, from a clean slate and again days later."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import demo.seed as demo
from care.models import Episode
from risk import engine
from risk.models import Flag, FlagEvent

pytestmark = pytest.mark.django_db


def flags_now() -> list[tuple]:
    return sorted(
        Flag.objects.values_list(
            "episode_id",
            "rule",
            "pillar",
            "level",
            "status",
            "session_id",
            "reasons",
            "findings",
            "reopened_at",
        ),
        key=repr,
    )


def one_by_one(ids, now):
    for episode_id in ids:
        engine.evaluate_episode(episode_id, now=now)


def in_bulk(ids, now):
    engine.evaluate_episodes(ids, now=now)


def outcome(evaluate, ids, now) -> list[tuple]:
    """What `evaluate` leaves, rolled back afterwards so the other path starts from the same rows."""
    with transaction.atomic():
        evaluate(ids, now)
        flags = flags_now()
        transaction.set_rollback(True)
    return flags


@pytest.fixture
def cohort(db):
    summary = demo.seed_clinic(seed=11, clients=60)
    # Start clean: every flag the seed raised goes, so each path has everything to raise again.
    FlagEvent.objects.all().delete()
    Flag.objects.all().delete()
    return summary, list(Episode.objects.order_by("pk").values_list("pk", flat=True))


@pytest.mark.parametrize("days_later", [0, 20])
def test_bulk_and_one_by_one_leave_the_same_flags(cohort, days_later):
    _summary, ids = cohort
    now = dt.datetime.now(dt.UTC) + dt.timedelta(days=days_later)
    expected = outcome(one_by_one, ids, now)
    assert len(expected) > 10, "the cohort should raise flags for the comparison to mean something"
    assert outcome(in_bulk, ids, now) == expected


def test_a_second_bulk_run_changes_nothing(cohort):
    _summary, ids = cohort
    now = dt.datetime.now(dt.UTC)
    engine.evaluate_episodes(ids, now=now)
    first = flags_now()
    engine.evaluate_episodes(ids, now=now)
    assert flags_now() == first


def test_bulk_reads_do_not_grow_with_the_batch(cohort):
    """Once flags are current nothing is written, so the queries are the batch's reads and the outbox."""
    _summary, ids = cohort
    now = dt.datetime.now(dt.UTC)
    engine.evaluate_episodes(ids, now=now)

    def count(episode_ids) -> int:
        with CaptureQueriesContext(connection) as queries:
            engine.evaluate_episodes(episode_ids, now=now)
        return len(queries)

    assert count(ids[:10]) == count(ids)
