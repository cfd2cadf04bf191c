"""API keys: issue (the secret is shown once), rotate, revoke, and find a key from a presented secret.

A secret is `atk_<prefix>_<32 random bytes, urlsafe>`; only its SHA-256 is stored. SHA-256 rather than a
slow password hash: the secret has 256 bits of entropy, so nothing can be guessed, and every API call
checks it."""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from api.models import ApiKey
from care.audit import audit_record
from care.models import AuditEvent, Clinic, User

SECRET_PREFIX = "atk_"  # noqa: S105 - a marker that names our keys in logs and scanners, not a secret
# After a rotation the old key keeps working this long, so the EHR can switch over without downtime.
ROTATION_GRACE = dt.timedelta(hours=24)
# last_used_at is written at most this often per key: not one UPDATE per request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ApiKeyError(ValueError):
    """A key request that cannot be carried out (no scope chosen, key already revoked)."""


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{SECRET_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def _clean_scopes(scopes: list[str]) -> list[str]:
    clean = sorted({s for s in scopes if s in ApiKey.Scope.values})
    if not clean:
        raise ApiKeyError("Choose at least one permission for the key.")
    return clean


@transaction.atomic
def key_issue(*, actor: User, clinic: Clinic, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """A new key for the clinic; returns it with its secret, which exists only in this return value."""
    if any(ord(ch) < 32 for ch in name):
        raise ApiKeyError("Give the key a name without control characters.")
    name = name.strip()[:100] or "EHR"
    prefix, secret = _new_secret()
    key = ApiKey.objects.create(
        clinic=clinic,
        name=name,
        prefix=prefix,
        secret_hash=hash_key(secret),
        scopes=_clean_scopes(scopes),
        created_by=actor,
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=key, detail={"scopes": key.scopes})
    return key, secret


@transaction.atomic
def key_rotate(*, actor: User, key: ApiKey) -> tuple[ApiKey, str]:
    """A new secret with the same name and scopes; the old one works for ROTATION_GRACE more."""
    old = ApiKey.objects.select_for_update().get(pk=key.pk)
    if old.revoked_at is not None or old.replaced_by_id is not None:
        raise ApiKeyError("This key was already revoked or rotated.")
    new, secret = key_issue(actor=actor, clinic=old.clinic, name=old.name, scopes=old.scopes)
    new.rate_per_minute = old.rate_per_minute
    new.save(update_fields=["rate_per_minute"])
    old.replaced_by = new
    old.expires_at = timezone.now() + ROTATION_GRACE
    old.save(update_fields=["replaced_by", "expires_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=old, detail={"rotated_to": new.prefix})
    return new, secret


@transaction.atomic
def key_revoke(*, actor: User, key: ApiKey) -> ApiKey:
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=key, detail={"revoked": True})
    return key


def key_find(secret: str) -> ApiKey | None:
    """The live key this secret belongs to (not revoked, not past its rotation grace), or None."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 128:
        return None
    key = ApiKey.objects.select_related("clinic").filter(secret_hash=hash_key(secret)).first()
    now = timezone.now()
    if key is None or key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        return None
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
