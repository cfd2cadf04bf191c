"""The clinician's page for one session: record attendance, follow the client's check-in (resend the
link, show a tablet code) and the cards each pillar adds (care.pillars.Pillar.session_widgets), whose
forms post to the pillar's own views."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from care.access import access_session
from care.http import StaffRequest
from care.models import CheckIn, Session
from care.text import TextError, clean_int
from checkin.attendance import AttendanceError, session_record_attendance
from checkin.selectors import SessionPage, session_read
from checkin.services import checkin_link_resend

ATTENDANCE_CHOICES = [c for c in Session.Attendance.choices if c[0] != Session.Attendance.SCHEDULED]


def _render(request: StaffRequest, page: SessionPage, *, status: int = 200, **extra) -> HttpResponse:
    context = {
        "page": page,
        "session": page.session,
        "client": page.session.episode.client,
        "attendance_choices": ATTENDANCE_CHOICES,
        **extra,
    }
    return render(request, "checkin/session.html", context, status=status)


@login_required
@require_GET
def session_detail(request: StaffRequest, session_id: int) -> HttpResponse:
    return _render(request, session_read(request.user, session_id))


def _minutes(text: str) -> int:
    """ASCII digits only, 0 to 9999: "²", "٥" or a 5,000-digit number are not minutes. Anything else
    counts as 0, which a late start refuses with its own message."""
    try:
        return clean_int(text, minimum=0, maximum=9999)
    except TextError:
        return 0


@login_required
@require_POST
def session_attendance(request: StaffRequest, session_id: int) -> HttpResponse:
    # 404 for a session the user may not see, 403 for one they may only look at (a supervisor).
    session = access_session(request.user, session_id, for_write=True)
    late = request.POST.get("late_minutes", "").strip()
    try:
        session_record_attendance(
            actor=request.user,
            session=session,
            attendance=request.POST.get("attendance", ""),
            late_minutes=_minutes(late),
            next_session_booked=request.POST.get("next_session_booked") == "on",
        )
    except AttendanceError as problem:
        page = session_read(request.user, session_id)
        return _render(request, page, status=400, attendance_error=_(str(problem)))
    return redirect("session-detail", session_id=session.pk)


@login_required
@require_POST
def session_checkin_link(request: StaffRequest, session_id: int) -> HttpResponse:
    """A fresh link for the client: emailed, or shown as a short code for the clinic tablet. The code
    is shown once, in this response; only its hash is kept."""
    session = access_session(request.user, session_id, for_write=True)
    checkin = CheckIn.objects.filter(session=session).only("status").first()
    if checkin is None or checkin.status == CheckIn.Status.SUBMITTED:
        return redirect("session-detail", session_id=session.pk)
    by_email = request.POST.get("how") == "email"
    _link, _token, code = checkin_link_resend(actor=request.user, session=session, email=by_email)
    return _render(
        request,
        session_read(request.user, session_id),
        tablet_code=None if by_email else f"{code[:4]} {code[4:]}",
        emailed=by_email,
    )
