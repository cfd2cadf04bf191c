"""Writes to the treatment plan. A change is a new numbered revision; earlier revisions are never edited."""

import re

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from care.access import require_write
from care.audit import audit_record
from care.models import AuditEvent, Episode, User
from care.text import TextError, clean_text
from regimen.models import PlanRevision

# ICD-10(-CM): a letter, two digits (the third may be A/B in a few chapters), optionally a dot and 1–4
# more characters, e.g. F32.A, F33.1, F43.10, F90.0.
ICD10_CODE = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$")
# The limits the plan form shows beside each field (regimen.views.PlanForm).
MAX_CODE = 8
MAX_LABEL = 200
MAX_NOTE = 2000


class PlanError(ValueError):
    """A plan that can't be saved. `errors` maps field → message for the person."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def normalise_icd10(code: str) -> str:
    return code.strip().upper()


@transaction.atomic
def plan_revise(
    *,
    actor: User,
    episode: Episode,
    diagnosis_code: str,
    diagnosis_label: str,
    modality: str,
    frequency: str,
    container: str,
    note: str = "",
) -> PlanRevision:
    """Add the next revision of the episode's plan and audit it. The first plan is revision 1. Only the
    clinician who holds the episode may revise it (PermissionDenied otherwise, nothing written)."""
    require_write(actor, episode)
    errors = {}
    words = {}
    for name, value, limit, multiline in (
        ("diagnosis_code", diagnosis_code, MAX_CODE, False),
        ("diagnosis_label", diagnosis_label, MAX_LABEL, False),
        ("note", note, MAX_NOTE, True),
    ):
        try:
            words[name] = clean_text(value, max_length=limit, multiline=multiline)
        except TextError as problem:
            errors[name] = str(problem)
    code = normalise_icd10(words.get("diagnosis_code", ""))
    label = words.get("diagnosis_label", "")
    if "diagnosis_code" not in errors and not ICD10_CODE.match(code):
        errors["diagnosis_code"] = "Enter an ICD-10 code such as F33.1."
    if "diagnosis_label" not in errors and not label:
        errors["diagnosis_label"] = "Give the diagnosis in words as well as its code."
    for name, value, choices in (
        ("modality", modality, PlanRevision.Modality),
        ("frequency", frequency, PlanRevision.Frequency),
        ("container", container, PlanRevision.Container),
    ):
        if value not in choices.values:
            errors[name] = "Choose one of the options."
    if errors:
        raise PlanError(errors)
    # Lock the episode so two saves at once get revisions n+1 and n+2, not a clash.
    Episode.objects.select_for_update().filter(pk=episode.pk).first()
    last = PlanRevision.objects.filter(episode=episode).aggregate(n=Max("number"))["n"] or 0
    revision = PlanRevision.objects.create(
        episode=episode,
        number=last + 1,
        diagnosis_code=code,
        diagnosis_label=label,
        modality=modality,
        frequency=frequency,
        container=container,
        note=words["note"],
        revised_at=timezone.now(),
        revised_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=revision,
        client=episode.client_id,
        detail={"number": revision.number, "diagnosis_code": code},
    )
    return revision
