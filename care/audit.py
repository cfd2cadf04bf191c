"""Audit events: who read or wrote which client's data, and when. The table is append-only: a database
trigger refuses UPDATE and DELETE, and in production the app's database role may only SELECT and INSERT
it (scripts/db_roles.py). Refused access is recorded too, summarised (care/denials.py)."""

from collections.abc import Iterable

from django.db import models

from care.models import AuditEvent, Client, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    client: Client | int | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    client_id = client.pk if isinstance(client, Client) else client
    return AuditEvent.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        actor_label=(actor.get_username() if actor and actor.is_authenticated else "client-link"),
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        client_id=client_id,
        detail=detail or {},
    )


def audit_list_read(*, actor: User, what: str, client_ids: Iterable[int]) -> AuditEvent:
    """One event for a page that lists many clients (a caseload): constant cost however long the list."""
    ids = sorted(set(client_ids))
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.get_username(),
        action=AuditEvent.Action.READ,
        object_type=what,
        object_id="list",
        detail={"client_ids": ids},
    )


def audit_denied(
    *, actor: User | None, actor_label: str, object_type: str, object_id: str, detail: dict
) -> AuditEvent:
    """One summary row of refused access (care.denials decides when one is due)."""
    return AuditEvent.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        actor_label=actor_label[:200],
        action=AuditEvent.Action.DENIED,
        object_type=object_type[:64],
        object_id=object_id[:64],
        detail=detail,
    )
