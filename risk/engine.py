"""The early-alliance risk engine: gather an episode's facts, run every pillar's rules, keep flags current.

Anything that should make the engine look at an episode calls `request_evaluation` inside its own
transaction. That marks the episode due (the database is the outbox) and queues the Celery task after
commit; if the broker is down the mark stays, and the periodic sweep picks the episode up later.

`evaluate_episode` is idempotent and serialised per episode (it locks the episode row): run it twice,
or in two workers at once, and the flags come out the same. It reads the episode in a constant number
of queries (risk.gather) and writes only when a flag opens, changes or resolves. Rules run with the
clinic's validated thresholds (risk.thresholds); when the stored ones do not validate, the clinic's
episodes are skipped (outbox cleared, one logged error) instead of failing and coming back every sweep."""

import datetime as dt
import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from celery import current_app
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from care.models import CheckIn, Clinic, Episode, Session
from risk.facts import Finding
from risk.gather import gather_facts
from risk.intents import FlagIntent, flag_intents
from risk.models import Flag, FlagEvent
from risk.rules import rule_by_id, run_rules
from risk.services import NewFlag, flag_raise, flag_resolve, flags_open
from risk.thresholds import ThresholdsError, clinic_params

log = logging.getLogger(__name__)


EVALUATE_TASK = "risk.evaluate_episode"  # risk.tasks.evaluate_episode, by its pinned name


def queue_evaluation(episode_id: int) -> None:
    """Queue the Celery task, found by its pinned name: the tasks module sits above this one and calls
    into it. RiskConfig.ready() registers it, so eager mode (no broker) runs it in-process as well."""
    current_app.tasks[EVALUATE_TASK].delay(episode_id)


EVALUATE_MANY_TASK = "risk.evaluate_episodes"  # risk.tasks.evaluate_episodes
TASK_BATCH = 200  # episodes per queued sweep task: small enough to spread over the workers


def queue_batch_evaluation(episode_ids: Sequence[int]) -> None:
    current_app.tasks[EVALUATE_MANY_TASK].delay(list(episode_ids))


def request_evaluation(episode_id: int) -> None:
    """Mark the episode due for evaluation and queue it once the surrounding transaction commits."""
    now = timezone.now()
    Episode.objects.filter(pk=episode_id).update(evaluation_due_at=Coalesce("evaluation_due_at", now))

    def enqueue() -> None:
        queue_evaluation(episode_id)

    # robust: a broker failure is logged, never turned into a failed request — the sweep recovers it.
    transaction.on_commit(enqueue, robust=True)


# Evaluation -------------------------------------------------------------------------------------------


@dataclass
class Evaluation:
    episode_id: int
    raised: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    skipped: bool = False
    # Why it was skipped when the clinic's stored thresholds do not validate (risk.thresholds).
    problems: list[str] = field(default_factory=list)


def evaluate_episode(episode_id: int, *, now: dt.datetime | None = None) -> Evaluation:
    """Evaluate one episode and bring its flags up to date. Idempotent: safe to run again at any time.

    Waits for the episode's row lock, so two evaluations of one episode run one after the other."""
    found = _evaluate_batch([episode_id], now=now or timezone.now(), wait=True)
    return found[0] if found else Evaluation(episode_id=episode_id, skipped=True)


BATCH = 500


def evaluate_episodes(episode_ids: Sequence[int], *, now: dt.datetime | None = None) -> list[Evaluation]:
    """Evaluate many episodes, BATCH at a time: per batch a constant number of reads (the facts of all
    its episodes at once, their flags, their clinics' thresholds), the rules in memory, and the outbox
    cleared in two UPDATEs; only flags that change are written one by one, through the flag services.

    Episodes another worker is evaluating right now are skipped (not waited for): they stay due, and
    that worker or the next sweep brings them up to date. The flags come out as `evaluate_episode`
    would leave them (tests/risk/test_bulk_evaluation.py compares the two)."""
    now = now or timezone.now()
    ids = list(dict.fromkeys(episode_ids))
    results: list[Evaluation] = []
    for start in range(0, len(ids), BATCH):
        results += _evaluate_batch(ids[start : start + BATCH], now=now, wait=False)
    return results


def _evaluate_batch(episode_ids: Sequence[int], *, now: dt.datetime, wait: bool) -> list[Evaluation]:
    """Steps: lock the episode rows; read each clinic's parameters once; gather the facts; run the
    rules; turn findings into flag intents (pure, risk.intents); apply them; clear the outbox. A closed
    episode, or one whose clinic's thresholds do not validate, only gets its outbox cleared."""
    with transaction.atomic():
        episodes = _lock_episodes(episode_ids, wait=wait)
        results = {e.pk: Evaluation(episode_id=e.pk) for e in episodes}
        params_by_clinic: dict[int, dict] = {}
        broken: dict[int, ThresholdsError] = {}
        ready: list[Episode] = []
        for episode in episodes:
            if episode.closed_on is not None:
                continue
            clinic: Clinic = episode.client.clinic
            if clinic.pk not in params_by_clinic and clinic.pk not in broken:
                try:
                    params_by_clinic[clinic.pk] = clinic_params(clinic)
                except ThresholdsError as problem:
                    _report_bad_thresholds(clinic, problem)
                    broken[clinic.pk] = problem
            if clinic.pk in broken:
                results[episode.pk].skipped, results[episode.pk].problems = True, broken[clinic.pk].messages
            else:
                ready.append(episode)
        flags: dict[int, list[Flag]] = defaultdict(list)
        for flag in Flag.objects.filter(episode_id__in=[e.pk for e in ready]).order_by("-opened_at", "-id"):
            flags[flag.episode_id].append(flag)
        rules = rule_by_id()
        opening: list[NewFlag] = []
        for episode, facts in zip(ready, gather_facts(ready, now=now), strict=True):
            params = params_by_clinic[episode.client.clinic_id]
            findings = run_rules(facts, params)
            intents = flag_intents(facts, findings, flags[episode.pk], rules=rules, params=params)
            opening += _apply(episode, intents, results[episode.pk], flags[episode.pk])
        flags_open(opening)
        _clear_outbox([e.pk for e in episodes], now=now)
    return [results[e.pk] for e in episodes]


def _lock_episodes(episode_ids: Sequence[int], *, wait: bool) -> list[Episode]:
    # Only the episode rows (of=self), in id order so two batches never wait on each other in a circle.
    return list(
        Episode.objects.select_for_update(of=("self",), skip_locked=not wait)
        .select_related("client__clinic")
        .filter(pk__in=episode_ids)
        .order_by("pk")
    )


def _report_bad_thresholds(clinic: Clinic, problem: ThresholdsError) -> None:
    """Log once per clinic and stored value, not once per episode and sweep: the clinic page shows the
    problem to the clinic's admin until it is fixed (the shared cache makes "once" hold across workers)."""
    stored = json.dumps(clinic.risk_thresholds, sort_keys=True, default=str)
    key = f"risk:bad-thresholds:{clinic.pk}:{hashlib.sha256(stored.encode()).hexdigest()[:16]}"
    if cache.add(key, True, timeout=None):
        log.error(
            "Risk thresholds of clinic %s (%s) do not validate; its episodes are not evaluated until they "
            "are fixed in the admin: %s",
            clinic.pk,
            clinic.name,
            " ".join(problem.messages),
        )


def _apply(
    episode: Episode, intents: list[FlagIntent], result: Evaluation, flags: list[Flag]
) -> list[NewFlag]:
    """The writes the intents call for, through the flag services (which record the history). Flags
    for pillars with none active are returned to be opened together (flags_open); updates and
    resolutions are written here, one by one."""
    rules = rule_by_id()
    active = {f.pillar for f in flags if f.status in Flag.ACTIVE_STATES}
    opening: list[NewFlag] = []
    for intent in intents:
        finding = intent.finding
        if intent.action in ("raise", "update") and finding is not None:
            lead = intent.findings[0] if intent.findings else {}
            known = rules.get(intent.rule_id)
            pillar = intent.pillar or (known.pillar if known else intent.rule_id)
            version = lead.get("version") or (known.version if known else "")
            session = _session_ref(finding.session_id)
            if intent.action == "raise" and pillar not in active:
                opening.append(
                    NewFlag(
                        episode=episode,
                        rule=intent.rule_id,
                        rule_version=version,
                        pillar=pillar,
                        level=finding.level,
                        reasons=finding.reasons,
                        suggested_action=finding.suggested_action,
                        session=session,
                        findings=intent.findings or _one_finding(intent.rule_id, version, finding),
                    )
                )
            else:
                flag_raise(
                    episode=episode,
                    rule=intent.rule_id,
                    rule_version=version,
                    pillar=pillar,
                    level=finding.level,
                    reasons=finding.reasons,
                    suggested_action=finding.suggested_action,
                    session=session,
                    findings=intent.findings,
                    reopen=intent.reopen,
                    new_rules=intent.new_rules,
                    note=intent.why,
                )
            # Every rule that found something on a new flag; the leading one on an updated flag.
            if intent.action == "raise":
                result.raised += [e["rule"] for e in intent.findings] or [intent.rule_id]
            else:
                result.updated.append(intent.rule_id)
        elif intent.action == "resolve":
            flag_resolve(flag=intent.flag, actor=None, reason=intent.why)
            result.resolved.append(intent.rule_id)
    return opening


def _one_finding(rule_id: str, version: str, finding: Finding) -> tuple[dict, ...]:
    """What flag_raise stores as the findings of a flag raised without them."""
    return (
        {
            "rule": rule_id,
            "version": version,
            "level": finding.level,
            "session_id": finding.session_id,
            "reasons": [r.model_dump() for r in finding.reasons],
            "suggested_action": finding.suggested_action,
        },
    )


def _clear_outbox(episode_ids: Sequence[int], *, now: dt.datetime) -> None:
    if not episode_ids:
        return
    CheckIn.objects.filter(
        session__episode_id__in=episode_ids, submitted_at__isnull=False, evaluated_at__isnull=True
    ).update(evaluated_at=now)
    Episode.objects.filter(pk__in=episode_ids).update(evaluation_due_at=None, evaluated_at=now)


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
        for start in range(0, len(ids), TASK_BATCH):
            queue_batch_evaluation(ids[start : start + TASK_BATCH])
    else:
        evaluate_episodes(ids)
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
