"""Readiness risk rules: pure functions from an episode's facts to findings (see risk.facts); goals and
the intake assessment come from this pillar's facts (readiness.facts)."""

from readiness import facts as readiness
from risk.facts import EpisodeFacts, Finding, Params, reason, rule

RULER_WORDS = {"importance": "how important change is", "confidence": "confidence they can change"}


@rule(
    id="readiness.low_ruler",
    for_client="You told us change feels less important, or less possible, right now.",
    version="1",
    pillar="readiness",
    title="Importance or confidence of change rated 4 of 10 or lower",
    defaults={"at_most": 4, "informational": True},
    limits={"at_most": (0, 10)},
    source="Readiness rulers (Miller & Rollnick, Motivational Interviewing); threshold: Attune default.",
)
def low_ruler(facts: EpisodeFacts, params: Params) -> Finding | None:
    """The latest check-in's rulers; before any check-in has them, the intake assessment."""
    rated = [s for s in facts.checked_in() if "readiness" in s.answers]
    intake = readiness.of(facts).intake
    if rated:
        session = rated[-1]
        values = {k: session.answer("readiness", k) for k in RULER_WORDS}
        where, session_id, number = f"after session {session.number}", session.id, session.number
    elif intake is not None:
        values = {"importance": intake.importance, "confidence": intake.confidence}
        where, session_id, number = "at intake", None, 0
    else:
        return None
    low = [(k, v) for k, v in values.items() if isinstance(v, int) and v <= params["at_most"]]
    if not low:
        return None
    return Finding(
        level="amber",
        reasons=tuple(
            reason(
                f"The client rated {RULER_WORDS[k]} {v} of 10 {where} ({params['at_most']} or lower).",
                session=number,
                answer=f"readiness.{k}",
                value=v,
                threshold=params["at_most"],
            )
            for k, v in low
        ),
        suggested_action="Explore it rather than push: ask why they chose that number and not a lower "
        "one, and what would move it up by one point.",
        session_id=session_id,
    )


@rule(
    id="readiness.goal_not_endorsed",
    for_client="One of the goals written down for you isn't one you agreed with yet.",
    version="1",
    pillar="readiness",
    title="A goal the client does not endorse",
    source="Agreement on goals is one of the three parts of the alliance (Bordin 1979).",
    resolves_on="condition",
)
def goal_not_endorsed(facts: EpisodeFacts, params: Params) -> Finding | None:
    disowned = [g for g in readiness.of(facts).goals if g.endorsed_by_client is False]
    if not disowned:
        return None
    return Finding(
        level="amber",
        reasons=tuple(
            reason(
                f'The client did not endorse the goal "{g.text[:200]}".',
                answer="goal.endorsed_by_client",
                value=False,
            )
            for g in disowned
        ),
        suggested_action="Revisit the goals together and write down one the client names in their own words.",
    )


RULES = (low_ruler, goal_not_endorsed)
