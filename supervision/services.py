"""Writes: a supervision note, the clinician's pulse sharing choice. Typed, keyword-only, one
transaction each, an audit event each. Asked of the user themself, never of an id alone."""

import datetime as dt
import re

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from care.audit import audit_record
from care.models import AuditEvent, User
from care.text import TextError, clean_text
from clinicians.models import Clinician, Supervision
from supervision.indicators import team_indicators
from supervision.models import SupervisionNote
from supervision.selectors import current_supervision, supervisees_of

# The limit the note form shows (templates/supervision/clinician.html).
MAX_NOTE = 5000


class NoteError(ValueError):
    pass


def note_text(text: str, *, limit: int) -> str:
    """The note's words as care.text checks every free text (control characters, the limit), not empty."""
    try:
        text = clean_text(text, max_length=limit, multiline=True)
    except TextError as problem:
        raise NoteError(str(problem)) from None
    if not text:
        raise NoteError("Write something first.")
    return text


def parse_day(value: str) -> dt.date:
    """An ISO date typed in ASCII digits, not in the future."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value or ""):
        raise NoteError("Give the date as YYYY-MM-DD.")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as bad:
        raise NoteError("That date does not exist.") from bad
    if day > timezone.localdate():
        raise NoteError("A meeting's date cannot be in the future.")
    return day


def note_target(actor: User, clinician_id: int) -> tuple[Clinician, Supervision]:
    """The current supervisee a note would be about: 404 for anyone else (asked before reading the form)."""
    is_supervisor = actor.role == User.Role.SUPERVISOR
    clinician = supervisees_of(actor).filter(pk=clinician_id).first() if is_supervisor else None
    supervision = current_supervision(actor, clinician) if clinician else None
    if clinician is None or supervision is None:
        raise Http404("Not found")
    return clinician, supervision


def supervision_note_create(*, actor: User, clinician_id: int, met_on: dt.date, text: str) -> SupervisionNote:
    """Record a supervision meeting with a current supervisee, keeping the indicators as they stand."""
    clinician, supervision = note_target(actor, clinician_id)
    text = note_text(text, limit=MAX_NOTE)
    snapshot = team_indicators([clinician], clinician.clinic).rows[0].snapshot()
    with transaction.atomic():
        note = SupervisionNote.objects.create(
            supervision=supervision, met_on=met_on, text=text, indicators=snapshot, created_by=actor
        )
        audit_record(
            actor=actor, action=AuditEvent.Action.CREATE, obj=note, detail={"supervisee": clinician.pk}
        )
    return note


def pulse_sharing_set(*, actor: User, shared: bool) -> Clinician:
    """The clinician's own choice: share their wellbeing pulse with their supervisor, or keep it private."""
    clinician = Clinician.objects.filter(user=actor).first()
    if clinician is None or actor.role == User.Role.ADMIN:
        raise Http404("Not found")
    with transaction.atomic():
        clinician.pulse_shared = shared
        clinician.save(update_fields=["pulse_shared"])
        audit_record(
            actor=actor, action=AuditEvent.Action.UPDATE, obj=clinician, detail={"pulse_shared": shared}
        )
    return clinician
