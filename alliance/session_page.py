"""The relationship pillar's card on the clinician's session page: their own 30-second rating of the
session, on the items the client rates. The session page (checkin) asks for it through the registry
(care.pillars.Pillar.session_widgets); the form posts to alliance.views.session_rating."""

from typing import Any

from alliance.models import ClinicianRating
from alliance.services import CLINICIAN_WORDING, clinician_items
from care.access import may_write
from care.models import Session, User
from care.pillars import SessionWidget
from instruments.forms import build_steps
from instruments.schemas import Instrument

# Form fields are named "<section>.<item>"; the rating's section is its own, apart from the client's.
RATING_SECTION = "rating"
TEMPLATE = "alliance/_session_rating.html"


def rating_instrument(session: Session) -> Instrument:
    """The clinician's items of the relationship instrument, keyed as the rating form's section."""
    instrument = clinician_items(session.episode.client.clinic_id)
    return instrument.model_copy(update={"key": RATING_SECTION})


def rating_widget_context(
    *,
    user: User,
    session: Session,
    rating: ClinicianRating | None,
    posted: Any = None,
    errors: dict[str, str] | None = None,
    error: str = "",
) -> dict[str, Any]:
    """What the rating card shows: the saved rating (or what was just posted, with its problems)."""
    instrument = rating_instrument(session)
    if posted is None and rating is not None:
        posted = {f"{RATING_SECTION}.{k}": v for k, v in rating.answers.items()}
    [step] = build_steps([instrument], "en", posted, {RATING_SECTION: errors} if errors else None)
    for field in step.fields:
        field.text = str(CLINICIAN_WORDING[field.name.split(".", 1)[1]])
    mine = may_write(user, session.episode)
    return {
        "rating": rating,
        "fields": step.fields,
        "may_write": mine,
        "error": error,
        # A supervisor reads someone else's rating: "Donna's rating", not "Your rating".
        "rater": "" if mine else _given_name(session),
    }


def _given_name(session: Session) -> str:
    clinician = session.episode.clinician
    return clinician.user.first_name or str(clinician)


def session_widgets(user: User, session: Session) -> list[SessionWidget]:
    """The registry hook: one card, the clinician's rating (a form for the treating clinician, the
    saved answers read-only for their supervisor)."""
    rating = ClinicianRating.objects.filter(session=session).first()
    context = rating_widget_context(user=user, session=session, rating=rating)
    return [SessionWidget(template=TEMPLATE, context=context)]
