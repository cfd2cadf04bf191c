"""Refused access, recorded in the audit trail without letting a crawler flood it.

Three kinds: `not_found` (a scoped loader found no such object *for this user*: someone else's or none,
care.access.load_visible; or any 404 met by a signed-in user), `forbidden` (a 403, e.g. writing an episode
you may only read, care.access.require_write) and `lockout` (a sign-in lockout from axes, or a 429 from
a too-many-tries limit such as the tablet code's).

The audit table is append-only, so a summary cannot be a row whose count goes up. Instead the count lives
in the cache (the database cache by default, so it survives a Redis outage), one counter per
(actor, kind, hour), and a row is written for the 1st, 10th, 100th, 1,000th… denial in that hour, each
with the running count: the first refusal is on record at once, and a crawl of 1,000 foreign ids writes
four rows. A row's `count` is a lower bound for its hour (the hour's last tally between two powers of ten
is not written). The actor is the signed-in user, else the client's address (care.client_ip).

Recording never changes the answer: if it fails, the failure is logged and the 404/403/429 goes out."""

import logging
from typing import Any

from axes.signals import user_locked_out
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import receiver
from django.http import Http404, HttpRequest
from django.utils import timezone

from care.audit import audit_denied
from care.client_ip import client_ip
from care.models import User

log = logging.getLogger(__name__)

NOT_FOUND, FORBIDDEN, LOCKOUT = "not_found", "forbidden", "lockout"
COUNTER_SECONDS = 2 * 60 * 60  # outlives its hour
CLIENT_PATHS = ("/c/", "/me/")  # their second segment is a client's secret token: never stored


class NotVisible(Http404):
    """A scoped loader's 404, naming what was asked for (the page still says only "not found")."""

    def __init__(self, message: str, *, object_type: str, object_id: object) -> None:
        super().__init__(message)
        self.object_type, self.object_id = object_type, str(object_id)


class Refused(PermissionDenied):
    """A 403 for an object the user may see but not change, naming it."""

    def __init__(self, message: str, *, object_type: str, object_id: object) -> None:
        super().__init__(message)
        self.object_type, self.object_id = object_type, str(object_id)


def worth_recording(count: int) -> bool:
    """1, 10, 100, 1000, …"""
    return count > 0 and str(count).strip("0") == "1"


def printable(text: str, limit: int) -> str:
    """What a prober typed, fit to store: no NUL, control characters or lone surrogates (PostgreSQL
    refuses them), within `limit`."""
    return "".join(ch for ch in str(text)[: limit * 2] if ch.isprintable())[:limit]


def safe_path(path: str) -> str:
    if path.startswith(CLIENT_PATHS):
        return path[: path.index("/", 1) + 1] + "…"
    return printable(path, 200)


def _count(key: str) -> int:
    if cache.add(key, 1, COUNTER_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, COUNTER_SECONDS)
        return 1


def record_denial(
    request: HttpRequest | None,
    kind: str,
    *,
    object_type: str = "",
    object_id: str = "",
    username: str = "",
) -> bool:
    """Count one refusal; write a summary row when one is due. True if a row was written."""
    try:
        return _record(request, kind, object_type=object_type, object_id=object_id, username=username)
    except Exception:
        log.warning("denied access could not be recorded (kind=%s)", kind, exc_info=True)
        return False


def _record(
    request: HttpRequest | None, kind: str, *, object_type: str, object_id: str, username: str
) -> bool:
    found = getattr(request, "user", None)
    # A staff member; an API key's principal or an anonymous visitor is known by address.
    user = found if isinstance(found, User) and found.is_authenticated else None
    ip = client_ip(request) if request is not None else ""
    username = printable(username, 150)
    actor_key = f"user:{user.pk}" if user is not None else f"ip:{ip}:{username}"
    now = timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    count = _count(f"attune:denied:{kind}:{hour:%Y%m%d%H}:{actor_key}")
    if not worth_recording(count):
        return False
    detail: dict[str, Any] = {"kind": kind, "count": count, "hour": hour.isoformat(), "ip": ip}
    if request is not None:
        detail |= {"method": request.method, "path": safe_path(request.path)}
    if username:
        detail["username"] = username
    label = user.get_username() if user is not None else (username or "anonymous")
    with transaction.atomic():  # a savepoint: a failed write never breaks a surrounding transaction
        audit_denied(
            actor=user,
            actor_label=label,
            object_type=object_type or kind,
            object_id=printable(object_id, 64),
            detail=detail,
        )
    return True


def record_exception(request: HttpRequest | None, exception: BaseException | None, kind: str) -> bool:
    """From the failure-page handlers: what the exception names, if it names anything."""
    return record_denial(
        request,
        kind,
        object_type=getattr(exception, "object_type", ""),
        object_id=getattr(exception, "object_id", ""),
    )


@receiver(user_locked_out, dispatch_uid="care.denials.lockout")
def _on_lockout(
    sender: object, request: HttpRequest | None = None, username: str = "", **kwargs: object
) -> None:
    record_denial(request, LOCKOUT, object_type="signin", username=username or "")
