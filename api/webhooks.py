"""Webhooks: a clinic's HTTPS endpoints hear flag.raised, flag.resolved and checkin.completed.

Each event becomes one WebhookDelivery row per subscribed endpoint, written in the same transaction as
the event (api.outbox: a flag that commits always has its deliveries), and queued for Celery after
commit (api.tasks). Payloads carry ids and levels only; the receiver fetches details with its key.

Signature: `Attune-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's
secret>`. Receivers recompute it and refuse a `t` older than five minutes (a replayed capture)."""

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from api.models import WebhookDelivery, WebhookEndpoint

TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 8
USER_AGENT = "Attune-Webhooks/1"


class EndpointRefused(ValueError):
    """An address we will not deliver to (not HTTPS, or a private network), with the reason."""


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, now: float | None = None, tolerance: int = 300) -> bool:
    """What a receiver does (and what the tests do as one): recompute, compare in constant time, and
    refuse an old timestamp."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), f"t={timestamp},v1={parts.get('v1', '')}")


def backoff_seconds(attempt: int) -> int:
    """30 s, 1 min, 2 min … capped at 1 h: eight attempts span about four hours."""
    return int(min(30 * 2 ** max(attempt - 1, 0), 3600))


def _allow_private() -> bool:
    # Tests (and a developer's laptop) deliver to 127.0.0.1; production never to a private network.
    return bool(getattr(settings, "API_WEBHOOKS_ALLOW_PRIVATE", settings.DEBUG))


def check_url(url: str) -> None:
    """HTTPS to a public address only (no SSRF into our own network); plain HTTP only to a private
    address when API_WEBHOOKS_ALLOW_PRIVATE (tests, development)."""
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError for a port out of range
    except ValueError:
        raise EndpointRefused("Give an https:// address.") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise EndpointRefused("Give an https:// address.")
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, proto=socket.IPPROTO_TCP)
        private = any(not ipaddress.ip_address(str(info[4][0])).is_global for info in infos)
    except (OSError, UnicodeError, ValueError):
        raise EndpointRefused("This address does not resolve.") from None
    if _allow_private():
        return
    if parts.scheme != "https":
        raise EndpointRefused("Give an https:// address.")
    if private:
        raise EndpointRefused("This address is on a private network.")


def attempt(delivery_id: int) -> bool:
    """One attempt; True when the receiver answered 2xx (or there is nothing left to do)."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == WebhookDelivery.Status.DELIVERED:
        return True
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    code, error = _post(endpoint, delivery, body)
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = code
    delivery.last_error = error[:200]
    ok = code is not None and 200 <= code < 300
    if ok:
        delivery.status, delivery.delivered_at = WebhookDelivery.Status.DELIVERED, now
    elif delivery.attempts >= MAX_ATTEMPTS or not endpoint.active:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "status",
            "delivered_at",
        ]
    )
    return ok or delivery.status == WebhookDelivery.Status.FAILED


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery, body: bytes) -> tuple[int | None, str]:
    try:
        check_url(endpoint.url)
    except EndpointRefused as refused:
        return None, str(refused)
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above (http(s) only)
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Attune-Event": delivery.event,
            "Attune-Delivery": str(delivery.pk),
            "Attune-Signature": sign(endpoint.secret, int(time.time()), body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as answered:
        return answered.code, f"HTTP {answered.code}"
    except (urllib.error.URLError, OSError, ValueError) as failed:
        return None, type(failed).__name__ + ": " + str(failed)


def purge_before(cutoff: dt.datetime) -> int:
    return WebhookDelivery.objects.filter(created_at__lt=cutoff).delete()[0]
