"""Every write of the clinic settings pages: typed, keyword-only, one transaction, audited.

Each service asks `require_admin` itself (a view asking too is not enough) and loads the objects it
changes from the admin's own clinic, so an id from another clinic is "not found"."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from care.audit import audit_record
from care.models import AuditEvent, Clinic, Episode, Program, User
from care.text import TextError, clean_text
from clinicians.models import Clinician, Supervision
from instruments.models import ProgramMeasure
from risk.engine import queue_evaluation
from risk.thresholds import validate_thresholds

# Episodes queued for the risk engine at once after a threshold change; the rest are marked due (the
# outbox) and the periodic sweep takes them, so a large clinic's save stays quick.
REEVALUATE_AT_ONCE = 500


def require_admin(actor: User) -> Clinic:
    if not (actor.is_authenticated and actor.is_active and actor.clinic_id and actor.role == User.Role.ADMIN):
        raise PermissionDenied("Only the clinic's admin changes its settings.")
    return actor.clinic  # type: ignore[return-value]  # clinic_id is set


def _changes(obj: Any, values: dict[str, Any]) -> dict[str, list[str]]:
    """Set the fields and say what changed (before, after), for the audit event."""
    changed = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            changed[name] = [str(before), str(value)]
            setattr(obj, name, value)
    return changed


# People -----------------------------------------------------------------------------------------------


def staff_set_active(*, actor: User, user: User, active: bool) -> None:
    clinic = require_admin(actor)
    if user.clinic_id != clinic.pk:
        raise PermissionDenied("Not a member of this clinic.")
    if user.pk == actor.pk and not active:
        raise ValueError("An admin cannot deactivate themselves.")
    if active and not user.has_usable_password():
        raise ValueError("An invited member becomes active by signing up.")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=active)
        user.is_active = active
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=user, detail={"is_active": active})


def clinician_update(
    *,
    actor: User,
    clinician: Clinician,
    caseload_target: int,
    workday_start: dt.time,
    workday_end: dt.time,
    work_days: str,
    fte: Decimal,
    programs: list[Program],
) -> None:
    clinic = require_admin(actor)
    if clinician.clinic_id != clinic.pk or any(p.clinic_id != clinic.pk for p in programs):
        raise PermissionDenied("Not of this clinic.")
    with transaction.atomic():
        changed = _changes(
            clinician,
            {
                "caseload_target": caseload_target,
                "workday_start": workday_start,
                "workday_end": workday_end,
                "work_days": work_days,
                "fte": fte,
            },
        )
        clinician.full_clean(exclude=["user", "clinic"])
        clinician.save()
        before = sorted(clinician.programs.values_list("id", flat=True))
        after = sorted(p.pk for p in programs)
        if before != after:
            clinician.programs.set(programs)
            changed["programs"] = [str(before), str(after)]
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=clinician, detail={"changed": changed})


def supervision_start(
    *,
    actor: User,
    supervisor: Clinician,
    supervisee: Clinician,
    started_on: dt.date,
    ended_on: dt.date | None,
) -> Supervision:
    clinic = require_admin(actor)
    if supervisor.clinic_id != clinic.pk or supervisee.clinic_id != clinic.pk:
        raise PermissionDenied("Not of this clinic.")
    with transaction.atomic():
        pair = Supervision.objects.create(
            supervisor=supervisor, supervisee=supervisee, started_on=started_on, ended_on=ended_on
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=pair,
            detail={"supervisor": supervisor.pk, "supervisee": supervisee.pk, "started_on": str(started_on)},
        )
    return pair


def supervision_end(*, actor: User, supervision: Supervision, ended_on: dt.date) -> None:
    clinic = require_admin(actor)
    if supervision.supervisor.clinic_id != clinic.pk:
        raise PermissionDenied("Not of this clinic.")
    with transaction.atomic():
        Supervision.objects.filter(pk=supervision.pk).update(ended_on=ended_on)
        supervision.ended_on = ended_on
        audit_record(
            actor=actor, action=AuditEvent.Action.UPDATE, obj=supervision, detail={"ended_on": str(ended_on)}
        )


# Programs and the clinic ---------------------------------------------------------------------------


def _name(name: str) -> str:
    """A program's name as care.text checks typed words (TextError when it cannot be stored), not empty."""
    clean = clean_text(name, max_length=200)
    if not clean:
        raise TextError(_("Give the program a name."), code="required")
    return clean


def program_add(*, actor: User, name: str) -> Program:
    clinic = require_admin(actor)
    name = _name(name)
    with transaction.atomic():
        program = Program.objects.create(clinic=clinic, name=name)
        audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=program, detail={"name": name})
    return program


def program_rename(*, actor: User, program: Program, name: str) -> None:
    clinic = require_admin(actor)
    if program.clinic_id != clinic.pk:
        raise PermissionDenied("Not of this clinic.")
    name = _name(name)
    with transaction.atomic():
        changed = _changes(program, {"name": name})
        program.save(update_fields=["name"])
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=program, detail={"changed": changed})


def program_instruments_set(*, actor: User, chosen: dict[int, set[str]]) -> None:
    """Replace the clinic's per-program measures with `chosen` (program id → instrument keys)."""
    clinic = require_admin(actor)
    programs = set(Program.objects.filter(clinic=clinic).values_list("id", flat=True))
    if set(chosen) - programs:
        raise PermissionDenied("Not of this clinic.")
    with transaction.atomic():
        before = {
            (p, k)
            for p, k in ProgramMeasure.objects.filter(program__clinic=clinic).values_list("program_id", "key")
        }
        after = {(p, k) for p, keys in chosen.items() for k in keys}
        if before == after:
            return
        ProgramMeasure.objects.filter(program__clinic=clinic).delete()
        ProgramMeasure.objects.bulk_create(ProgramMeasure(program_id=p, key=k) for p, k in sorted(after))
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=clinic,
            detail={"program_instruments": sorted([p, k] for p, k in after)},
        )


CLINIC_FIELDS = (
    "crisis_instructions",
    "crisis_instructions_es",
    "crisis_phone",
    "languages",
    "checkin_link_ttl_hours",
    "checkin_reminder_after_hours",
    "flag_stale_after_hours",
)

# Free text of the clinic's settings: (field, longest, multi-line), checked by care.text in the service.
TEXT_LIMITS = (
    ("crisis_instructions", 2000, True),
    ("crisis_instructions_es", 2000, True),
    ("crisis_phone", 64, False),
)


def clinic_update(*, actor: User, values: dict[str, Any]) -> None:
    clinic = require_admin(actor)
    unknown = set(values) - set(CLINIC_FIELDS)
    if unknown:
        raise ValueError(f"not a clinic setting: {sorted(unknown)}")
    for name, limit, multiline in TEXT_LIMITS:
        if name in values:
            values = {**values, name: clean_text(values[name], max_length=limit, multiline=multiline)}
    with transaction.atomic():
        changed = _changes(clinic, values)
        clinic.save(update_fields=list(values))
        audit_record(
            actor=actor, action=AuditEvent.Action.UPDATE, obj=clinic, detail={"changed": sorted(changed)}
        )


# Risk thresholds -------------------------------------------------------------------------------------


def clinic_thresholds_set(*, actor: User, thresholds: dict[str, dict[str, Any]]) -> int:
    """Store the clinic's risk thresholds (validated against the rules: ThresholdsError, nothing saved,
    when they do not fit) and have the engine look again at every open episode of the clinic, so a flag
    appears or disappears on the next evaluation. Returns how many episodes were marked due."""
    clinic = require_admin(actor)
    clean = validate_thresholds(thresholds)
    with transaction.atomic():
        before = clinic.risk_thresholds
        clinic.risk_thresholds = clean
        clinic.save(update_fields=["risk_thresholds"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=clinic,
            detail={"risk_thresholds": {"before": before, "after": clean}},
        )
        if before == clean:
            return 0
        open_episodes = Episode.objects.filter(client__clinic=clinic, closed_on__isnull=True)
        # One UPDATE marks them all (the outbox), however many there are.
        marked = open_episodes.update(evaluation_due_at=Coalesce("evaluation_due_at", timezone.now()))
        first = list(open_episodes.order_by("id").values_list("id", flat=True)[:REEVALUATE_AT_ONCE])

        def enqueue() -> None:
            for episode_id in first:
                queue_evaluation(episode_id)

        # robust: a broker that is down must not undo the change; the sweep evaluates the marked ones.
        transaction.on_commit(enqueue, robust=True)
    return marked
