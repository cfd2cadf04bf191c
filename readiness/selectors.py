"""Reads of goals, scoped through care.access."""

from django.http import Http404

from care.access import episodes_visible_to
from care.models import User
from readiness.models import Goal


def access_goal(user: User, goal_id: object) -> Goal:
    """The goal if the user may see its episode; 404 for missing and not-yours alike."""
    try:
        return (
            Goal.objects.filter(episode__in=episodes_visible_to(user))
            .select_related("episode__client", "episode__clinician")
            .get(pk=int(goal_id))
        )
    except (TypeError, ValueError, Goal.DoesNotExist) as missing:
        raise Http404("Not found") from missing
