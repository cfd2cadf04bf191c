"""/health/: readiness for the container health check and the load balancer, always as JSON.

Only the database decides readiness (503 without it: nothing can be stored). Redis and the risk
engine's queue are reported as "degraded", not "down": without Redis tasks still run from the
outbox sweep, and a long queue means alerts are late, not that the web cannot serve."""

import logging
import time

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from care.models import Episode

log = logging.getLogger(__name__)

# The risk engine's outbox older than this means alerts are running late.
QUEUE_LATE_SECONDS = 15 * 60


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # any failure of the database means not ready; never an HTML 500
        log.warning("health: database unavailable", exc_info=True)
        return False


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not used"  # the demo runs tasks in-process
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
        return "ok"
    except Exception:
        log.warning("health: redis unavailable", exc_info=True)
        return "degraded"


def _queue() -> dict:
    """How many episodes wait for the risk engine, and for how long the oldest has waited."""
    due = Episode.objects.filter(evaluation_due_at__isnull=False).order_by("evaluation_due_at")
    oldest = due.values_list("evaluation_due_at", flat=True).first()
    waited = int((timezone.now() - oldest).total_seconds()) if oldest else 0
    return {
        "status": "degraded" if waited > QUEUE_LATE_SECONDS else "ok",
        "depth": due.count(),
        "oldest_seconds": max(waited, 0),
    }


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    started = time.monotonic()
    if not _database():
        return JsonResponse({"status": "down", "checks": {"database": "down"}}, status=503)
    checks: dict = {"database": "ok", "redis": _redis()}
    try:
        checks["queue"] = _queue()
    except Exception:
        log.warning("health: queue depth unavailable", exc_info=True)
        checks["queue"] = {"status": "degraded"}
    degraded = checks["redis"] == "degraded" or checks["queue"]["status"] == "degraded"
    body: dict[str, object] = {
        "status": "degraded" if degraded else "ok",
        "checks": checks,
        "took_ms": round((time.monotonic() - started) * 1000),
    }
    return JsonResponse(body)
