"""Writes to the client's goals (in their own words). Each is one transaction with its audit event, and
each asks care.access.require_write first: only the clinician who holds the episode changes its goals
(PermissionDenied otherwise, nothing written)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from care.access import require_write
from care.audit import audit_record
from care.models import AuditEvent, Episode, User
from care.text import TextError, clean_text
from readiness.models import Goal
from risk import engine as risk

# A goal in the client's words: the limit the goal form shows (readiness.views.GoalForm).
MAX_GOAL = 500


class GoalError(ValueError):
    """A goal change that doesn't make sense (empty words, achieving twice)."""


@transaction.atomic
def goal_add(*, actor: User, episode: Episode, text: str, endorsed_by_client: bool | None = None) -> Goal:
    require_write(actor, episode)
    try:
        text = clean_text(text, max_length=MAX_GOAL, multiline=True)
    except TextError as problem:
        raise GoalError(str(problem)) from None
    if not text:
        raise GoalError("Write the goal in the client's own words.")
    goal = Goal.objects.create(
        episode=episode,
        text=text,
        endorsed_by_client=endorsed_by_client,
        set_on=timezone.localdate(),
        recorded_by=actor,
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=goal, client=episode.client_id)
    risk.request_evaluation(episode.pk)  # a goal the client doesn't endorse is an early-risk signal
    return goal


def _lock_goal(actor: User, goal: Goal) -> Goal:
    """The goal's row, locked, once the actor may change its episode."""
    goal = (
        Goal.objects.select_for_update(of=("self",))
        .select_related("episode__client", "episode__clinician")
        .get(pk=goal.pk)
    )
    require_write(actor, goal.episode)
    return goal


@transaction.atomic
def goal_set_endorsement(*, actor: User, goal: Goal, endorsed: bool) -> Goal:
    """Record whether the client says this is their goal (a goal they don't endorse is an early-risk sign)."""
    goal = _lock_goal(actor, goal)
    before = goal.endorsed_by_client
    goal.endorsed_by_client = endorsed
    goal.save(update_fields=["endorsed_by_client"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=goal,
        client=goal.episode.client_id,
        detail={"endorsed_by_client": [before, endorsed]},
    )
    risk.request_evaluation(goal.episode_id)
    return goal


@transaction.atomic
def goal_achieve(*, actor: User, goal: Goal, on: dt.date | None = None) -> Goal:
    goal = _lock_goal(actor, goal)
    if goal.achieved_on is not None:
        raise GoalError("This goal is already marked achieved.")
    goal.achieved_on = on or timezone.localdate()
    goal.save(update_fields=["achieved_on"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=goal,
        client=goal.episode.client_id,
        detail={"achieved_on": goal.achieved_on.isoformat()},
    )
    risk.request_evaluation(goal.episode_id)
    return goal
