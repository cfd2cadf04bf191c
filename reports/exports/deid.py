"""De-identification and spreadsheet safety, shared by every export format.

HIPAA Safe Harbor (45 CFR 164.514(b)(2)) for the default level: no names, contact details or record
numbers; every date reduced to its year; ids replaced by pseudonyms that cannot be reversed outside
Attune. Small cells follow the CMS cell-size policy: a count below 11, or a rate whose denominator is
below 11, is not shown."""

import datetime as dt
import hashlib
import hmac
from typing import Any

from django.conf import settings

SMALL_CELL = 11
SUPPRESSED = "suppressed (<11)"
# A spreadsheet reads a cell starting with one of these as a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = {"client": "CL", "episode": "EP", "clinician": "CN", "checkin": "CK"}


def _key() -> bytes:
    configured = getattr(settings, "REPORTS_PSEUDONYM_KEY", "")
    if configured:
        return configured.encode()
    # Derived, not the secret itself: a pseudonym never helps anyone guess SECRET_KEY.
    return hashlib.sha256(b"attune-report-pseudonyms:" + settings.SECRET_KEY.encode()).digest()


def pseudonym(kind: str, pk: int | None) -> str:
    """A stable id for a client, episode or clinician in exports: HMAC-SHA256 of the kind and the
    database id with a key that never leaves Attune, so the same client keeps one id across exports and
    nobody outside can go back from it to the record (80 bits shown: collisions are negligible)."""
    return Pseudonyms(kind)(pk)


class Pseudonyms:
    """pseudonym() for one export: the key read once and each id's pseudonym computed once (a clinic's
    sessions repeat the same clients, episodes and clinicians many times over)."""

    def __init__(self, kind: str) -> None:
        self.kind, self.key, self.seen = kind, _key(), dict[int, str]()

    def __call__(self, pk: int | None) -> str:
        if pk is None:
            return ""
        known = self.seen.get(pk)
        if known is None:
            digest = hmac.new(self.key, f"{self.kind}:{pk}".encode(), hashlib.sha256).hexdigest()
            known = self.seen[pk] = f"{PREFIX[self.kind]}-{digest[:20]}"
        return known


def year(day: dt.date | dt.datetime | None) -> int | None:
    return day.year if day else None


def is_small(count: float | None) -> bool:
    return count is not None and 0 < count < SMALL_CELL


def suppress_count(count: float | None) -> Any:
    """A count as exported: suppressed below 11 (zero is shown: it identifies nobody)."""
    if count is None:
        return None
    return SUPPRESSED if is_small(count) else _number(count)


def suppress_rate(value: float | None, denominator: float | None) -> Any:
    if value is None:
        return None
    return SUPPRESSED if denominator is not None and denominator < SMALL_CELL else value


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet will show as text, never run: formula starts get a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
