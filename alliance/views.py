"""The clinician's 30-second rating of a session, posted from its card on the session page (the page
itself belongs to checkin; the card comes from alliance.session_page through the pillar registry)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.models import ClinicianRating
from alliance.services import RatingError, clinician_rating_record
from alliance.session_page import RATING_SECTION, rating_instrument, rating_widget_context
from care.access import access_session
from care.http import StaffRequest
from care.models import Session
from instruments.forms import parse_answers
from instruments.scoring import AnswerError


def _refused(request: StaffRequest, session: Session, **problems) -> HttpResponse:
    """The rating form again with what was entered and what is wrong (400), on a page of its own with
    a way back to the session."""
    rating = ClinicianRating.objects.filter(session=session).first()
    widget = rating_widget_context(
        user=request.user, session=session, rating=rating, posted=request.POST, **problems
    )
    context = {"session": session, "client": session.episode.client, "widget": widget}
    return render(request, "alliance/session_rating.html", context, status=400)


@login_required
@require_POST
def session_rating(request: StaffRequest, session_id: int) -> HttpResponse:
    # 404 for a session the user may not see, 403 for one they may see but not rate (a supervisor).
    session = access_session(request.user, session_id, for_write=True)
    answers = parse_answers([rating_instrument(session)], request.POST).get(RATING_SECTION, {})
    try:
        clinician_rating_record(
            actor=request.user,
            session=session,
            answers=answers,
            rupture_noticed=request.POST.get("rupture_noticed") == "on",
            rupture_note=request.POST.get("rupture_note", ""),
        )
    except AnswerError as invalid:
        return _refused(request, session, errors=invalid.errors)
    except RatingError as invalid:
        return _refused(request, session, error=_(next(iter(invalid.errors.values()))))
    return redirect("session-detail", session_id=session.pk)
