"""The engine with a real Celery worker and real Redis, including Redis stopping and a worker killed."""

import contextlib
import os
import signal
import time
import uuid

import psycopg
import pytest
import redis
from django.db import connection

from care.models import CheckIn
from risk.models import Flag, FlagEvent
from risk.tasks import sweep_risk
from tests.alliance.factories import rel
from tests.care.factories import EpisodeFactory, SessionFactory
from tests.checkin.factories import submit
from tests.conftest import require_service
from tests.risk.factories import flags_with
from tests.risk.worker import PrivateRedis, Worker, free_port, publishing_to, redis_url, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

LOW = rel(heard=5, goals=6)  # 31/40 and two low items


@pytest.fixture
def shared_redis():
    url = redis_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
        available = True
    except redis.RedisError:
        available = False
    require_service(f"Redis at {url}", available)
    return url


def flags_of(episode, rule="relationship.low_total"):
    return Flag.objects.filter(episode=episode, rule=rule)


def test_submitted_check_in_yields_its_flag_through_a_real_worker(shared_redis):
    # Given a running worker on real Redis, on a queue of its own (the server may be shared)
    queue = f"attune-test-{uuid.uuid4().hex[:12]}"
    worker = Worker(shared_redis, queue=queue).start()
    try:
        with publishing_to(shared_redis, queue=queue):
            episode = EpisodeFactory()
            # When the client submits a low check-in
            checkin = submit(SessionFactory(episode=episode, number=1), LOW)
            # Then the worker raises the flag and clears the outbox
            wait_for(lambda: flags_of(episode).exists(), timeout=20, what="the flag")
            wait_for(
                lambda: CheckIn.objects.get(pk=checkin.pk).evaluated_at is not None,
                timeout=5,
                what="evaluated",
            )
        assert flags_of(episode).count() == 1  # one relationship flag, the low items merged into it
        assert flags_with(episode, "relationship.low_item").count() == 1
    finally:
        worker.stop()


def test_redis_down_while_50_check_ins_are_submitted_loses_nothing(capsys):
    # Given our own Redis, stopped before the clients submit
    server = PrivateRedis(free_port()).start()
    server.stop()
    episodes = [EpisodeFactory() for _ in range(50)]
    sessions = [SessionFactory(episode=e, number=1) for e in episodes]
    with publishing_to(server.url):
        # When 50 clients submit while the broker is down
        started = time.perf_counter()
        for session in sessions:
            submit(session, LOW)
        per_submit = (time.perf_counter() - started) / 50
        # Then every check-in is stored and waiting in the outbox
        assert CheckIn.objects.filter(submitted_at__isnull=False).count() == 50
        assert CheckIn.objects.filter(evaluated_at__isnull=True).count() == 50
        assert not Flag.objects.exists()
        # When Redis comes back (empty: nothing was ever queued) with a worker, and beat's sweep runs
        server.start()
        worker = Worker(server.url).start()
        try:
            restarted = time.perf_counter()
            sweep_risk.delay(grace_seconds=0)
            # Then all 50 are evaluated and flagged, once each
            wait_for(
                lambda: not CheckIn.objects.filter(evaluated_at__isnull=True).exists(),
                timeout=60,
                what="all 50 evaluated",
            )
            recovered = time.perf_counter() - restarted
        finally:
            worker.stop()
            server.stop()
    assert Flag.objects.filter(rule="relationship.low_total").count() == 50
    assert FlagEvent.objects.filter(action="raised", flag__rule="relationship.low_total").count() == 50
    with capsys.disabled():
        print(
            f"\n[fault] Redis down: {per_submit * 1000:.0f} ms per submit; all 50 evaluated {recovered:.1f} s after restart"
        )


def test_worker_killed_mid_task_runs_it_again_with_one_flag(capsys):
    server = PrivateRedis(free_port()).start()
    episode = EpisodeFactory()
    try:
        with publishing_to(server.url):
            # Given a queued evaluation of a low check-in
            submit(SessionFactory(episode=episode, number=1), LOW)
            # and a lock on the episode row, so the task will stop mid-way, inside its transaction
            with row_lock(episode.pk) as blocker:
                worker = Worker(server.url).start()
                try:
                    # When the task is waiting inside evaluate_episode
                    wait_for(lambda: waiting_on_lock(blocker), timeout=20, what="the task mid-way")
                    child = wait_for(worker.children, timeout=5, what="the pool process")[0]
                    # and the pool process running it is killed
                    os.kill(child, signal.SIGKILL)
                    killed = time.perf_counter()
                    blocker.rollback()
                    # Then the message comes back, runs again, and raises exactly one flag
                    wait_for(lambda: flags_of(episode).exists(), timeout=30, what="the flag after the kill")
                    rerun = time.perf_counter() - killed
                    time.sleep(1)  # room for a duplicate to appear, if there were one
                    assert "WorkerLostError" in worker.output() or "signal 9" in worker.output()
                finally:
                    worker.stop()
    finally:
        server.stop()
    assert flags_of(episode).count() == 1
    raised = FlagEvent.objects.filter(
        flag__episode=episode, action="raised", flag__rule="relationship.low_total"
    )
    assert raised.count() == 1
    with capsys.disabled():
        print(f"\n[fault] pool process killed mid-task: flag raised {rerun:.2f} s after the kill")


def test_whole_worker_killed_the_sweep_recovers_the_lost_message(capsys):
    server = PrivateRedis(free_port()).start()
    episode = EpisodeFactory()
    try:
        with publishing_to(server.url):
            submit(SessionFactory(episode=episode, number=1), LOW)
            with row_lock(episode.pk) as blocker:
                worker = Worker(server.url).start()
                try:
                    wait_for(lambda: waiting_on_lock(blocker), timeout=20, what="the task mid-way")
                finally:
                    # When the whole worker (main process and pool) is killed mid-task, the message it
                    # had not acknowledged stays invisible until Redis' visibility timeout (15 minutes)
                    os.killpg(worker.process.pid, signal.SIGKILL)
                    worker.process.wait(5)
            replacement = Worker(server.url).start()
            try:
                time.sleep(1)
                assert not flags_of(episode).exists()
                # Then the next sweep (beat, every 5 minutes) evaluates the episode anyway
                started = time.perf_counter()
                sweep_risk.delay(grace_seconds=0)
                wait_for(lambda: flags_of(episode).exists(), timeout=30, what="the flag after the sweep")
                took = time.perf_counter() - started
            finally:
                replacement.stop()
    finally:
        server.stop()
    assert flags_of(episode).count() == 1
    with capsys.disabled():
        print(f"\n[fault] whole worker killed: sweep raised the flag {took:.2f} s after it was queued")


@contextlib.contextmanager
def row_lock(episode_id: int):
    """Hold the episode's row lock from a separate connection; always released and closed, so the
    test database can be flushed afterwards whatever happened."""
    settings = connection.settings_dict
    blocker = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or "root",
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )
    try:
        blocker.execute("SELECT id FROM care_episode WHERE id = %s FOR UPDATE", [episode_id])
        yield blocker
    finally:
        blocker.rollback()
        blocker.close()


def waiting_on_lock(blocker) -> bool:
    """Is another session of this database waiting for a lock (the task, on the held row)?"""
    row = blocker.execute(
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE NOT l.granted AND a.datname = current_database()"
    ).fetchone()
    return row[0] > 0
