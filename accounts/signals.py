"""Sign-in receivers: start the session's clocks; count failures per address."""

import time

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.limits import note_address_failure
from accounts.policy import remember_requirement
from care import reauth
from care.models import User

STARTED_KEY = "signed_in_at"


@receiver(user_logged_in, dispatch_uid="accounts-signed-in")
def signed_in(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session[STARTED_KEY] = time.time()
    # A fresh sign-in counts as a recent confirmation, once it is complete: at once where no second
    # factor is needed, otherwise when it is given (accounts.views).
    if not remember_requirement(request, user):
        reauth.mark_authenticated(request)


@receiver(user_login_failed, dispatch_uid="accounts-signin-failed")
def signin_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    if request is not None:
        note_address_failure(request)
