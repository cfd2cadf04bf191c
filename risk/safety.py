"""Running the safety rule (risk.safety_rule) where its event happens: in the client's own check-in
request and transaction, so a red flag exists before the client sees the crisis instructions.

The engine never runs it and never resolves its flag (`runs_in="request"`, `resolves_on="hand"`); a
clinician closes it by hand once they have checked on the client."""

from typing import Any

from care.models import CheckIn, Episode, Session
from risk.facts import CheckInFacts, EpisodeFacts, SessionFacts
from risk.safety_rule import SAFETY, safety_concern
from risk.services import flag_raise


def safety_check(
    *, episode: Episode, session: Session, checkin: CheckIn, answers: dict[str, dict[str, Any]]
) -> int | None:
    """Raise (or update) the red safety flag when the answers call for it; return item 9's value, or None.

    The rule sees only this check-in: nothing else bears on it, and the request loads nothing more."""
    facts = EpisodeFacts(
        episode_id=episode.pk,
        clinic_id=episode.client.clinic_id,
        now=checkin.submitted_at or session.scheduled_end,
        is_open=episode.closed_on is None,
        sessions=(
            SessionFacts(
                id=session.pk,
                number=session.number,
                scheduled_start=session.scheduled_start,
                scheduled_end=session.scheduled_end,
                attendance=session.attendance,
                checkin=CheckInFacts(
                    submitted_at=checkin.submitted_at or session.scheduled_end, answers=answers, id=checkin.pk
                ),
            ),
        ),
    )
    finding = SAFETY.evaluate(facts, SAFETY.params_for(None))
    if finding is None:
        return None
    flag_raise(
        episode=episode,
        session=session,
        rule=SAFETY.id,
        rule_version=SAFETY.version,
        pillar=SAFETY.pillar,
        level=finding.level,
        reasons=finding.reasons,
        suggested_action=finding.suggested_action,
    )
    return safety_concern(answers)
