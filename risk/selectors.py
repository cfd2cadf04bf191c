"""Reads of flags for pages and the API. Each takes the requesting user; loaders 404 for missing and
not-yours alike."""

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from care.access import episodes_visible_to, load_visible, require_write
from care.audit import audit_list_read, audit_record
from care.models import AuditEvent, User
from risk.models import Flag, FlagEvent


def flags_visible_to(user: User) -> QuerySet[Flag]:
    return Flag.objects.filter(episode__in=episodes_visible_to(user))


def access_flag(user: User, flag_id: object, *, for_write: bool = False) -> Flag:
    """A flag the user may see (404 otherwise); with `for_write`, one they may also act on (403 for a
    flag they see but may not change, e.g. a supervisor's view of a supervisee's flag)."""
    flag = load_visible(
        flags_visible_to(user).select_related("episode__client", "episode__clinician__user"), flag_id
    )
    if for_write:
        require_write(user, flag.episode)
    return flag


def urgency(flag: Flag) -> tuple[bool, bool, float, int]:
    """Sort key, most urgent first: red before amber; within a level, flags not yet acknowledged
    (new or re-opened) before those already seen, the longest waiting first."""
    waiting_since = flag.reopened_at or flag.opened_at
    return (flag.level != Flag.Level.RED, flag.status != Flag.Status.OPEN, waiting_since.timestamp(), flag.pk)


def flag_inbox_for(user: User) -> list[Flag]:
    """Active flags on episodes the user holds, by urgency (`urgency`). Constant queries."""

    flags = list(
        flags_visible_to(user)
        .filter(status__in=Flag.ACTIVE_STATES, episode__clinician__user=user)
        .select_related("episode__client", "episode__clinician__user", "session")
    )
    # Grouped by client (one client, one conversation), the client with the most urgent flag first.
    first: dict[int, tuple] = {}
    for f in flags:
        first[f.episode_id] = min(first.get(f.episode_id, urgency(f)), urgency(f))
    flags.sort(key=lambda f: (first[f.episode_id], f.episode_id, urgency(f)))
    return flags


def flags_resolved_recently_for(user: User, *, days: int = 14) -> list[Flag]:

    since = timezone.now() - dt.timedelta(days=days)
    return list(
        flags_visible_to(user)
        .filter(status=Flag.Status.RESOLVED, resolved_at__gte=since, episode__clinician__user=user)
        .select_related("episode__client", "session", "resolved_by")
        .order_by("-resolved_at", "-id")[:50]
    )


def flags_stale_for_supervisor(user: User) -> list[Flag]:
    """Flags of the user's supervisees left unacknowledged past their clinic's time (see risk.engine)."""

    if user.role != User.Role.SUPERVISOR:
        return []
    return list(
        flags_visible_to(user)
        .filter(status=Flag.Status.OPEN, stale_at__isnull=False)
        .exclude(episode__clinician__user=user)
        .select_related("episode__client", "episode__clinician__user", "session")
        .order_by("opened_at", "id")
    )


def flag_inbox_read(user: User) -> tuple[list[Flag], list[Flag], list[Flag]]:
    """The inbox page: (active, stale of supervisees, recently resolved), with one audit event."""
    active = flag_inbox_for(user)
    stale = flags_stale_for_supervisor(user)
    resolved = flags_resolved_recently_for(user)
    audit_list_read(
        actor=user, what="flag inbox", client_ids=[f.episode.client_id for f in (*active, *stale, *resolved)]
    )
    return active, stale, resolved


def flag_detail_read(user: User, flag_id: object) -> Flag:
    """One flag with its history (`flag.history`, oldest first); 404 for missing and not-yours alike."""
    history = Prefetch(
        "events", queryset=FlagEvent.objects.select_related("actor").order_by("at", "id"), to_attr="history"
    )
    flag = load_visible(
        flags_visible_to(user)
        .select_related("episode__client", "episode__clinician__user")
        .prefetch_related(history),
        flag_id,
    )
    audit_record(actor=user, action=AuditEvent.Action.READ, obj=flag, client=flag.episode.client_id)
    return flag
