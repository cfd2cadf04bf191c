"""Reads of goals, scoped through care.access."""

from django.http import Http404

from care.access import episodes_visible_to, require_write
from care.models import User
from readiness.models import Goal


def access_goal(user: User, goal_id: int | str, *, for_write: bool = False) -> Goal:
    """The goal if the user may see its episode; 404 for missing and not-yours alike. With
    `for_write`, 403 unless the user may also change it (care.access.require_write)."""
    try:
        goal = (
            Goal.objects.filter(episode__in=episodes_visible_to(user))
            .select_related("episode__client", "episode__clinician")
            .get(pk=int(goal_id))
        )
    except (TypeError, ValueError, Goal.DoesNotExist) as missing:
        raise Http404("Not found") from missing
    if for_write:
        require_write(user, goal.episode)
    return goal
