"""Every change to how a person signs in: set up an authenticator app, new recovery codes, remove a
factor, and giving the second factor at sign-in. Each change is audited."""

import secrets
import time

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.limits import note_second_factor_failure, second_factor_key
from accounts.models import RecoveryCode, RecoveryCodeDevice, normalise_recovery_code
from accounts.policy import has_second_factor, second_factor_pending
from accounts.signals import STARTED_KEY
from care import reauth
from care.audit import audit_record
from care.links import hash_secret
from care.models import AuditEvent, User

# Confirming it's you (views.confirm): the password step holds this long while the second factor is given.
PASSWORD_CONFIRMED_KEY = "reauth_password_at"  # noqa: S105 - a session key, not a password
PASSWORD_STEP_SECONDS = 5 * 60
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L lookalikes
RECOVERY_LENGTH = 10  # 31^10: about 50 bits each


def may_change_factors(request: HttpRequest) -> bool:
    """Adding or removing a factor needs a recent confirmation, except the very first set-up straight
    after a password sign-in (there is no second factor yet to confirm with)."""
    if reauth.recently_authenticated(request):
        return True
    user = request.user
    if not user.is_authenticated or not second_factor_pending(request) or has_second_factor(user):
        return False
    started = request.session.get(STARTED_KEY)
    return isinstance(started, int | float) and 0 <= time.time() - started <= reauth.DEFAULT_MINUTES * 60


def password_recently_confirmed(request: HttpRequest) -> bool:
    at = request.session.get(PASSWORD_CONFIRMED_KEY)
    return isinstance(at, int | float) and 0 <= time.time() - at <= PASSWORD_STEP_SECONDS


def second_factor_given(request: HttpRequest, device: Device) -> None:
    """The session has its second factor: it counts as verified and as freshly confirmed."""
    if not request.user.is_verified() or request.user.otp_device != device:  # type: ignore[union-attr]
        otp_login(request, device)
    reauth.mark_authenticated(request)
    cache.delete(second_factor_key(request.user.pk))


def verify_code(request: HttpRequest, code: str) -> Device | None:
    """A code from the authenticator app, or one recovery code (spent as it is used)."""
    user: User = request.user  # type: ignore[assignment]
    token = "".join(code.split())[:32]
    device: Device | None = None
    if token.isdigit():
        for totp in TOTPDevice.objects.filter(user=user, confirmed=True):
            allowed, _ = totp.verify_is_allowed()
            if allowed and totp.verify_token(token):
                device = totp
                break
    elif normalise_recovery_code(token):
        recovery = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
        if recovery and recovery.verify_token(token):
            device = recovery
            audit_record(
                actor=user,
                action=AuditEvent.Action.UPDATE,
                obj=recovery,
                detail={"recovery_code_used": True, "left": recovery.remaining()},
            )
    if device is None:
        note_second_factor_failure(user.pk)
        return None
    second_factor_given(request, device)
    return device


def totp_begin(user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator-app key to show as a QR code (replacing any half-done one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def totp_confirm(request: HttpRequest, device: TOTPDevice, code: str) -> bool:
    """The person typed a code from the new key: it becomes their one authenticator app."""
    token = "".join(code.split())[:12]
    allowed, _ = device.verify_is_allowed()
    if not allowed or not token.isdigit() or not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=device.user, action=AuditEvent.Action.CREATE, obj=device, detail={"second_factor": "totp"}
    )
    second_factor_given(request, device)
    return True


@transaction.atomic
def recovery_codes_issue(user: User) -> list[str]:
    """A fresh set of codes, returned once to show; only their hashes are kept. Old codes stop working."""
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODES)
    ]
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, code_hash=hash_secret(c)) for c in codes)
    audit_record(
        actor=user, action=AuditEvent.Action.CREATE, obj=device, detail={"recovery_codes": len(codes)}
    )
    return [f"{c[:5]}-{c[5:]}" for c in codes]


@transaction.atomic
def factor_remove(user: User, *, kind: str, pk: int) -> bool:
    """Remove one of the person's own factors. With none left, the recovery codes go too (they back a
    factor up; they are not one)."""
    model: type[Device] = TOTPDevice if kind == "totp" else WebAuthnCredential
    device = model.objects.filter(user=user, pk=pk, confirmed=True).first()
    if device is None:
        return False
    audit_record(actor=user, action=AuditEvent.Action.DELETE, obj=device, detail={"second_factor": kind})
    device.delete()
    if not has_second_factor(user):
        RecoveryCodeDevice.objects.filter(user=user).delete()
    return True


@transaction.atomic
def second_factor_reset(*, actor: User, person: User) -> int:
    """A clinic admin clears a colleague's second step (a lost phone and lost codes): every factor and
    recovery code goes, and the person sets one up again at their next page. Returns how many went."""
    removed = 0
    for model in (TOTPDevice, WebAuthnCredential, RecoveryCodeDevice):
        removed += model.objects.filter(user=person).delete()[1].get(model._meta.label, 0)
    audit_record(
        actor=actor, action=AuditEvent.Action.DELETE, obj=person, detail={"second_factor_reset": removed}
    )
    return removed
