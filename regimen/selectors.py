"""Reads of the treatment plan, scoped to the requesting user."""

from care.access import access_episode
from care.audit import audit_record
from care.models import AuditEvent, Episode, User
from regimen.models import PlanRevision


def plan_history_read(user: User, episode_id: object) -> tuple[Episode, list[PlanRevision]]:
    """The episode (404 unless the user may see it) and its plan revisions, newest first."""
    episode = access_episode(user, episode_id)
    revisions = list(
        PlanRevision.objects.filter(episode=episode).select_related("revised_by").order_by("-number")
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.READ,
        obj=episode,
        client=episode.client_id,
        detail={"page": "plan"},
    )
    return episode, revisions
