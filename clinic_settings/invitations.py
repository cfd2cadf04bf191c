"""Inviting a clinician or supervisor by email, and their sign-up from the single-use link.

The token is 128 random bits, shown once (in the email) and stored only as a SHA-256 hash. Signing up
consumes the invitation with one conditional UPDATE, so two tabs, a double click or a replay can never
sign up twice. The email goes through Django's mail, so in demo mode it lands in the demo mailbox."""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from care.audit import audit_record
from care.links import hash_secret
from care.models import AuditEvent, User
from care.text import clean_text
from clinic_settings.models import Invitation
from clinic_settings.services import require_admin
from clinicians.models import Clinician

INVITATION_TTL = dt.timedelta(days=7)


def _issue(*, actor: User, user: User) -> str:
    """A new invitation for `user`; earlier unused ones stop working. Returns the raw token."""
    now = timezone.now()
    Invitation.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=F("created_at") + dt.timedelta(microseconds=1)
    )
    token = secrets.token_urlsafe(16)
    Invitation.objects.create(
        user=user, invited_by=actor, token_hash=hash_secret(token), expires_at=now + INVITATION_TTL
    )
    return token


def _send(*, user: User, token: str, clinic_name: str) -> None:
    url = f"{settings.SITE_URL}{reverse('clinic-settings-signup', args=[token])}"
    context = {
        "url": url,
        "clinic": clinic_name,
        "role": user.get_role_display(),
        "days": INVITATION_TTL.days,
    }
    subject = render_to_string("clinic_settings/invite_email_subject.txt", context).strip()
    body = render_to_string("clinic_settings/invite_email_body.txt", context)
    address = user.email

    def send() -> None:
        send_mail(subject, body, None, [address])

    # robust: a mail server that is down must not undo the invitation; the admin can send a new link.
    transaction.on_commit(send, robust=True)


def staff_invite(*, actor: User, email: str, role: str) -> User:
    """Create the invited member (inactive, no usable password, a placeholder username until they sign
    up), with their clinician record, and email them a sign-up link."""
    clinic = require_admin(actor)
    if role not in (User.Role.CLINICIAN, User.Role.SUPERVISOR):
        raise ValueError(f"cannot invite the role {role!r}")
    with transaction.atomic():
        user = User.objects.create(
            username=f"invited-{secrets.token_hex(8)}",
            email=email,
            clinic=clinic,
            role=role,
            is_active=False,
            password=make_password(None),
        )
        Clinician.objects.create(user=user, clinic=clinic)
        token = _issue(actor=actor, user=user)
        audit_record(
            actor=actor, action=AuditEvent.Action.CREATE, obj=user, detail={"invited": email, "role": role}
        )
        _send(user=user, token=token, clinic_name=clinic.name)
    return user


def staff_invite_again(*, actor: User, user: User) -> None:
    """A fresh link for someone who has not signed up yet (the old one stops working)."""
    clinic = require_admin(actor)
    if user.clinic_id != clinic.pk or user.is_active or user.has_usable_password():
        raise ValueError("only an invited member who has not signed up gets a new link")
    with transaction.atomic():
        token = _issue(actor=actor, user=user)
        audit_record(
            actor=actor, action=AuditEvent.Action.UPDATE, obj=user, detail={"invitation": "sent again"}
        )
        _send(user=user, token=token, clinic_name=clinic.name)


def _live() -> dict:
    return {"used_at__isnull": True, "expires_at__gt": timezone.now()}


def invitation_find(token: str) -> Invitation | None:
    """The live (unused, unexpired) invitation for this token, or None."""
    if not token:
        return None
    return (
        Invitation.objects.filter(token_hash=hash_secret(token), **_live())
        .select_related("user__clinic")
        .first()
    )


def invitation_status(token: str) -> str:
    """'live', 'used', 'expired' or 'unknown', for a kind page that says which without saying whose."""
    invitation = Invitation.objects.filter(token_hash=hash_secret(token)).first() if token else None
    if invitation is None:
        return "unknown"
    if invitation.used_at is not None:
        return "used"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "live"


def staff_sign_up(
    *, invitation: Invitation, username: str, first_name: str, last_name: str, password: str
) -> User | None:
    """Consume the invitation and make the member active with their name, username and password.
    None when the link was used or expired in the meantime (nothing is changed then)."""
    first_name, last_name = clean_text(first_name, max_length=150), clean_text(last_name, max_length=150)
    with transaction.atomic():
        consumed = Invitation.objects.filter(pk=invitation.pk, **_live()).update(used_at=timezone.now())
        if not consumed:
            return None
        user = User.objects.select_for_update().get(pk=invitation.user_id)
        user.username = username
        user.first_name = first_name
        user.last_name = last_name
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["username", "first_name", "last_name", "password", "is_active"])
        audit_record(actor=user, action=AuditEvent.Action.UPDATE, obj=user, detail={"signed_up": True})
    return user
