"""Attendance: what happened at a session. One transaction that writes its own audit event, opens the
client's check-in when the session was attended and asks the risk engine to look again after commit."""

from django.db import transaction
from django.utils import timezone

from care.access import require_write
from care.audit import audit_record
from care.models import AuditEvent, Session, User
from checkin.services import checkin_open
from risk import engine as risk


class AttendanceError(ValueError):
    """Attendance that doesn't make sense for this session (e.g. a late start of 0 minutes)."""


@transaction.atomic
def session_record_attendance(
    *,
    actor: User | None,
    session: Session,
    attendance: str,
    late_minutes: int = 0,
    next_session_booked: bool | None = None,
) -> Session:
    """Record what happened at a session. An attended session gets a client check-in (and its link);
    every change asks the risk engine to look at the episode again.

    A person (`actor`) must hold the episode (care.access.require_write: PermissionDenied, nothing
    written). `actor=None` is for callers that are no person: an EHR or calendar import, the demo
    generator, tests setting the scene; the audit row then names no actor."""
    if attendance not in Session.Attendance.values or attendance == Session.Attendance.SCHEDULED:
        raise AttendanceError("Choose what happened at this session.")
    if attendance == Session.Attendance.LATE_START and not 0 < late_minutes <= 240:
        raise AttendanceError("Say how many minutes late the session started (1–240).")
    if attendance != Session.Attendance.LATE_START:
        late_minutes = 0
    # Lock the session row only: locking the joined episode would deadlock with the risk engine.
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("episode__client__clinic", "episode__clinician")
        .get(pk=session.pk)
    )
    if actor is not None:
        require_write(actor, session.episode)
    if attendance in Session.ATTENDED_STATES and session.scheduled_start > timezone.now():
        raise AttendanceError("A session can't be marked attended before it has started.")
    before = session.attendance
    session.attendance = attendance
    session.late_minutes = late_minutes
    if next_session_booked is not None:
        session.next_session_booked = next_session_booked
    session.attendance_recorded_at = timezone.now()
    session.save(
        update_fields=["attendance", "late_minutes", "next_session_booked", "attendance_recorded_at"]
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=session,
        client=session.episode.client_id,
        detail={"attendance": [before, attendance]},
    )
    if session.was_attended and not hasattr(session, "checkin"):
        checkin_open(session=session)
    risk.request_evaluation(session.episode_id)
    return session
