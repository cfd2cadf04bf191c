"""The early-alliance risk engine: gather an episode's facts, run every pillar's rules, keep flags current.

Anything that should make the engine look at an episode calls `request_evaluation` inside its own
transaction. That marks the episode due (the database is the outbox) and queues the Celery task after
commit; if the broker is down the mark stays, and the periodic sweep picks the episode up later.

`evaluate_episode` is idempotent and serialised per episode (it locks the episode row): run it twice,
or in two workers at once, and the flags come out the same. It reads the episode in a constant number
of queries and writes only when a flag opens, changes or resolves."""

import datetime as dt
import logging
import time
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from care.models import CheckIn, Clinic, Episode, Score, Session
from risk.facts import (
    CheckInFacts,
    ClinicianRatingFacts,
    EpisodeFacts,
    GoalFacts,
    IntakeReadinessFacts,
    Rule,
    SessionFacts,
)
from risk.models import Flag, FlagEvent
from risk.rules import rule_by_id, run_rules
from risk.services import flag_raise, flag_resolve

log = logging.getLogger(__name__)


EVALUATE_TASK = "risk.evaluate_episode"  # risk.tasks.evaluate_episode, by its pinned name


def queue_evaluation(episode_id: int) -> None:
    """Queue the Celery task. By name: the tasks module sits above this one and calls into it."""
    current_app.signature(EVALUATE_TASK, args=(episode_id,)).delay()


def request_evaluation(episode_id: int) -> None:
    """Mark the episode due for evaluation and queue it once the surrounding transaction commits."""
    now = timezone.now()
    Episode.objects.filter(pk=episode_id).update(evaluation_due_at=Coalesce("evaluation_due_at", now))

    def enqueue() -> None:
        queue_evaluation(episode_id)

    # robust: a broker failure is logged, never turned into a failed request — the sweep recovers it.
    transaction.on_commit(enqueue, robust=True)


# Facts ------------------------------------------------------------------------------------------------

# {(clinic id, session number): (expires at, sorted totals)}. The clinic's distribution moves slowly;
# caching it keeps an evaluation to a few milliseconds even when thousands run back to back.
_totals_cache: dict[tuple[int, int], tuple[float, tuple[float, ...]]] = {}
TOTALS_TTL_SECONDS = 600


def clinic_totals(clinic_id: int, session_number: int) -> tuple[float, ...]:
    key = (clinic_id, session_number)
    hit = _totals_cache.get(key)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    values = tuple(
        Score.objects.filter(
            instrument="relationship",
            scale="total",
            checkin__session__number=session_number,
            checkin__session__episode__client__clinic_id=clinic_id,
        )
        .order_by("value")
        .values_list("value", flat=True)
    )
    _totals_cache[key] = (time.monotonic() + TOTALS_TTL_SECONDS, values)
    return values


def clear_totals_cache() -> None:
    _totals_cache.clear()


def _has_relation(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def facts_from(
    episode: Episode, sessions: Iterable[Session], scores: Iterable[Score], *, now: dt.datetime, totals=None
) -> EpisodeFacts:
    """Build the frozen facts from rows already loaded (no queries here)."""
    tz = zoneinfo.ZoneInfo(episode.client.clinic.time_zone)
    by_checkin: dict[int, dict[str, tuple[float, float]]] = {}
    for s in scores:
        by_checkin.setdefault(s.checkin_id, {})[f"{s.instrument}.{s.scale}"] = (s.value, s.maximum)
    session_facts = []
    for s in sorted(sessions, key=lambda s: s.number):
        checkin = getattr(s, "checkin", None)
        rating = getattr(s, "clinician_rating", None)
        session_facts.append(
            SessionFacts(
                id=s.pk,
                number=s.number,
                scheduled_start=s.scheduled_start.astimezone(tz),
                scheduled_end=s.scheduled_end.astimezone(tz),
                attendance=s.attendance,
                late_minutes=s.late_minutes,
                next_session_booked=s.next_session_booked,
                checkin=(
                    CheckInFacts(
                        submitted_at=checkin.submitted_at,
                        answers=checkin.answers,
                        scores=by_checkin.get(checkin.pk, {}),
                    )
                    if checkin is not None and checkin.submitted_at is not None
                    else None
                ),
                clinician_rating=(
                    ClinicianRatingFacts(answers=rating.answers, rupture_noticed=rating.rupture_noticed)
                    if rating is not None
                    else None
                ),
            )
        )
    goals = getattr(episode, "_goals", ())
    intake = (
        getattr(episode, "intake_readiness", None) if _has_relation(Episode, "intake_readiness") else None
    )
    return EpisodeFacts(
        episode_id=episode.pk,
        clinic_id=episode.client.clinic_id,
        now=now,
        is_open=episode.closed_on is None,
        sessions=tuple(session_facts),
        goals=tuple(GoalFacts(text=g.text, endorsed_by_client=g.endorsed_by_client) for g in goals),
        intake=(
            IntakeReadinessFacts(
                importance=intake.importance, confidence=intake.confidence, stage=intake.stage
            )
            if intake is not None
            else None
        ),
        clinic_totals_at_session=totals or (),
    )


def gather_facts(episode: Episode, *, now: dt.datetime, with_clinic_totals: bool = True) -> EpisodeFacts:
    """Load an episode's facts in a constant number of queries (sessions, scores, goals, totals)."""
    related = ["checkin"] + (["clinician_rating"] if _has_relation(Session, "clinician_rating") else [])
    # Explicit order_by everywhere: the models' default orderings follow foreign keys (score → check-in
    # → session → episode), which would add joins to every one of these queries.
    sessions = list(Session.objects.filter(episode_id=episode.pk).select_related(*related).order_by("number"))
    scores = list(Score.objects.filter(checkin__session__episode_id=episode.pk).order_by())
    if _has_relation(Episode, "goals"):
        episode._goals = list(episode.goals.filter(achieved_on__isnull=True).order_by("id"))
    facts = facts_from(episode, sessions, scores, now=now)
    latest = facts.latest_checkin()
    if with_clinic_totals and latest is not None:
        facts = facts_from(
            episode, sessions, scores, now=now, totals=clinic_totals(facts.clinic_id, latest.number)
        )
    return facts


# Evaluation -------------------------------------------------------------------------------------------


@dataclass
class Evaluation:
    episode_id: int
    raised: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    skipped: bool = False


def _recovery_reason(rule: Rule, flag: Flag, facts: EpisodeFacts) -> str | None:
    """Why an active flag whose rule no longer fires may close by itself now, or None to keep it open."""
    if rule.resolves_on == "condition":
        return f"Resolved automatically: no longer the case ({rule.title[0].lower()}{rule.title[1:]})."
    latest = facts.latest_checkin()
    if latest is None:
        return None
    flagged_at = next((s.number for s in facts.sessions if s.id == flag.session_id), None)
    if flagged_at is not None and latest.number > flagged_at:
        return f"Resolved automatically: the check-in after session {latest.number} shows recovery."
    if flagged_at is None and latest.checkin.submitted_at > flag.opened_at:
        return f"Resolved automatically: the check-in after session {latest.number} shows recovery."
    return None


def evaluate_episode(episode_id: int, *, now: dt.datetime | None = None) -> Evaluation:
    """Evaluate one episode and bring its flags up to date. Idempotent: safe to run again at any time."""
    now = now or timezone.now()
    result = Evaluation(episode_id=episode_id)
    with transaction.atomic():
        related = ["client__clinic"] + (
            ["intake_readiness"] if _has_relation(Episode, "intake_readiness") else []
        )
        episode = (
            Episode.objects.select_for_update(of=("self",))
            .select_related(*related)
            .filter(pk=episode_id)
            .first()
        )
        if episode is None:
            result.skipped = True
            return result
        if episode.closed_on is None:
            clinic: Clinic = episode.client.clinic
            facts = gather_facts(episode, now=now)
            findings = run_rules(facts, clinic.risk_thresholds)
            rules = rule_by_id()
            flags = list(Flag.objects.filter(episode_id=episode_id).order_by("-opened_at", "-id"))
            active = {f.rule: f for f in flags if f.status != Flag.Status.RESOLVED}
            for rule_id, finding in findings.items():
                r = rules[rule_id]
                payload = [x.model_dump() for x in finding.reasons]
                if rule_id not in active:
                    closed = next((f for f in flags if f.rule == rule_id), None)
                    if closed is not None and closed.reasons == payload:
                        continue  # the clinician already closed this very evidence; wait for new evidence
                before = active.get(rule_id)
                if (
                    before is not None
                    and before.reasons == payload
                    and before.level == finding.level
                    and before.session_id == finding.session_id
                ):
                    continue  # same evidence as the open flag: nothing to write
                flag = flag_raise(
                    episode=episode,
                    rule=rule_id,
                    rule_version=r.version,
                    pillar=r.pillar,
                    level=finding.level,
                    reasons=finding.reasons,
                    suggested_action=finding.suggested_action,
                    session=_session_ref(finding.session_id),
                )
                if before is None:
                    result.raised.append(rule_id)
                elif flag.updated_at != before.updated_at:
                    result.updated.append(rule_id)
            for rule_id, flag in active.items():
                r = rules.get(rule_id)
                if (
                    r is None
                    or rule_id in findings
                    or not r.params_for(clinic.risk_thresholds).get("enabled")
                ):
                    continue  # not ours (e.g. the check-in's safety flag), still firing, or switched off
                why = _recovery_reason(r, flag, facts)
                if why:
                    flag_resolve(flag=flag, actor=None, reason=why)
                    result.resolved.append(rule_id)
        CheckIn.objects.filter(
            session__episode_id=episode_id, submitted_at__isnull=False, evaluated_at__isnull=True
        ).update(evaluated_at=now)
        Episode.objects.filter(pk=episode_id).update(evaluation_due_at=None, evaluated_at=now)
    return result


def _session_ref(session_id: int | None) -> Session | None:
    # flag_raise only needs the primary key; an unsaved stand-in avoids a query per finding.
    if session_id is None:
        return None
    ref = Session(pk=session_id)
    ref._state.adding = False
    return ref


# Sweeps -----------------------------------------------------------------------------------------------

SWEEP_GRACE = dt.timedelta(minutes=2)
WATCH_EVERY = dt.timedelta(hours=1)
WATCH_RECENT_DAYS = 45


def episodes_due(
    *, now: dt.datetime | None = None, grace: dt.timedelta = SWEEP_GRACE, limit: int = 500
) -> list[int]:
    """Episodes the engine still owes a look, oldest first.

    - the outbox: marked due longer than `grace` ago (its task was lost, or is still queued);
    - any submitted check-in never evaluated (belt and braces, in case a writer forgot to mark it);
    - open episodes in active care not looked at for an hour, so that time-based rules (no check-in
      after 48 hours, no rebooking after 14 days) fire without any new event."""
    now = now or timezone.now()
    cutoff = now - grace
    ids: list[int] = list(
        Episode.objects.filter(evaluation_due_at__lte=cutoff)
        .order_by("evaluation_due_at")
        .values_list("id", flat=True)[:limit]
    )
    seen = set(ids)
    for episode_id in (
        CheckIn.objects.filter(evaluated_at__isnull=True, submitted_at__lte=cutoff)
        .order_by("submitted_at")
        .values_list("session__episode_id", flat=True)[:limit]
    ):
        if episode_id not in seen and len(ids) < limit:
            ids.append(episode_id)
            seen.add(episode_id)
    if len(ids) < limit:
        recent = now - dt.timedelta(days=WATCH_RECENT_DAYS)
        watch = (
            Episode.objects.filter(closed_on__isnull=True, sessions__scheduled_start__gte=recent)
            .exclude(evaluated_at__gt=now - WATCH_EVERY)
            .exclude(id__in=seen)
            .order_by(F("evaluated_at").asc(nulls_first=True))
            .values_list("id", flat=True)
            .distinct()[: limit - len(ids)]
        )
        ids += list(watch)
    return ids


def sweep_due(*, enqueue: bool, grace: dt.timedelta = SWEEP_GRACE, limit: int = 500) -> list[int]:
    """Evaluate (or queue) every episode the engine owes a look. Returns their ids.

    Queued tasks that turn out to be duplicates are harmless: evaluation is idempotent."""
    ids = episodes_due(grace=grace, limit=limit)
    if enqueue:
        for episode_id in ids:
            queue_evaluation(episode_id)
    else:
        for episode_id in ids:
            evaluate_episode(episode_id)
    return ids


def flags_mark_stale(*, now: dt.datetime | None = None) -> int:
    """Mark open flags left unacknowledged longer than the clinic allows, for the supervisor's view."""
    now = now or timezone.now()
    marked = 0
    for clinic in Clinic.objects.only("id", "flag_stale_after_hours"):
        cutoff = now - dt.timedelta(hours=clinic.flag_stale_after_hours)
        with transaction.atomic():
            stale = list(
                Flag.objects.select_for_update()
                .filter(
                    status=Flag.Status.OPEN,
                    stale_at__isnull=True,
                    opened_at__lte=cutoff,
                    episode__client__clinic_id=clinic.pk,
                )
                .values_list("id", flat=True)
            )
            if not stale:
                continue
            Flag.objects.filter(id__in=stale).update(stale_at=now)
            FlagEvent.objects.bulk_create(
                FlagEvent(
                    flag_id=i,
                    at=now,
                    action="marked_stale",
                    note=f"Not acknowledged within {clinic.flag_stale_after_hours} hours.",
                )
                for i in stale
            )
            marked += len(stale)
    return marked
