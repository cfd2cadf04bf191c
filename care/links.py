"""Single-purpose client links: answer one check-in, or open the client's own page.

A token is 128 random bits, shown once and stored only as a SHA-256 hash. A check-in link is consumed
by one conditional UPDATE, so two concurrent requests (a double click, a replay) can never both win."""

import datetime as dt
import hashlib
import secrets

from django.db.models import Exists, Q
from django.utils import timezone

from care.models import AccessLink, CheckIn, Client

# A link to the client's own page lasts this long and may be reopened until then.
PORTAL_LINK_TTL = dt.timedelta(days=7)

# Short codes typed on a clinic tablet: no 0/O, 1/I/L lookalikes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.strip().encode()).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def link_issue(
    *,
    purpose: str,
    client: Client,
    ttl: dt.timedelta,
    checkin: CheckIn | None = None,
    with_code: bool = False,
) -> tuple[AccessLink, str, str]:
    """Create a link; return it with the raw token (for the URL) and the raw short code ("" if none).

    The raw values exist only in this return value: the database keeps hashes."""
    token = secrets.token_urlsafe(16)  # 128 bits
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) if with_code else ""
    now = timezone.now()
    link = AccessLink.objects.create(
        purpose=purpose,
        client=client,
        checkin=checkin,
        token_hash=hash_secret(token),
        code_hash=hash_secret(normalise_code(code)) if code else "",
        expires_at=now + ttl,
    )
    return link, token, code


def _live(purpose: str) -> Q:
    return Q(purpose=purpose, used_at__isnull=True, expires_at__gt=timezone.now())


def link_find(*, purpose: str, token: str = "", code: str = "") -> AccessLink | None:
    """The live (unused, unexpired) link for this token or tablet code, or None.

    None covers unknown, tampered, expired and used links alike; `link_status` tells them apart for
    a kind explanation without revealing anything about whose link it was."""
    if token:
        lookup = Q(token_hash=hash_secret(token))
    elif code:
        lookup = Q(code_hash=hash_secret(normalise_code(code)))
    else:
        return None
    return (
        AccessLink.objects.filter(lookup, _live(purpose))
        .select_related("client__clinic", "checkin__session__episode")
        .first()
    )


def link_status(*, purpose: str, token: str) -> str:
    """'live', 'used', 'expired' or 'unknown' — for choosing which kind page to show."""
    link = AccessLink.objects.filter(token_hash=hash_secret(token), purpose=purpose).first()
    if link is None:
        return "unknown"
    if link.used_at is not None:
        return "used"
    if link.expires_at <= timezone.now():
        return "expired"
    return "live"


def link_consume(*, link: AccessLink) -> bool:
    """Mark the link used — and, for a check-in link, every other open link of the same check-in (the
    tablet code, a reminder) with it, in one UPDATE. True for exactly one caller, however many race:
    nothing is marked unless this link was still live."""
    now = timezone.now()
    still_live = AccessLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now)
    targets = (
        AccessLink.objects.filter(checkin_id=link.checkin_id)
        if link.checkin_id
        else AccessLink.objects.filter(pk=link.pk)
    )
    return bool(targets.filter(Exists(still_live), used_at__isnull=True).update(used_at=now))
