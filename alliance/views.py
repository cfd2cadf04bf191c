"""The clinician's page for one session: record attendance, follow the client's check-in (resend the
link, show a tablet code) and give their own 30-second rating of the relationship."""

import dataclasses

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alliance.models import ClinicianRating
from alliance.services import CLINICIAN_WORDING, RatingError, clinician_items, clinician_rating_record
from care.access import access_session
from care.audit import audit_record
from care.models import AccessLink, AuditEvent, CheckIn, Session, User
from checkin.attendance import AttendanceError, session_record_attendance
from checkin.services import checkin_link_resend
from instruments.forms import build_steps, parse_answers
from instruments.scoring import AnswerError

RATING_SECTION = "rating"


@dataclasses.dataclass
class SessionPage:
    session: Session
    checkin: CheckIn | None
    rating: ClinicianRating | None
    link_expires_at: object
    is_treating_clinician: bool


def _is_treating(user: User, session: Session) -> bool:
    return session.episode.clinician.user_id == user.pk


def session_read(user: User, session_id: object) -> SessionPage:
    """The session with its check-in, the clinician's rating and the newest live link (constant queries)."""
    session = access_session(user, session_id)
    checkin = CheckIn.objects.filter(session=session).first()
    rating = ClinicianRating.objects.filter(session=session).first()
    live = (
        AccessLink.objects.filter(checkin=checkin, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .values_list("expires_at", flat=True)
        .first()
        if checkin
        else None
    )
    audit_record(actor=user, action=AuditEvent.Action.READ, obj=session, client=session.episode.client_id)
    return SessionPage(session, checkin, rating, live, _is_treating(user, session))


def _rating_fields(page: SessionPage, posted=None, errors=None):
    instrument = clinician_items(page.session.episode.client.clinic_id)
    instrument = instrument.model_copy(update={"key": RATING_SECTION})
    if posted is None and page.rating is not None:
        posted = {f"{RATING_SECTION}.{k}": v for k, v in page.rating.answers.items()}
    [step] = build_steps([instrument], "en", posted, {RATING_SECTION: errors} if errors else None)
    for field in step.fields:
        field.text = str(CLINICIAN_WORDING[field.name.split(".", 1)[1]])
    return instrument, step.fields


def _render(request: HttpRequest, page: SessionPage, *, status: int = 200, **extra) -> HttpResponse:
    _instrument, fields = _rating_fields(page, extra.pop("posted", None), extra.pop("rating_errors", None))
    context = {
        "page": page,
        "session": page.session,
        "client": page.session.episode.client,
        "attendance_choices": [c for c in Session.Attendance.choices if c[0] != Session.Attendance.SCHEDULED],
        "rating_fields": fields,
        **extra,
    }
    return render(request, "checkin/session.html", context, status=status)


@login_required
@require_GET
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    return _render(request, session_read(request.user, session_id))


def _treating_session(request: HttpRequest, session_id: int) -> SessionPage:
    page = session_read(request.user, session_id)
    if not page.is_treating_clinician:
        raise PermissionDenied  # a supervisor may look, not record on the clinician's behalf
    return page


@login_required
@require_POST
def session_attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    page = _treating_session(request, session_id)
    late = request.POST.get("late_minutes", "").strip()
    try:
        session_record_attendance(
            actor=request.user,
            session=page.session,
            attendance=request.POST.get("attendance", ""),
            late_minutes=int(late) if late.isdigit() else 0,
            next_session_booked=request.POST.get("next_session_booked") == "on",
        )
    except AttendanceError as problem:
        return _render(request, page, status=400, attendance_error=_(str(problem)))
    return redirect("session-detail", session_id=page.session.pk)


@login_required
@require_POST
def session_checkin_link(request: HttpRequest, session_id: int) -> HttpResponse:
    """A fresh link for the client: emailed, or shown as a short code for the clinic tablet. The code
    is shown once, in this response; only its hash is kept."""
    page = _treating_session(request, session_id)
    if page.checkin is None or page.checkin.status == CheckIn.Status.SUBMITTED:
        return redirect("session-detail", session_id=page.session.pk)
    by_email = request.POST.get("how") == "email"
    _link, _token, code = checkin_link_resend(actor=request.user, session=page.session, email=by_email)
    page = session_read(request.user, session_id)
    return _render(
        request,
        page,
        tablet_code=None if by_email else f"{code[:4]} {code[4:]}",
        emailed=by_email,
    )


@login_required
@require_POST
def session_rating(request: HttpRequest, session_id: int) -> HttpResponse:
    page = _treating_session(request, session_id)
    instrument, _fields = _rating_fields(page)
    answers = parse_answers([instrument], request.POST).get(RATING_SECTION, {})
    try:
        clinician_rating_record(
            actor=request.user,
            session=page.session,
            answers=answers,
            rupture_noticed=request.POST.get("rupture_noticed") == "on",
            rupture_note=request.POST.get("rupture_note", ""),
        )
    except AnswerError as invalid:
        return _render(request, page, status=400, posted=request.POST, rating_errors=invalid.errors)
    except RatingError as invalid:
        return _render(
            request,
            page,
            status=400,
            posted=request.POST,
            rating_error=_(next(iter(invalid.errors.values()))),
        )
    return redirect("session-detail", session_id=page.session.pk)
