"""Writes for the relationship pillar: the clinician's own 30-second rating of a session."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import ClinicianRating
from care.access import require_write
from care.audit import audit_record
from care.models import AuditEvent, Session, User
from care.text import TextError, clean_text
from instruments.library import get_instrument
from instruments.schemas import Instrument
from instruments.scoring import validate_answers
from risk import engine as risk

# The clinician rates the same relationship items as the client, worded from their side of the room.
CLINICIAN_WORDING = {
    "heard": _("My client felt heard, understood and respected."),
    "goals": _("We worked on what my client wanted to work on."),
    "approach": _("The way we worked fits my client."),
    "overall": _("Overall, today's session was right for my client."),
    "belief": _("My client believes this therapy can help them."),
}
MAX_RUPTURE_NOTE = 2000


class RatingError(ValueError):
    """A rating that can't be stored. `errors` maps item key → message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def clinician_items(clinic_id: int) -> Instrument:
    """The relationship instrument cut down to the 0–10 items the clinician rates."""
    instrument = get_instrument("relationship", clinic_id=clinic_id)
    items = tuple(i for i in instrument.items if i.key in CLINICIAN_WORDING and i.type == "scale")
    keys = {i.key for i in items}
    scales = tuple(s for s in instrument.scales if set(s.items) <= keys)
    return instrument.model_copy(update={"items": items, "scales": scales})


@transaction.atomic
def clinician_rating_record(
    *,
    actor: User,
    session: Session,
    answers: dict[str, Any],
    rupture_noticed: bool,
    rupture_note: str = "",
) -> ClinicianRating:
    """Store (or replace) the treating clinician's rating of an attended session and ask the risk engine
    to compare it with the client's. Only the clinician who holds the episode may rate it
    (PermissionDenied otherwise, nothing written)."""
    session = Session.objects.select_related("episode__clinician", "episode__client").get(pk=session.pk)
    require_write(actor, session.episode)
    if not session.was_attended:
        raise RatingError({"__all__": "Only an attended session can be rated."})
    instrument = clinician_items(session.episode.client.clinic_id)
    clean = validate_answers(instrument, answers)  # AnswerError names every problem
    try:
        rupture_note = clean_text(rupture_note, max_length=MAX_RUPTURE_NOTE, multiline=True)
    except TextError as problem:
        raise RatingError({"rupture_note": str(problem)}) from None
    rating, created = ClinicianRating.objects.update_or_create(
        session=session,
        defaults={
            "rated_by": actor,
            "rated_at": timezone.now(),
            "instrument_version": instrument.version,
            "answers": clean,
            "rupture_noticed": rupture_noticed,
            "rupture_note": rupture_note if rupture_noticed else "",
        },
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=rating,
        client=session.episode.client_id,
        detail={"rupture_noticed": rupture_noticed},
    )
    risk.request_evaluation(session.episode_id)
    return rating
