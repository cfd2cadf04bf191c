"""The safety rule: PHQ-9 item 9 (thoughts of being better off dead or of self-harm) above 0 raises a red
flag at once, in the client's own request and transaction, never in a later batch."""

from typing import Any

from care.models import CheckIn, Episode, Session
from risk.schemas import FlagReason
from risk.services import flag_raise

SAFETY_RULE = "phq9_item9_safety"
SAFETY_RULE_VERSION = "1"


def safety_concern(answers: dict[str, dict[str, Any]]) -> int | None:
    """PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered above 0: its value."""
    value = (answers.get("phq9") or {}).get("item9")
    return value if isinstance(value, int) and value > 0 else None


def safety_check(
    *, episode: Episode, session: Session, checkin: CheckIn, answers: dict[str, dict[str, Any]]
) -> int | None:
    """Raise (or update) the red safety flag when the answers call for it; return item 9's value, or None."""
    concern = safety_concern(answers)
    if concern is None:
        return None
    flag_raise(
        episode=episode,
        session=session,
        rule=SAFETY_RULE,
        rule_version=SAFETY_RULE_VERSION,
        pillar="safety",
        level="red",
        reasons=[
            FlagReason(
                text=(
                    f"On the PHQ-9 after session {session.number} the client answered {concern} "
                    "(of 3) to item 9, thoughts of being better off dead or of hurting themselves."
                ),
                evidence={
                    "checkin": checkin.pk,
                    "session": session.number,
                    "item": "phq9.item9",
                    "answer": concern,
                    "threshold": "> 0",
                },
            )
        ],
        suggested_action=(
            "Contact the client today to check on their safety, following the clinic's "
            "safety protocol; they were shown the crisis instructions."
        ),
    )
    return concern
