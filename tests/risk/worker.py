"""Real Redis and real Celery workers for the risk engine's integration and fault tests.

Each worker is a separate `celery worker` process on the test database, so it only sees committed
rows: tests that use it run with `django_db(transaction=True)`."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection
from kombu import pools as kombu_pools

from config.celery import app
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
LOCAL_REDIS_DB = 13  # this suite's own database on the shared server when run by hand


def redis_url() -> str:
    return os.environ.get("ATTUNE_TEST_REDIS_URL") or f"redis://127.0.0.1:6379/{LOCAL_REDIS_DB}"


def port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), 0.5):
        return True
    return False


def wait_for(predicate, *, timeout: float, every: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class PrivateRedis:
    """A throwaway redis-server on its own port (never the shared one), without persistence."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "PrivateRedis":
        binary = shutil.which("redis-server")
        require_service("redis-server binary", binary is not None)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: port_open("127.0.0.1", self.port), timeout=5, what="redis-server")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(5)
        wait_for(lambda: not port_open("127.0.0.1", self.port), timeout=5, what="redis-server to stop")


def free_port(first: int = 6391, last: int = 6499) -> int:
    """The first port from `first` nobody listens on or holds: several test runs (other engineers',
    other xdist workers) may start private servers at the same time."""
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no free port between {first} and {last}")


class Worker:
    """`celery -A config worker` in a child process, on the test database and the given broker.

    `queue`: consume only this queue (pair with `publishing_to(..., queue=...)`), so that on a shared
    Redis another run's worker can never take this test's tasks."""

    def __init__(self, broker_url: str, *, concurrency: int = 1, queue: str | None = None):
        self.broker_url = broker_url
        self.concurrency = concurrency
        self.queue = queue
        self.log = Path(tempfile.mkstemp(prefix="attune-worker-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        settings = connection.settings_dict
        database_url = f"postgres://{settings['USER'] or 'root'}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "true",
            "SECRET_KEY": "test-worker-secret-key-0123456789",
            "DATABASE_URL": database_url,
            "REDIS_URL": self.broker_url,
            "CONN_MAX_AGE": "0",
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                *([f"--queues={self.queue}"] if self.queue else []),
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: "ready." in self.output(), timeout=30, every=0.1, what="the Celery worker")
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


@contextlib.contextmanager
def publishing_to(broker_url: str, *, queue: str | None = None):
    """Make this process publish tasks to a real broker instead of running them eagerly (to `queue`
    when given: changing task_routes makes Celery rebuild its router)."""
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "task_routes")}

    def reset_pools():
        # Producer pools are built on first use, remember their broker, and kombu keeps a global
        # registry of them: clear both, or the next test would publish through a closed pool.
        kombu_pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    routes = {"risk.*": {"queue": queue}} if queue else saved["task_routes"]
    app.conf.update(broker_url=broker_url, task_always_eager=False, task_routes=routes)
    reset_pools()
    try:
        yield app
    finally:
        app.conf.update(**saved)
        reset_pools()
