"""Who is calling: an API key presented as `Authorization: Bearer <key>`, its scopes, and its rate.

Staff browser sessions never open the integration API: its views list this class alone, so a signed-in
clinician's cookie gets a 401 like any other request without a key."""

import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from api.keys import key_find
from api.models import ApiKey


@dataclass(frozen=True)
class KeyPrincipal:
    """What request.user is on an integration call: the clinic's key, never a person."""

    key: ApiKey

    is_authenticated = True
    is_active = True
    pk = None

    @property
    def clinic_id(self) -> int:
        return self.key.clinic_id

    @property
    def label(self) -> str:
        return f"api-key:{self.key.prefix}"

    def has_scope(self, scope: str) -> bool:
        return scope in self.key.scopes


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[KeyPrincipal, ApiKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise exceptions.AuthenticationFailed()
        key = key_find(secret.strip())
        if key is None:
            raise exceptions.AuthenticationFailed()
        return KeyPrincipal(key), key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="attune"'


class HasScope(BasePermission):
    """The view names `required_scope`; a key without it gets 403 insufficient_scope."""

    def has_permission(self, request: Request, view) -> bool:
        principal = request.user
        if not isinstance(principal, KeyPrincipal):
            raise exceptions.NotAuthenticated()
        return principal.has_scope(getattr(view, "required_scope", ""))


_clients: dict[str, redis.Redis] = {}


def _redis() -> redis.Redis:
    url = settings.REDIS_URL
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    return _clients[url]


WINDOW_SECONDS = 60


class KeyRateThrottle(BaseThrottle):
    """A fixed one-minute window per key: Redis INCR when REDIS_URL is set, else the Django cache (the
    database cache here). If Redis does not answer the request goes through: the limit protects us
    from a runaway integration, it must not take the API down with Redis."""

    wait_seconds: float = 0

    def allow_request(self, request: Request, view) -> bool:
        principal = request.user
        if not isinstance(principal, KeyPrincipal):
            return True
        window = int(time.time() // WINDOW_SECONDS)
        name = f"api:rate:{principal.key.pk}:{window}"
        count = _count(name)
        self.wait_seconds = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
        return count <= principal.key.rate_per_minute

    def wait(self) -> float:
        return self.wait_seconds


def _count(name: str) -> int:
    if settings.REDIS_URL:
        try:
            client = _redis()
            with client.pipeline() as pipe:
                pipe.incr(name)
                pipe.expire(name, WINDOW_SECONDS * 2)
                return int(pipe.execute()[0])
        except Exception:  # noqa: BLE001 - see the class docstring
            return 0
    if cache.add(name, 1, WINDOW_SECONDS * 2):
        return 1
    try:
        return cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, WINDOW_SECONDS * 2)
        return 1
