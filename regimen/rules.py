"""Regimen risk rules: does the care fit the client? Pure functions from facts to findings."""

from risk.facts import EpisodeFacts, Finding, Params, reason, rule

FREQUENCY_WORDS = {0: "too little", 2: "too much"}
PLAN_WORDS = {2: "yes", 1: "partly", 0: "no"}


@rule(
    id="regimen.fit",
    for_client="You told us how often or how you meet doesn't quite fit you.",
    version="1",
    pillar="regimen",
    title='How often or how they meet is not "about right"',
    source="Spacing matters (Sayer et al. 2024); matching care to the client's preferences reduces dropout "
    "(Swift & Callahan 2009).",
)
def fit(facts: EpisodeFacts, params: Params) -> Finding | None:
    latest = next((s for s in reversed(facts.checked_in()) if "regimen" in s.answers), None)
    if latest is None:
        return None
    reasons = []
    frequency = latest.answer("regimen", "frequency")
    if frequency in FREQUENCY_WORDS:
        reasons.append(
            reason(
                f"After session {latest.number} the client said how often you meet is "
                f"{FREQUENCY_WORDS[frequency]}.",
                session=latest.number,
                answer="regimen.frequency",
                value=frequency,
            )
        )
    if latest.answer("regimen", "format") == 0:
        reasons.append(
            reason(
                f"After session {latest.number} the client said the format (in person or video, alone or in "
                "a group) is not quite right for them.",
                session=latest.number,
                answer="regimen.format",
                value=0,
            )
        )
    if not reasons:
        return None
    return Finding(
        level="amber",
        reasons=tuple(reasons),
        suggested_action="Ask what would suit them better, and change the plan where you can — or say "
        "plainly why not.",
        session_id=latest.id,
    )


@rule(
    id="regimen.plan",
    for_client="You told us the plan isn't fully clear, or not fully agreed.",
    version="1",
    pillar="regimen",
    title="Plan not understood or not agreed",
    defaults={"at_most": 1},
    limits={"at_most": (0, 2)},  # 2 yes, 1 partly, 0 no
    source='Shared decision-making and agreement on tasks (Bordin 1979); 1 counts "partly" as a signal.',
)
def plan(facts: EpisodeFacts, params: Params) -> Finding | None:
    latest = next((s for s in reversed(facts.checked_in()) if "regimen" in s.answers), None)
    if latest is None:
        return None
    reasons = []
    for item, words in (("plan_understood", "understand"), ("plan_agreed", "agree with")):
        value = latest.answer("regimen", item)
        if isinstance(value, int) and value <= params["at_most"]:
            reasons.append(
                reason(
                    f"Asked whether they {words} their treatment plan after session {latest.number}, the "
                    f'client answered "{PLAN_WORDS.get(value, value)}".',
                    session=latest.number,
                    answer=f"regimen.{item}",
                    value=value,
                    threshold=params["at_most"],
                )
            )
    if not reasons:
        return None
    return Finding(
        level="amber",
        reasons=tuple(reasons),
        suggested_action="Go through the plan together in plain words, and ask what they would change.",
        session_id=latest.id,
    )


RULES = (fit, plan)
