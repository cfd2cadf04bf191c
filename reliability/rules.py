"""Reliability risk rules: consistency is healing. Pure functions from facts to findings.

Texts name the session and the date it was scheduled, never the time elapsed "so far": the same facts
must give the same reasons on every evaluation, so a flag is only updated by new evidence."""

import datetime as dt

from care.models import Session
from risk.facts import EpisodeFacts, Finding, Params, reason, rule

# A session in the past: held, missed or called off (a "scheduled" one is still to come).
PAST_STATES = (
    Session.ATTENDED_STATES
    | Session.CLINICIAN_INITIATED
    | {Session.Attendance.NO_SHOW, Session.Attendance.CANCELLED_BY_CLIENT}
)


def _day(when: dt.datetime) -> str:
    return f"{when:%b} {when.day}"


@rule(
    id="reliability.clinician_disruption",
    for_client="One of your first sessions was cancelled, moved or started late by the clinic.",
    version="1",
    pillar="reliability",
    title="Clinician cancelled, rescheduled or started 10+ minutes late in sessions 1–3",
    defaults={"late_minutes": 10, "up_to_session": 3, "informational": True},
    source="Therapists' dropout rates differ widely (Saxon et al. 2017: 1.2% to 73.2%); the clinician's own "
    "reliability is a lever they hold. Thresholds: Attune defaults.",
)
def clinician_disruption(facts: EpisodeFacts, params: Params) -> Finding | None:
    reasons = []
    last = None
    for s in facts.sessions:
        if s.number > params["up_to_session"]:
            break
        if s.attendance in Session.CLINICIAN_INITIATED:
            verb = "cancelled" if s.attendance == "cancelled_clinician" else "rescheduled"
            reasons.append(
                reason(
                    f"Session {s.number} ({_day(s.scheduled_start)}) was {verb} by the clinician.",
                    session=s.number,
                    answer="attendance",
                    value=s.attendance,
                )
            )
            last = s
        elif s.attendance == "late_start" and s.late_minutes >= params["late_minutes"]:
            reasons.append(
                reason(
                    f"Session {s.number} ({_day(s.scheduled_start)}) started {s.late_minutes} minutes late "
                    f"({params['late_minutes']} or more).",
                    session=s.number,
                    answer="late_minutes",
                    value=s.late_minutes,
                    threshold=params["late_minutes"],
                )
            )
            last = s
    if last is None:
        return None
    return Finding(
        level="red" if len(reasons) > 1 else "amber",
        reasons=tuple(reasons),
        suggested_action="Acknowledge the disruption at the start of the next session, apologise, and "
        "agree a time you can keep.",
        session_id=last.id,
    )


@rule(
    id="reliability.no_show",
    for_client="You missed a session and haven't been back since.",
    version="1",
    pillar="reliability",
    title="A no-show not yet followed by an attended session",
    source="About one client in five drops out (Swift & Greenberg 2012); a no-show is where dropout "
    "first becomes visible.",
    resolves_on="condition",
)
def no_show(facts: EpisodeFacts, params: Params) -> Finding | None:
    missed = None
    for s in facts.sessions:
        if s.attendance == "no_show":
            missed = s
        elif s.attended and missed is not None:
            missed = None  # they came back
    if missed is None:
        return None
    return Finding(
        level="amber",
        reasons=(
            reason(
                f"The client did not come to session {missed.number} ({_day(missed.scheduled_start)}) and "
                "has not attended since.",
                session=missed.number,
                answer="attendance",
                value="no_show",
            ),
        ),
        suggested_action="Reach out warmly the same week: say you missed them, ask how they are, and offer "
        "a time that suits them.",
        session_id=missed.id,
    )


@rule(
    id="reliability.no_rebooking",
    for_client="Your next session isn't booked yet.",
    version="1",
    pillar="reliability",
    title="No next session booked 14 days after the last one",
    defaults={"days": 14},
    source="Spacing matters: each extra 3 days between sessions cut the odds of improvement by about a "
    "fifth (Sayer et al. 2024).",
    resolves_on="condition",
)
def no_rebooking(facts: EpisodeFacts, params: Params) -> Finding | None:
    if not facts.is_open or not facts.sessions:
        return None
    last = facts.sessions[-1]
    if last.attendance not in PAST_STATES or last.next_session_booked:
        return None  # a later session is scheduled, or one is booked elsewhere
    if facts.now < last.scheduled_start + dt.timedelta(days=params["days"]):
        return None
    return Finding(
        level="amber",
        reasons=(
            reason(
                f"No next session was booked within {params['days']} days of session {last.number} "
                f"({_day(last.scheduled_start)}).",
                session=last.number,
                answer="next_session_booked",
                value=False,
                threshold=params["days"],
            ),
        ),
        suggested_action="Contact the client to book the next session, and ask whether the timing works "
        "for them.",
        session_id=last.id,
    )


@rule(
    id="reliability.no_checkin",
    for_client="We didn't hear back from you after your last session.",
    version="1",
    pillar="reliability",
    title="No check-in 48 hours after an attended session",
    defaults={"hours": 48, "informational": True},
    source="Non-response is treated as a signal (DESIGN); no published cutoff — Attune default.",
    resolves_on="condition",
)
def no_checkin(facts: EpisodeFacts, params: Params) -> Finding | None:
    attended = [s for s in facts.sessions if s.attended]
    if not facts.is_open or not attended:
        return None
    last = attended[-1]
    if last.checkin is not None or facts.now < last.scheduled_end + dt.timedelta(hours=params["hours"]):
        return None
    return Finding(
        level="amber",
        reasons=(
            reason(
                f"No check-in came back within {params['hours']} hours of session {last.number} "
                f"({_day(last.scheduled_start)}).",
                session=last.number,
                answer="checkin",
                value=None,
                threshold=params["hours"],
            ),
        ),
        suggested_action="Ask briefly at the next session how it is going for them, and whether the "
        "check-in is easy to answer.",
        session_id=last.id,
    )


RULES = (clinician_disruption, no_show, no_rebooking, no_checkin)
