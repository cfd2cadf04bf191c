"""The PHQ-9 item 9 safety rule, a rule like the pillars' ones (pure, in the registry) with two
differences: it runs in the client's own check-in request (risk.safety.safety_check), never in a later
batch, and only a clinician closes its flag (`runs_in="request"`, `resolves_on="hand"`: the engine
neither runs it nor resolves it). A clinic cannot switch it off or change it."""

from typing import Any

from risk.facts import EpisodeFacts, Finding, Params, reason, rule


def safety_concern(answers: Any) -> int | None:
    """PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered above 0: its value."""
    value = (answers.get("phq9") or {}).get("item9")
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


@rule(
    id="phq9_item9_safety",
    for_client="You told us you have had thoughts that you would be better off dead or of hurting yourself. Your clinician will check in with you soon; if you need help now, use the crisis numbers your clinic gave you.",
    version="1",
    pillar="safety",
    title="Safety: check on the client today",
    source="PHQ-9 item 9 (Kroenke, Spitzer & Williams 2001): any answer above 0 is followed up the same "
    "day under the clinic's safety protocol.",
    resolves_on="hand",
    runs_in="request",
    switchable=False,
)
def phq9_item9_safety(facts: EpisodeFacts, params: Params) -> Finding | None:
    """The latest check-in's PHQ-9 item 9, if above 0."""
    latest = facts.latest_checkin()
    if latest is None:
        return None
    concern = safety_concern(latest.answers)
    if concern is None:
        return None
    return Finding(
        level="red",
        reasons=(
            reason(
                f"On the PHQ-9 after session {latest.number} the client answered {concern} (of 3) to item 9, "
                "thoughts of being better off dead or of hurting themselves.",
                checkin=latest.checkin.id if latest.checkin is not None else None,
                session=latest.number,
                item="phq9.item9",
                answer=concern,
                threshold="> 0",
            ),
        ),
        suggested_action="Contact the client today to check on their safety, following the clinic's "
        "safety protocol; they were shown the crisis instructions.",
        session_id=latest.id,
    )


SAFETY = phq9_item9_safety
