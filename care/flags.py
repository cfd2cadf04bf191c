"""Every write to a flag: raise (or update with new evidence), and the clinician's lifecycle steps."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from care.models import Episode, Flag, FlagEvent, Session
from care.schemas import FlagReason


@transaction.atomic
def flag_raise(
    *,
    episode: Episode,
    rule: str,
    rule_version: str,
    pillar: str,
    level: str,
    reasons: Sequence[FlagReason],
    suggested_action: str,
    session: Session | None = None,
) -> Flag:
    """Open a flag for `rule` on `episode`, or update the one already active with the new evidence.

    One active flag per rule per episode (a database constraint backs this up)."""
    now = timezone.now()
    payload = [r.model_dump() for r in reasons]
    flag = (
        Flag.objects.select_for_update()
        .filter(episode=episode, rule=rule)
        .exclude(status=Flag.Status.RESOLVED)
        .first()
    )
    if flag is None:
        flag = Flag.objects.create(
            episode=episode,
            session=session,
            rule=rule,
            rule_version=rule_version,
            pillar=pillar,
            level=level,
            reasons=payload,
            suggested_action=suggested_action,
            opened_at=now,
            updated_at=now,
        )
        FlagEvent.objects.create(flag=flag, at=now, action="raised", note="; ".join(r.text for r in reasons))
        return flag
    if (
        flag.reasons == payload
        and flag.level == level
        and flag.session_id == (session.pk if session else None)
    ):
        return flag  # re-evaluation with the same evidence: nothing new to say
    flag.reasons = payload
    flag.level = level
    flag.session = session
    flag.rule_version = rule_version
    flag.suggested_action = suggested_action
    flag.updated_at = now
    flag.save(update_fields=["reasons", "level", "session", "rule_version", "suggested_action", "updated_at"])
    FlagEvent.objects.create(flag=flag, at=now, action="updated", note="; ".join(r.text for r in reasons))
    return flag
