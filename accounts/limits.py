"""Sign-in limits and the page shown when one is reached.

django-axes counts wrong passwords per (username, address) pair, so a stranger guessing at one account
from elsewhere locks only themselves out. On top of that an address is held back once it has failed
SIGNIN_ADDRESS_LIMIT times over all accounts (spraying one password at many usernames), and a signed-in
person gets SECOND_FACTOR_TRIES wrong codes before being signed out. Every limit cools off after
AXES_COOLOFF_MINUTES. Addresses come from care.client_ip (TRUSTED_PROXY_COUNT)."""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from care.client_ip import client_ip

SECOND_FACTOR_TRIES = 10


def cooloff_seconds() -> int:
    return int(float(settings.AXES_COOLOFF_TIME) * 3600)


def window_count(key: str, window: int) -> int:
    """Failures recorded under `key` in the current window (which starts at the first one)."""
    count, start = cache.get(key, (0, 0.0))
    return count if time.time() - start < window else 0


def window_hit(key: str, window: int) -> int:
    """Record one failure; the window is fixed from the first failure, so trying again while held
    back does not keep anyone out for longer."""
    now = time.time()
    count, start = cache.get(key, (0, now))
    if now - start >= window:
        count, start = 0, now
    count += 1
    cache.set(key, (count, start), timeout=int(window - (now - start)) + 1)
    return count


def _address_key(request: HttpRequest) -> str:
    return f"signin-address:{client_ip(request)}"


def address_held_back(request: HttpRequest) -> bool:
    return window_count(_address_key(request), cooloff_seconds()) >= settings.SIGNIN_ADDRESS_LIMIT


def note_address_failure(request: HttpRequest) -> None:
    window_hit(_address_key(request), cooloff_seconds())


def second_factor_key(user_id: int | None) -> str:
    return f"second-factor-tries:{user_id}"


def second_factor_held_back(user_id: int | None) -> bool:
    return window_count(second_factor_key(user_id), cooloff_seconds()) >= SECOND_FACTOR_TRIES


def note_second_factor_failure(user_id: int | None) -> int:
    return window_hit(second_factor_key(user_id), cooloff_seconds())


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
    *,
    second_factor: bool = False,
) -> HttpResponse:
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE), and ours: styled, in the page's language,
    saying how long to wait and what to do, without saying whether the username exists."""
    minutes = max(1, round(cooloff_seconds() / 60))
    context = {"minutes": minutes, "second_factor": second_factor}
    return render(request, "registration/locked_out.html", context, status=429)
