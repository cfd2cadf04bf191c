"""Passkeys (WebAuthn) through django-otp-webauthn, used as a second factor only (never instead of the
password: OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is off).

The library's JSON views do the ceremonies; these subclasses add our rules: registering needs a recent
confirmation (or the first set-up right after signing in), every change is audited, and a passkey
that verifies counts as a fresh confirmation (care.reauth)."""

import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.http.request import split_domain_port
from django.utils.translation import gettext_lazy as _
from django_otp_webauthn import exceptions
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from accounts.limits import second_factor_held_back
from accounts.policy import second_factor_pending
from accounts.services import (
    PASSWORD_CONFIRMED_KEY,
    may_change_factors,
    password_recently_confirmed,
    second_factor_given,
)
from care.audit import audit_record
from care.models import AuditEvent


def relying_party_id(request: HttpRequest) -> str:
    """The site's host name (ALLOWED_HOSTS has vouched for it); passkeys are bound to it."""
    domain, _port = split_domain_port(request.get_host())
    return domain


class PasskeyHelper(WebAuthnHelper):
    def get_allowed_origins(self) -> list[str]:
        origins = list(super().get_allowed_origins())
        # Demo mode (and the tests' live server) runs on localhost at any port.
        if settings.DEMO and relying_party_id(self.request) == "localhost":
            origins.append(f"{self.request.scheme}://{self.request.get_host()}")
        return origins


class NotRecentlyConfirmed(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "confirm_first"
    default_detail = _("Confirm it's you before adding a passkey.")


class TooManyTries(exceptions.OTPWebAuthnApiError):
    status_code = 429
    default_code = "too_many_tries"
    default_detail = _("Too many tries. Wait a few minutes, then try again.")


class RegisterBegin(BeginCredentialRegistrationView):
    def check_can_register(self) -> None:
        if not may_change_factors(self.request):
            raise NotRecentlyConfirmed()


class RegisterComplete(CompleteCredentialRegistrationView):
    def check_can_register(self) -> None:
        if not may_change_factors(self.request):
            raise NotRecentlyConfirmed()

    def post(self, *args, **kwargs) -> JsonResponse:
        response = super().post(*args, **kwargs)
        device = WebAuthnCredential.objects.get(pk=json.loads(response.content)["id"])
        second_factor_given(self.request, device)
        audit_record(
            actor=self.request.user,
            action=AuditEvent.Action.CREATE,
            obj=device,
            detail={"second_factor": "passkey"},
        )
        return response


class SecondFactorOnly:
    """A password sign-in comes first; and the wrong-code limit holds passkeys back too."""

    def check_can_authenticate(self) -> None:
        user = self.get_user()  # type: ignore[attr-defined]
        if user is None:
            raise exceptions.PasswordlessLoginDisabled()
        if second_factor_held_back(user.pk):
            raise TooManyTries()


class AuthenticateBegin(SecondFactorOnly, BeginCredentialAuthenticationView):
    pass


class AuthenticateComplete(SecondFactorOnly, CompleteCredentialAuthenticationView):
    def complete_auth(self, device) -> None:
        # Counts as the sign-in's second step, or as the second half of confirming it's you after the
        # password; on its own, in a session already verified, it confirms nothing.
        counts = second_factor_pending(self.request) or password_recently_confirmed(self.request)
        super().complete_auth(device)
        if counts:
            second_factor_given(self.request, device)
            self.request.session.pop(PASSWORD_CONFIRMED_KEY, None)
