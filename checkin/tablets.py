"""Registered clinic tablets, and how many wrong tablet codes each may try.

A clinic admin opens the tablets page on the tablet itself and registers it: its browser then keeps a
long-lived signed, HTTP-only cookie naming the tablet. Wrong codes are
counted per registered tablet, and per address for any other device, so a stranger guessing codes — even
on the clinic's own Wi-Fi, behind the same address — locks out only themselves, and one tablet's typos
never lock another tablet. Revoking a tablet makes its cookie worthless."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from accounts.limits import window_count, window_hit
from care.audit import audit_record
from care.client_ip import client_ip
from care.models import AuditEvent, Tablet, User

COOKIE = "attune_tablet"
COOKIE_SALT = "checkin.tablet"
COOKIE_PATH = "/"  # the check-in pages read it; the tablets page shows whether this device is one
COOKIE_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie; registering again renews it
CODE_TRIES = 10  # wrong codes per tablet (or per address, for other devices) in CODE_WINDOW seconds
CODE_WINDOW = 15 * 60


def tablet_of(request: HttpRequest) -> Tablet | None:
    """The registered, unrevoked tablet this browser is, or None."""
    try:
        tablet_id = request.get_signed_cookie(COOKIE, salt=COOKIE_SALT, max_age=COOKIE_AGE)
    except (KeyError, signing.BadSignature):
        return None
    if not tablet_id or not tablet_id.isdigit():
        return None
    return Tablet.objects.filter(pk=int(tablet_id), revoked_at__isnull=True).first()


def _tries_key(request: HttpRequest, tablet: Tablet | None) -> str:
    return (
        f"checkin-code-tries:tablet:{tablet.pk}" if tablet else f"checkin-code-tries:ip:{client_ip(request)}"
    )


def code_tries_left(request: HttpRequest, tablet: Tablet | None) -> bool:
    return window_count(_tries_key(request, tablet), CODE_WINDOW) < CODE_TRIES


def note_wrong_code(request: HttpRequest, tablet: Tablet | None) -> None:
    window_hit(_tries_key(request, tablet), CODE_WINDOW)


def _require_admin(actor: User) -> int:
    if not (actor.is_authenticated and actor.is_active and actor.clinic_id and actor.role == User.Role.ADMIN):
        raise Http404
    return actor.clinic_id


@transaction.atomic
def tablet_register(*, actor: User, name: str) -> Tablet:
    clinic_id = _require_admin(actor)
    tablet = Tablet.objects.create(clinic_id=clinic_id, name=name.strip()[:60], registered_by=actor)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=tablet, detail={"tablet": tablet.name})
    return tablet


@transaction.atomic
def tablet_revoke(*, actor: User, tablet_id: int) -> Tablet:
    clinic_id = _require_admin(actor)
    tablet = Tablet.objects.filter(pk=tablet_id, clinic_id=clinic_id, revoked_at__isnull=True).first()
    if tablet is None:
        raise Http404
    tablet.revoked_at = timezone.now()
    tablet.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=tablet, detail={"revoked": True})
    return tablet


def set_tablet_cookie(response: HttpResponse, tablet: Tablet) -> None:
    response.set_signed_cookie(
        COOKIE,
        str(tablet.pk),
        salt=COOKIE_SALT,
        max_age=COOKIE_AGE,
        path=COOKIE_PATH,
        secure=not settings.DEBUG,
        httponly=True,
        samesite="Lax",
    )
