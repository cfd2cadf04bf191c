"""Audit events: who read or wrote which client's data, and when. The table is append-only
(a database trigger refuses UPDATE and DELETE)."""

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
