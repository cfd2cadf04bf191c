"""Reads for the clinician's session page, scoped through care.access."""

import dataclasses
import datetime as dt

from django.utils import timezone

from care.access import access_session, may_write
from care.audit import audit_record
from care.models import AccessLink, AuditEvent, CheckIn, Session, User
from care.pillars import SessionWidget, session_page_widgets


@dataclasses.dataclass(frozen=True)
class SessionPage:
    session: Session
    checkin: CheckIn | None
    # When the newest unused check-in link stops working (None: no live link).
    link_expires_at: dt.datetime | None
    # The clinician who holds the episode records and resends; a supervisor only looks.
    may_write: bool
    # Each pillar's cards, in pillar order (care.pillars.session_page_widgets).
    widgets: list[SessionWidget]


def session_read(user: User, session_id: object) -> SessionPage:
    """The session with its check-in, the newest live link and the pillars' cards (404 for a session
    the user may not see; audited as a read)."""
    session = access_session(user, session_id)
    checkin = CheckIn.objects.filter(session=session).first()
    live = (
        AccessLink.objects.filter(checkin=checkin, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .values_list("expires_at", flat=True)
        .first()
        if checkin
        else None
    )
    audit_record(actor=user, action=AuditEvent.Action.READ, obj=session, client=session.episode.client_id)
    return SessionPage(
        session=session,
        checkin=checkin,
        link_expires_at=live,
        may_write=may_write(user, session.episode),
        widgets=session_page_widgets(user, session),
    )
