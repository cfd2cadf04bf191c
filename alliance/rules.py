"""Relationship risk rules: pure functions from an episode's facts to findings (see risk.facts); the
clinician's own ratings and the clinic's totals come from this pillar's facts (alliance.facts).

Items are the client's 0–10 ratings of the last session (alliance/definitions/relationship.yaml):
heard (bond), goals, approach (tasks), overall; the total is heard+goals+approach+overall, out of 40."""

import bisect
from typing import Literal

from alliance import facts as alliance
from instruments.outcomes import MeasureNorms, reliable_change_threshold
from risk.facts import EpisodeFacts, Finding, Params, SessionFacts, fmt, reason, rule

TOTAL_ITEMS = ("heard", "goals", "approach", "overall")
ITEM_WORDS = {
    "heard": "felt heard and respected",
    "goals": "worked on what they wanted",
    "approach": "the approach fits them",
    "overall": "the session overall",
}
ITEM_ACTIONS = {
    "heard": "ask what would help them feel more heard, and reflect back what you heard before moving on",
    "goals": "check you are working on what they want: ask them to name what next session should be about",
    "approach": "ask how the way you work together fits them, and offer a choice in how you work",
}


def total_of(session: SessionFacts) -> tuple[float, float] | None:
    """The client's relationship total for a session, as (value, maximum)."""
    if session.checkin is None:
        return None
    stored = session.checkin.score("relationship.total")
    if stored is not None:
        return stored
    values = [session.answer("relationship", k) for k in TOTAL_ITEMS]
    if any(not isinstance(v, int) for v in values):
        return None
    return float(sum(values)), 40.0


def _below_cutoff(session: SessionFacts, fraction: float) -> tuple[float, float, float] | None:
    total = total_of(session)
    if total is None:
        return None
    value, maximum = total
    cutoff = fraction * maximum
    return (value, maximum, cutoff) if value < cutoff else None


@rule(
    id="relationship.low_total",
    for_client="You told us the last session didn't work as well for you as it could.",
    version="2",
    pillar="relationship",
    title="Alliance total below 90% of its maximum",
    defaults={"fraction": 0.9, "red_fraction": 0.75},
    source="Session Rating Scale convention: a total below 36 of 40 (Duncan et al. 2003)",
)
def low_total(facts: EpisodeFacts, params: Params) -> Finding | None:
    latest = facts.latest_checkin()
    if latest is None:
        return None
    low = _below_cutoff(latest, params["fraction"])
    if low is None:
        return None
    value, maximum, cutoff = low
    return Finding(
        level=_level(value < params["red_fraction"] * maximum, facts),
        reasons=(
            reason(
                f"After session {latest.number} the client's relationship total was {fmt(value)} of "
                f"{fmt(maximum)} (below {fmt(cutoff)}, {fmt(params['fraction'] * 100)}% of the maximum).",
                session=latest.number,
                answer="relationship.total",
                value=value,
                maximum=maximum,
                threshold=cutoff,
            ),
        ),
        suggested_action="Open the next session by asking what felt off last time, and what would make "
        "the sessions more useful for them.",
        session_id=latest.id,
    )


@rule(
    id="relationship.low_item",
    for_client="You told us part of the last session didn't feel right for you — being heard, working on what you want, or the way you work together.",
    version="2",
    pillar="relationship",
    title="Bond, goals or approach rated 6 of 10 or lower",
    defaults={"at_most": 6},
    limits={"at_most": (0, 10)},
    source="Bordin (1979): bond, goals and tasks — a low item shows which part of the alliance to "
    "repair. Threshold: Attune default.",
)
def low_item(facts: EpisodeFacts, params: Params) -> Finding | None:
    latest = facts.latest_checkin()
    if latest is None:
        return None
    low = []
    for item in ("heard", "goals", "approach"):
        value = latest.answer("relationship", item)
        if isinstance(value, int) and value <= params["at_most"]:
            low.append((item, value))
    if not low:
        return None
    reasons = tuple(
        reason(
            f'Session {latest.number}: "{ITEM_WORDS[item]}" rated {value} of 10 '
            f"({fmt(params['at_most'])} or lower).",
            session=latest.number,
            answer=f"relationship.{item}",
            value=value,
            threshold=params["at_most"],
        )
        for item, value in low
    )
    action = "; ".join(ITEM_ACTIONS[item] for item, _ in low)
    return Finding(
        level=_level(any(v <= params["at_most"] - 3 for _, v in low), facts),
        reasons=reasons,
        suggested_action=action[0].upper() + action[1:] + ".",
        session_id=latest.id,
    )


# Measurement noise of the relationship total (/40), for the reliable change of a drop (Jacobson &
# Truax 1991, computed by instruments.outcomes). Reliability: internal consistency of the Session Rating
# Scale, alpha = .88 (Duncan et al. 2003). SD: 4 points of 40 — Attune's assumption from published SRS
# samples, whose totals sit around 36–37 with SDs of about 3–5; a clinic sets its own (`total_sd`).
# With these, 1.96·√2·4·√(1 − .88) = 3.8: a fall of 4 points or more is beyond noise.
TOTAL_SD = 4.0
TOTAL_RELIABILITY = 0.88


def drop_noise(params: Params) -> float:
    """The smallest fall of the total that is beyond measurement noise (the reliable-change threshold)."""
    norms = MeasureNorms(
        name="Relationship total",
        sd=params["total_sd"],
        reliability=params["total_reliability"],
        caseness=0,
        remission_below=0,
        maximum=40,
    )
    return reliable_change_threshold(norms)


def rising(facts: EpisodeFacts) -> bool:
    """The client's total is higher than at their previous check-in: never a red on an improving trend."""
    latest, previous = facts.latest_checkin(), facts.previous_checkin()
    if latest is None or previous is None:
        return False
    now, before = total_of(latest), total_of(previous)
    return bool(now and before and now[0] > before[0])


def _level(red: bool, facts: EpisodeFacts) -> Literal["red", "amber"]:
    return "red" if red and not rising(facts) else "amber"


@rule(
    id="relationship.drop",
    for_client="You rated the last session lower than the one before.",
    version="2",
    pillar="relationship",
    title="A real drop from the client's previous check-in",
    defaults={
        "total_sd": TOTAL_SD,
        "total_reliability": TOTAL_RELIABILITY,
        "cutoff_fraction": 0.9,
        "informational": True,
    },
    limits={"total_sd": (0.5, 20), "total_reliability": (0.5, 0.99)},
    source="Ruptures show as a fall in the client's own rating (Eubanks et al. 2018). A fall counts when "
    "it is beyond the total's measurement noise (reliable change, Jacobson & Truax 1991; SRS alpha .88, "
    "Duncan et al. 2003) or takes the total below the clinic's cutoff — not a one-point dip at the "
    "ceiling.",
)
def drop(facts: EpisodeFacts, params: Params) -> Finding | None:
    latest, previous = facts.latest_checkin(), facts.previous_checkin()
    if latest is None or previous is None:
        return None
    now_total, before_total = total_of(latest), total_of(previous)
    if not now_total or not before_total or now_total[0] >= before_total[0]:
        return None
    (now, maximum), before = now_total, before_total[0]
    noise, cutoff = drop_noise(params), params["cutoff_fraction"] * maximum
    text = (
        f"The relationship total fell from {fmt(before)} after session {previous.number} to {fmt(now)} "
        f"of {fmt(maximum)} after session {latest.number}"
    )
    if before - now > noise:
        why = f": more than the {fmt(round(noise, 1))} points that measurement noise explains."
    elif before >= cutoff > now:
        why = f", below the clinic's cutoff of {fmt(cutoff)}."
    else:
        return None
    return Finding(
        level="amber",
        reasons=(
            reason(
                text + why,
                session=latest.number,
                previous_session=previous.number,
                answer="relationship.total",
                value=now,
                previous=before,
                threshold=round(noise, 2),
                cutoff=cutoff,
            ),
        ),
        suggested_action='Name the change early in the next session ("your rating was lower last time — '
        'what was different?") and thank them for saying so.',
        session_id=latest.id,
    )


@rule(
    id="relationship.rupture",
    for_client="You told us there was a moment you felt misunderstood.",
    version="1",
    pillar="relationship",
    title="A rupture reported by the client or noticed by the clinician",
    defaults={"informational": True},
    source="Rupture and repair: repaired ruptures go with better outcomes (Eubanks et al. 2018, r = .29).",
)
def rupture(facts: EpisodeFacts, params: Params) -> Finding | None:
    latest = facts.latest_checkin()
    reasons = []
    if latest is not None and latest.answer("relationship", "misunderstood") == 1:
        words = latest.answer("relationship", "misunderstood_words") or ""
        text = f"After session {latest.number} the client said there was a moment they felt misunderstood."
        reasons.append(
            reason(
                text + (f' In their words: "{words[:300]}"' if words else ""),
                session=latest.number,
                answer="relationship.misunderstood",
                value=1,
            )
        )
    # The clinician's latest rating, if it noticed a rupture and no check-in came after it
    ratings = alliance.of(facts)
    last_rated = next((s for s in reversed(facts.sessions) if ratings.rating(s) is not None), None)
    last_rating = ratings.rating(last_rated) if last_rated is not None else None
    if (
        last_rated is not None
        and last_rating is not None
        and last_rating.rupture_noticed
        and (latest is None or last_rated.number >= latest.number)
    ):
        reasons.append(
            reason(
                f"The clinician noted a rupture in session {last_rated.number}.",
                session=last_rated.number,
                answer="clinician_rating.rupture_noticed",
                value=True,
            )
        )
    if not reasons:
        return None
    anchor = (
        latest
        if latest is not None and (last_rated is None or latest.number >= last_rated.number)
        else last_rated
    )
    if anchor is None:
        return None
    return Finding(
        level="amber",
        reasons=tuple(reasons),
        suggested_action="Bring up the moment gently at the start of the next session, own your part, and "
        "ask what would help.",
        session_id=anchor.id,
    )


@rule(
    id="relationship.discrepancy",
    for_client="The last session may have felt better to your clinician than it did to you.",
    version="1",
    pillar="relationship",
    title="Clinician rates the alliance well above the client",
    defaults={"mean_gap": 2.0, "informational": True},
    limits={"mean_gap": (0.5, 10)},
    source="Clients and clinicians see the alliance differently, clinicians often more favourably "
    "(Tryon, Blackwell & Hammel 2007). Threshold: Attune default.",
)
def discrepancy(facts: EpisodeFacts, params: Params) -> Finding | None:
    ratings = alliance.of(facts)
    both = [(s, rating) for s in facts.sessions if s.checkin is not None and (rating := ratings.rating(s))]
    if not both:
        return None
    session, rating = both[-1]
    gaps = []
    for item in TOTAL_ITEMS:
        mine = rating.answers.get(item)
        theirs = session.answer("relationship", item)
        if isinstance(mine, int) and isinstance(theirs, int):
            gaps.append(mine - theirs)
    if not gaps:
        return None
    gap = sum(gaps) / len(gaps)
    if gap < params["mean_gap"]:
        return None
    return Finding(
        level="amber",
        reasons=(
            reason(
                f"For session {session.number} the clinician's ratings were {fmt(round(gap, 1))} points "
                f"higher than the client's on average (threshold {fmt(params['mean_gap'])}).",
                session=session.number,
                answer="relationship vs clinician rating",
                value=round(gap, 2),
                threshold=params["mean_gap"],
            ),
        ),
        suggested_action="The session may have felt better to you than to them: ask directly how the "
        "sessions are going for them, and what you could do differently.",
        session_id=session.id,
    )


@rule(
    id="relationship.low_relative",
    for_client="You rated the last session lower than most people do at this point.",
    version="1",
    pillar="relationship",
    title="Alliance in the bottom 10% of this clinic at the same session number",
    defaults={"bottom_share": 0.10, "min_ratings": 200},
    source="Ceiling effect: most alliance ratings sit near the top, so a rating low for this clinic "
    "matters even above the absolute cutoff. Thresholds: Attune defaults.",
    limits={"min_ratings": (20, 100_000)},
)
def low_relative(facts: EpisodeFacts, params: Params) -> Finding | None:
    latest = facts.latest_checkin()
    totals = alliance.of(facts).clinic_totals_at_session
    if latest is None or len(totals) < params["min_ratings"]:
        return None
    mine = total_of(latest)
    if mine is None:
        return None
    at_or_below = bisect.bisect_right(totals, mine[0])
    share = at_or_below / len(totals)
    if share > params["bottom_share"]:
        return None
    return Finding(
        level="amber",
        reasons=(
            reason(
                f"After session {latest.number} the client's total was {fmt(mine[0])} of {fmt(mine[1])}: only "
                f"{fmt(round(share * 100, 1))}% of {len(totals)} session-{latest.number} ratings in this "
                f"clinic are this low or lower (flagged in the bottom {fmt(params['bottom_share'] * 100)}%).",
                session=latest.number,
                answer="relationship.total",
                value=mine[0],
                share=round(share, 4),
                ratings=len(totals),
                threshold=params["bottom_share"],
            ),
        ),
        suggested_action="Lower than most clients at this point: ask what would make the sessions more "
        "useful, even if the rating looks fine on its own.",
        session_id=latest.id,
    )


@rule(
    id="relationship.persistent_low",
    for_client="You told us the sessions haven't felt right for you twice running. It's fine to say if you'd like to try something different, or someone else.",
    version="2",
    pillar="relationship",
    title="Low rapport at two check-ins running, from session 2",
    defaults={"fraction": 0.9, "from_session": 2},
    source="A weak alliance that does not recover early predicts dropout (Sharf et al. 2010, d = .55); "
    "a client should feel free to find the right clinician.",
)
def persistent_low(facts: EpisodeFacts, params: Params) -> Finding | None:
    latest, previous = facts.latest_checkin(), facts.previous_checkin()
    if latest is None or previous is None or latest.number < params["from_session"]:
        return None
    now_low = _below_cutoff(latest, params["fraction"])
    before_low = _below_cutoff(previous, params["fraction"])
    if now_low is None or before_low is None:
        return None
    return Finding(
        level=_level(True, facts),
        reasons=(
            reason(
                f"The total stayed below {fmt(now_low[2])} of {fmt(now_low[1])}: {fmt(before_low[0])} after "
                f"session {previous.number}, {fmt(now_low[0])} after session {latest.number}.",
                session=latest.number,
                previous_session=previous.number,
                answer="relationship.total",
                value=now_low[0],
                previous=before_low[0],
                threshold=now_low[2],
            ),
        ),
        suggested_action="Talk about fit; offer a transfer. Ask openly whether this way of working, and "
        "working with you, suits them — and say they are free to see another clinician if they prefer.",
        session_id=latest.id,
    )


RULES = (low_total, low_item, drop, rupture, discrepancy, low_relative, persistent_low)
