"""Every write to a flag: raise (or update with new evidence), and the clinician's lifecycle steps."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from care.access import require_write
from care.audit import audit_record
from care.models import Episode, Session, User
from care.text import TextError, clean_text
from risk.models import Flag, FlagEvent
from risk.rules import rule_by_id
from risk.schemas import FlagReason


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
    findings: Sequence[dict[str, Any]] = (),
    reopen: bool = False,
    new_rules: Sequence[str] = (),
    note: str = "",
) -> Flag:
    """Open the pillar's flag on `episode`, or update the one already active with the new evidence.

    One active flag per pillar per episode (a database constraint backs this up). `rule` is the
    leading finding's; `findings` each rule's own (risk.intents), one finding of `rule` if not given.
    `reopen`: the clinician had acknowledged it and `new_rules` found something since — it opens again.
    `note`: why findings left the flag, for its history (the reasons otherwise)."""
    now = timezone.now()
    payload = [r.model_dump() for r in reasons]
    entries = list(findings) or [
        {
            "rule": rule,
            "version": rule_version,
            "level": level,
            "session_id": session.pk if session else None,
            "reasons": payload,
            "suggested_action": suggested_action,
        }
    ]
    flag = (
        Flag.objects.select_for_update()
        .filter(episode=episode, pillar=pillar)
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
            findings=entries,
            suggested_action=suggested_action,
            opened_at=now,
            updated_at=now,
        )
        FlagEvent.objects.create(flag=flag, at=now, action="raised", note=" ".join(r.text for r in reasons))
        return flag
    if (
        flag.reasons == payload
        and flag.level == level
        and flag.session_id == (session.pk if session else None)
        and flag.findings == entries
    ):
        return flag  # re-evaluation with the same evidence: nothing new to say
    flag.reasons, flag.findings, flag.level, flag.session = payload, entries, level, session
    flag.rule, flag.rule_version, flag.suggested_action = rule, rule_version, suggested_action
    _save_update(flag, reopen=reopen, new_rules=new_rules, note=note or " ".join(r.text for r in reasons))
    return flag


@dataclass(frozen=True)
class NewFlag:
    """A flag to open where its pillar has none active (see flags_open)."""

    episode: Episode
    rule: str
    rule_version: str
    pillar: str
    level: str
    reasons: Sequence[FlagReason]
    suggested_action: str
    session: Session | None
    findings: Sequence[dict[str, Any]]


def flags_open(new: Sequence[NewFlag]) -> list[Flag]:
    """Open many flags at once, each with its "raised" event: two INSERTs for the lot, as flag_raise
    would open them one by one. For the engine's batches only: it holds the episodes' locks and has
    read their flags, so it knows these pillars have no active flag (the constraint backs that up)."""
    if not new:
        return []
    now = timezone.now()
    flags = Flag.objects.bulk_create(
        Flag(
            episode=n.episode,
            session=n.session,
            rule=n.rule,
            rule_version=n.rule_version,
            pillar=n.pillar,
            level=n.level,
            reasons=[r.model_dump() for r in n.reasons],
            findings=list(n.findings),
            suggested_action=n.suggested_action,
            opened_at=now,
            updated_at=now,
        )
        for n in new
    )
    FlagEvent.objects.bulk_create(
        FlagEvent(flag=flag, at=now, action="raised", note=" ".join(r.text for r in n.reasons))
        for flag, n in zip(flags, new, strict=True)
    )
    return flags


def _save_update(flag: Flag, *, reopen: bool, new_rules: Sequence[str], note: str) -> None:
    """Save new evidence on an active flag; re-open it if the clinician had seen it and `reopen`."""
    now = timezone.now()
    fields = ["reasons", "findings", "level", "session", "rule", "rule_version", "suggested_action"]
    flag.updated_at = now
    action = "updated"
    if reopen and flag.status in (Flag.Status.ACKNOWLEDGED, Flag.Status.REPAIR_RECORDED):
        flag.status, flag.reopened_at, flag.new_findings = Flag.Status.OPEN, now, list(new_rules)
        fields += ["status", "reopened_at", "new_findings"]
        action = "reopened"
    flag.save(update_fields=[*fields, "updated_at"])
    FlagEvent.objects.create(flag=flag, at=now, action=action, note=note)


def _record(flag: Flag, *, actor: User | None, action: str, note: str = "") -> None:
    FlagEvent.objects.create(flag=flag, at=timezone.now(), actor=actor, action=action, note=note)
    if actor is not None:
        audit_record(
            actor=actor, action="update", obj=flag, client=flag.episode.client_id, detail={"step": action}
        )


# A repair note or a reason for resolving: the limit the card's fields show (templates/risk/_card.html).
MAX_NOTE = 4000


class FlagStepError(ValueError):
    """A lifecycle step that does not fit the flag's current state (e.g. acknowledging a resolved flag),
    or words that can't be stored (control characters, too long)."""


def _words(text: str) -> str:
    try:
        return clean_text(text, max_length=MAX_NOTE, multiline=True)
    except TextError as problem:
        raise FlagStepError(str(problem)) from None


def _lock_for_step(flag: Flag, actor: User | None) -> Flag:
    """The flag, row-locked, once the actor may change the episode's data (PermissionDenied if not).
    actor=None is the engine itself, resolving a flag whose problem cleared."""
    locked = (
        Flag.objects.select_for_update(of=("self",))
        .select_related("episode__client", "episode__clinician")
        .get(pk=flag.pk)
    )
    if actor is not None:
        require_write(actor, locked.episode)
    return locked


@transaction.atomic
def flag_acknowledge(*, flag: Flag, actor: User) -> Flag:
    flag = _lock_for_step(flag, actor)
    if flag.status != Flag.Status.OPEN:
        raise FlagStepError("Only an open flag can be acknowledged.")
    flag.status = Flag.Status.ACKNOWLEDGED
    flag.acknowledged_at = timezone.now()
    flag.acknowledged_by = actor
    flag.new_findings = []  # seen now: no longer "new since you acknowledged"
    flag.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "new_findings"])
    _record(flag, actor=actor, action="acknowledged")
    return flag


@transaction.atomic
def flag_record_repair(*, flag: Flag, actor: User, note: str) -> Flag:
    """What the clinician did about it (usually in the next session). Acknowledges it on the way."""
    flag = _lock_for_step(flag, actor)
    note = _words(note)
    if not note:
        raise FlagStepError("Say what was done to repair the alliance.")
    if flag.status == Flag.Status.RESOLVED:
        raise FlagStepError("This flag is already resolved.")
    now = timezone.now()
    if flag.acknowledged_at is None or flag.status == Flag.Status.OPEN:
        flag.acknowledged_at, flag.acknowledged_by = now, actor
    flag.new_findings = []
    flag.status = Flag.Status.REPAIR_RECORDED
    flag.repair_note = note
    flag.repair_recorded_at = now
    flag.repair_recorded_by = actor
    flag.save(
        update_fields=[
            "status",
            "acknowledged_at",
            "acknowledged_by",
            "new_findings",
            "repair_note",
            "repair_recorded_at",
            "repair_recorded_by",
        ]
    )
    _record(flag, actor=actor, action="repair_recorded", note=note)
    return flag


@transaction.atomic
def flag_resolve(*, flag: Flag, actor: User | None, reason: str) -> Flag:
    """Close a flag: by hand with a reason, or (actor=None) by the engine when a later check-in recovers."""
    flag = _lock_for_step(flag, actor)
    reason = _words(reason)
    if not reason:
        raise FlagStepError("Give a reason for resolving this flag.")
    if flag.status == Flag.Status.RESOLVED:
        return flag
    flag.status = Flag.Status.RESOLVED
    flag.resolved_at = timezone.now()
    flag.resolved_by = actor
    flag.resolution = reason
    flag.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
    _record(flag, actor=actor, action="resolved", note=reason)
    return flag


def digests_send(*, now=None) -> int:
    """Email each clinician a digest of their active flags that are new or changed since the last one.

    The email carries pseudonymous client references only (email is not a safe place for names or
    answers) and a link to the inbox. Returns the number of emails sent."""
    now = now or timezone.now()
    titles = {rule_id: r.title for rule_id, r in rule_by_id().items()}
    pending = (
        Flag.objects.filter(status__in=Flag.ACTIVE_STATES)
        .filter(Q(digest_sent_at__isnull=True) | Q(updated_at__gt=F("digest_sent_at")))
        .select_related("episode__client", "episode__clinician__user")
        .order_by("episode__clinician_id", "level", "-opened_at")
    )
    by_user: dict[User, list[Flag]] = defaultdict(list)
    for flag in pending:
        by_user[flag.episode.clinician.user].append(flag)
    sent = 0
    inbox = settings.SITE_URL + reverse("flag-inbox")
    for user, flags in by_user.items():
        if not user.email or not user.is_active:
            continue
        lines = [
            f"- {f.get_level_display()}: {titles.get(f.rule, f.rule)} (client {f.episode.client.reference})"
            for f in flags
        ]
        body = (
            f"Hello {user.first_name or user.username},\n\n"
            f"{len(flags)} flag(s) on your caseload are new or have new evidence:\n\n"
            + "\n".join(lines)
            + f"\n\nOpen your inbox to see the reasons and suggested next steps:\n{inbox}\n"
        )
        with transaction.atomic():
            # Marked first, sent second: if sending fails the marks roll back and the next digest retries.
            Flag.objects.filter(id__in=[f.id for f in flags]).update(digest_sent_at=now)
            send_mail(
                subject=f"Attune: {len(flags)} flag(s) need your attention",
                message=body,
                from_email=None,
                recipient_list=[user.email],
            )
        sent += 1
    return sent
