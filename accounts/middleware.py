"""Two session rules on every request: an absolute lifetime, and no page before the second factor."""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.policy import has_second_factor, second_factor_pending
from accounts.signals import STARTED_KEY

# Reachable while the second factor is still owed: the sign-in steps themselves, signing out, files.
OPEN_PREFIXES = ("/account/", "/login/", "/logout/", "/static/", "/health/")


class SessionLifetimeMiddleware:
    """Signs a person out SESSION_ABSOLUTE_SECONDS after they signed in, however active they have been
    (the idle timeout, SESSION_COOKIE_AGE, ends a session that is left alone sooner)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(STARTED_KEY)
            now = time.time()
            if not isinstance(started, int | float):
                request.session[STARTED_KEY] = now  # signed in before this rule: count from now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out: a sign-in lasts a working day at most. Please sign in again."),
                )
                login_url = f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}"
                return HttpResponseRedirect(login_url)
        return self.get_response(request)


class TwoFactorMiddleware:
    """Where a second factor is required, a session signed in with a password reaches no page until it
    has given one: it is sent to verify (or, the first time, to set one up), then on to where it was
    going. Fails closed: any signed-in session without a verified device counts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(OPEN_PREFIXES) and second_factor_pending(request):
            step = "two-factor-verify" if has_second_factor(request.user) else "account-security"  # type: ignore[arg-type]
            return HttpResponseRedirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
