"""Who needs a second factor, and whether this browser session has given one.

Staff of a clinic that requires two-factor sign-in (Clinic.require_two_factor, on by default) need one;
so do operators without a clinic, unless OPERATOR_TWO_FACTOR says otherwise (default: not in demo mode).
The answer is computed once when a session signs in and kept in it, so enforcing costs no query per
request; a clinic switching the requirement on reaches each person at their next sign-in, at most
SESSION_ABSOLUTE_SECONDS later."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import RecoveryCodeDevice
from care.models import Clinic, User

REQUIRED_KEY = "two_factor_required"


def two_factor_required_for(user: User) -> bool:
    if not user.is_active:
        return False
    if user.clinic_id is None:
        choice = str(settings.OPERATOR_TWO_FACTOR).strip().lower()
        return (not settings.DEMO) if choice == "" else choice in {"1", "true", "yes", "on"}
    required = Clinic.objects.filter(pk=user.clinic_id).values_list("require_two_factor", flat=True).first()
    return bool(required)


def remember_requirement(request: HttpRequest, user: User) -> bool:
    required = two_factor_required_for(user)
    request.session[REQUIRED_KEY] = required
    return required


def second_factor_pending(request: HttpRequest) -> bool:
    """Signed in with a password, a second factor required, and not yet given in this session."""
    user = request.user
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return False
    required = request.session.get(REQUIRED_KEY)
    if required is None:  # a session from before this rule: decide now, once
        required = remember_requirement(request, user)
    return bool(required) and not user.is_verified()  # type: ignore[attr-defined]  # set by OTPMiddleware


def has_second_factor(user: User) -> bool:
    """A confirmed authenticator app or passkey (recovery codes alone don't count: they back one up)."""
    return any(not isinstance(d, RecoveryCodeDevice) for d in devices_for_user(user, confirmed=True))


def factors_of(user: User) -> dict:
    return {
        "totp": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
        "passkeys": list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")),
        "recovery": RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first(),
    }
