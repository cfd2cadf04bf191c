"""'Confirm it's you' before security changes and identified exports.

A person who signed in hours ago, or left a signed-in browser unattended, should not be able to change
how they sign in or take a file of named clients away without proving again that they are who the
session says. Any view can ask `recently_authenticated(request)`; when the answer is no, send the person
to `reauth_url(request)` (the page at URL name "reauth", accounts/views.py: password, then the second
factor when they have one), which records the time here and returns them to `next`.

The clock starts at sign-in (with the second factor, where one is required) and again at each
confirmation."""

import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_KEY = "reauth_at"
DEFAULT_MINUTES = 15


def mark_authenticated(request: HttpRequest) -> None:
    """The person has just proved who they are (sign-in or confirmation)."""
    request.session[SESSION_KEY] = time.time()


def recently_authenticated(request: HttpRequest, minutes: int = DEFAULT_MINUTES) -> bool:
    if not request.user.is_authenticated:
        return False
    at = request.session.get(SESSION_KEY)
    if not isinstance(at, int | float):
        return False
    age = time.time() - at
    return 0 <= age <= minutes * 60


def reauth_url(request: HttpRequest, next_url: str | None = None) -> str:
    """The confirmation page, returning to `next_url` (this request's own path when not given)."""
    return f"{reverse('reauth')}?{urlencode({'next': next_url or request.get_full_path()})}"


def _back_to(request: HttpRequest) -> str:
    if request.method in {"GET", "HEAD"}:
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return request.path


def reauth_required(minutes: int = DEFAULT_MINUTES) -> Callable:
    """Decorator: a view that runs only for a recently confirmed person; others confirm first.

    A POST is sent to confirm and then back to the page the form was on, so nothing is done on the
    strength of a form filled in before confirming."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if recently_authenticated(request, minutes):
                return view(request, *args, **kwargs)
            return HttpResponseRedirect(reauth_url(request, _back_to(request)))

        return wrapper

    return decorator
