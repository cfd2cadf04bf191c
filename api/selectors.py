"""Reads for the integration API: a key sees its own clinic's rows, paged by an opaque cursor.

Flags and scores are paged in (changed_at, id) order and the cursor carries both: a row changed while a
caller pages moves to the end (it is seen again, with its change) and no row is skipped or shown twice
within one pass. A flag's `changed_at` is the latest of its update, acknowledgement, repair, reopening
and resolution times: risk's lifecycle steps set their own time, not `updated_at`."""

import base64
import datetime as dt
import json

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest

from api.errors import ApiError
from care.models import Episode, Score
from risk.models import Flag

PAGE_DEFAULT = 100
PAGE_MAX = 500


def encode_cursor(at: dt.datetime, pk: int) -> str:
    raw = json.dumps([at.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, pk = json.loads(raw)
        when = dt.datetime.fromisoformat(at)
        if when.tzinfo is None or isinstance(pk, bool) or not isinstance(pk, int):
            raise ValueError
        return when, pk
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError, OverflowError):
        raise ApiError("invalid", "This cursor is not one we gave out.", field="cursor") from None


def _changed_at() -> Greatest:
    updated = F("updated_at")
    return Greatest(
        updated,
        Coalesce("acknowledged_at", updated),
        Coalesce("repair_recorded_at", updated),
        Coalesce("reopened_at", updated),
        Coalesce("resolved_at", updated),
    )


def _after(qs: QuerySet, field: str, cursor: str | None, since: dt.datetime | None) -> QuerySet:
    if since is not None:
        qs = qs.filter(**{f"{field}__gte": since})
    if cursor:
        at, pk = decode_cursor(cursor)
        qs = qs.filter(Q(**{f"{field}__gt": at}) | Q(**{field: at, "id__gt": pk}))
    return qs


def _page[M](rows: list[M], limit: int, cursor: str | None) -> tuple[list[M], str | None, bool]:
    """(this page, the cursor to ask for the next one, whether more rows are waiting now). The cursor is
    given even on the last page: polling with it later returns only what changed since."""
    more = len(rows) > limit
    rows = rows[:limit]
    if rows:
        last = rows[-1]
        cursor = encode_cursor(last.changed_at, last.pk)  # type: ignore[attr-defined]
    return rows, cursor, more


def flags_page(
    *, clinic_id: int, cursor: str | None, since: dt.datetime | None, limit: int, status: str | None = None
) -> tuple[list[Flag], str | None, bool]:
    # Two steps: the page's ids from the flag table alone (the clinic as a subquery, no join of every
    # flag to its episode and client), then those rows with what the answer shows.
    episodes = Episode.objects.filter(client__clinic_id=clinic_id).values("id")
    qs = Flag.objects.filter(episode_id__in=episodes).annotate(changed_at=_changed_at())
    if status:
        qs = qs.filter(status=status)
    ids = list(
        _after(qs, "changed_at", cursor, since)
        .order_by("changed_at", "id")
        .values_list("id", flat=True)[: limit + 1]
    )
    found = (
        Flag.objects.filter(pk__in=ids).annotate(changed_at=_changed_at()).select_related("episode__client")
    )
    by_id = {flag.pk: flag for flag in found}
    return _page([by_id[pk] for pk in ids if pk in by_id], limit, cursor)


def scores_page(
    *,
    clinic_id: int,
    cursor: str | None,
    since: dt.datetime | None,
    limit: int,
    instrument: str | None = None,
) -> tuple[list[Score], str | None, bool]:
    """Scores are written once, with their check-in's submission: paged by (submitted_at, id)."""
    qs = (
        Score.objects.filter(checkin__session__episode__client__clinic_id=clinic_id)
        .annotate(changed_at=F("checkin__submitted_at"))
        .select_related("checkin__session__episode__client")
    )
    if instrument:
        qs = qs.filter(instrument=instrument)
    rows = list(_after(qs, "changed_at", cursor, since).order_by("changed_at", "id")[: limit + 1])
    return _page(rows, limit, cursor)
