"""Every write the integration API makes: clients upserted by the EHR's id, episodes opened, changed and
closed, appointments booked, moved, cancelled and attended.

Attendance and cancellations go through checkin.attendance.session_record_attendance, the same service as
the session page: it opens the check-in, sends its link and asks the risk engine to look again. The key is
no person, so those calls pass actor=None and this module writes its own audit row naming the key."""

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from api.auth import KeyPrincipal
from api.errors import ApiError
from api.representations import appointment_body, client_body, episode_body, etag_of
from care.links import link_issue
from care.models import AccessLink, AuditEvent, CheckIn, Client, Episode, Program, Session
from checkin.attendance import AttendanceError, session_record_attendance
from checkin.services import checkin_url
from clinicians.models import Clinician


def api_audit(principal: KeyPrincipal, action: str, obj: Any, client_id: int | None, detail: dict) -> None:
    AuditEvent.objects.create(
        actor=None,
        actor_label=principal.label,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        client_id=client_id,
        detail=detail,
    )


def api_list_read(principal: KeyPrincipal, what: str, client_ids: list[int]) -> None:
    """One audit row per page of a list (flags, scores): constant cost however long the page."""
    AuditEvent.objects.create(
        actor=None,
        actor_label=principal.label,
        action=AuditEvent.Action.READ,
        object_type=what,
        object_id="list",
        detail={"client_ids": sorted(set(client_ids))},
    )


def _match(if_match: str | None, current: dict[str, Any]) -> None:
    if if_match is None:
        return
    tags = {t.strip().removeprefix("W/") for t in if_match.split(",")}
    if "*" not in tags and etag_of(current) not in tags:
        raise ApiError("precondition_failed", field="If-Match")


# Clients ------------------------------------------------------------------------------------------------


@transaction.atomic
def client_upsert(
    *, principal: KeyPrincipal, external_id: str, data: dict[str, Any], if_match: str | None
) -> tuple[Client, bool]:
    """Create the client with this EHR id, or update the fields given. Returns (client, created)."""
    client = (
        Client.objects.select_for_update()
        .filter(clinic_id=principal.clinic_id, external_id=external_id)
        .first()
    )
    created = client is None
    if client is None:
        if if_match is not None:  # If-Match names a version of something that does not exist (RFC 9110)
            raise ApiError("precondition_failed", field="If-Match")
        missing = [f for f in ("given_name", "family_name") if not data.get(f)]
        if missing:
            raise ApiError("invalid", "This field is required for a new client.", field=missing[0])
        client = Client(clinic_id=principal.clinic_id, external_id=external_id)
        client.reference = data.get("reference") or f"X-{secrets.token_hex(4).upper()}"
    else:
        _match(if_match, client_body(client))
    for field, value in data.items():
        setattr(client, field, value)
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:
        raise ApiError("conflict", "Another client already has this reference or external id.") from None
    api_audit(principal, "create" if created else "update", client, client.pk, {"fields": sorted(data)})
    return client, created


# Episodes -----------------------------------------------------------------------------------------------


def _clinician_and_program(principal: KeyPrincipal, clinician_id: int | None, program_id: int | None):
    clinician = program = None
    if clinician_id is not None:
        clinician = Clinician.objects.filter(pk=clinician_id, clinic_id=principal.clinic_id).first()
        if clinician is None:
            raise ApiError("invalid", "No clinician with this id in your clinic.", field="clinician_id")
    if program_id is not None:
        program = Program.objects.filter(pk=program_id, clinic_id=principal.clinic_id).first()
        if program is None:
            raise ApiError("invalid", "No program with this id in your clinic.", field="program_id")
    return clinician, program


def _check_dates(episode: Episode) -> None:
    if episode.referred_on and episode.intake_on and episode.intake_on < episode.referred_on:
        raise ApiError("invalid", "The intake can't come before the referral.", field="intake_on")
    if episode.closed_on and episode.closed_on < episode.opened_on:
        raise ApiError("invalid", "An episode can't close before it opened.", field="closed_on")


@transaction.atomic
def episode_open(*, principal: KeyPrincipal, data: dict[str, Any]) -> Episode:
    client = Client.objects.filter(
        clinic_id=principal.clinic_id, external_id=data.pop("client_external_id")
    ).first()
    if client is None:
        raise ApiError(
            "invalid", "No client with this external id: PUT the client first.", "client_external_id"
        )
    clinician, program = _clinician_and_program(principal, data.pop("clinician_id"), data.pop("program_id"))
    episode = Episode(client=client, clinician=clinician, program=program, **data)
    _check_dates(episode)
    episode.save()
    api_audit(principal, "create", episode, client.pk, {"opened": True})
    return episode


def episode_locked(principal: KeyPrincipal, episode_id: int) -> Episode:
    episode = (
        Episode.objects.select_for_update(of=("self",))
        .filter(pk=episode_id, client__clinic_id=principal.clinic_id)
        .first()
    )
    if episode is None:
        raise ApiError("not_found")
    return episode


@transaction.atomic
def episode_update(*, principal: KeyPrincipal, episode_id: int, data: dict[str, Any], if_match: str | None):
    episode = episode_locked(principal, episode_id)
    _match(if_match, episode_body(episode))
    clinician, program = _clinician_and_program(
        principal, data.pop("clinician_id", None), data.pop("program_id", None)
    )
    if clinician:
        episode.clinician = clinician
    if program:
        episode.program = program
    for field, value in data.items():
        setattr(episode, field, value)
    _check_dates(episode)
    episode.save()
    api_audit(principal, "update", episode, episode.client_id, {"fields": sorted(data)})
    return episode


@transaction.atomic
def episode_close(
    *, principal: KeyPrincipal, episode_id: int, closed_on: dt.date, end_reason: str, if_match: str | None
) -> Episode:
    episode = episode_locked(principal, episode_id)
    _match(if_match, episode_body(episode))
    if episode.closed_on is not None:
        raise ApiError("conflict", "This episode is already closed.")
    episode.closed_on, episode.end_reason = closed_on, end_reason
    _check_dates(episode)
    episode.save(update_fields=["closed_on", "end_reason"])
    api_audit(principal, "update", episode, episode.client_id, {"closed": end_reason})
    return episode


# Appointments -------------------------------------------------------------------------------------------


def _times(start: dt.datetime, end: dt.datetime) -> None:
    if end <= start:
        raise ApiError("invalid", "An appointment ends after it starts.", field="scheduled_end")
    if end - start > dt.timedelta(hours=12):
        raise ApiError("invalid", "An appointment lasts at most 12 hours.", field="scheduled_end")


@transaction.atomic
def appointment_create(*, principal: KeyPrincipal, data: dict[str, Any]) -> Session:
    episode = episode_locked(principal, data.pop("episode_id"))
    if episode.closed_on is not None:
        raise ApiError("conflict", "This episode is closed.", field="episode_id")
    _times(data["scheduled_start"], data["scheduled_end"])
    number = (episode.sessions.aggregate(n=Max("number"))["n"] or 0) + 1
    session = Session.objects.create(episode=episode, number=number, **data)
    api_audit(principal, "create", session, episode.client_id, {"number": number})
    return session


def appointment_locked(principal: KeyPrincipal, appointment_id: int) -> Session:
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("episode")
        .filter(pk=appointment_id, episode__client__clinic_id=principal.clinic_id)
        .first()
    )
    if session is None:
        raise ApiError("not_found")
    return session


def checkin_status(session: Session) -> str | None:
    return CheckIn.objects.filter(session=session).values_list("status", flat=True).first()


@transaction.atomic
def appointment_reschedule(
    *, principal: KeyPrincipal, appointment_id: int, data: dict[str, Any], if_match: str | None
) -> Session:
    session = appointment_locked(principal, appointment_id)
    _match(if_match, appointment_body(session, checkin_status(session)))
    if session.attendance != Session.Attendance.SCHEDULED:
        raise ApiError("conflict", "Only a scheduled appointment can be moved.")
    for field, value in data.items():
        setattr(session, field, value)
    _times(session.scheduled_start, session.scheduled_end)
    session.save(update_fields=[*data])
    api_audit(principal, "update", session, session.episode.client_id, {"rescheduled": True})
    return session


CANCELLED_BY = {
    "client": Session.Attendance.CANCELLED_BY_CLIENT,
    "clinician": Session.Attendance.CANCELLED_BY_CLINICIAN,
}


@transaction.atomic
def appointment_attendance(
    *,
    principal: KeyPrincipal,
    appointment_id: int,
    attendance: str,
    late_minutes: int = 0,
    next_session_booked: bool | None = None,
) -> Session:
    """Attendance, or a cancellation, through the session page's own service (link, risk evaluation)."""
    session = appointment_locked(principal, appointment_id)
    try:
        session = session_record_attendance(
            actor=None,
            session=session,
            attendance=attendance,
            late_minutes=late_minutes,
            next_session_booked=next_session_booked,
        )
    except AttendanceError as problem:
        raise ApiError("conflict" if "before" in str(problem) else "invalid", str(problem)) from None
    api_audit(principal, "update", session, session.episode.client_id, {"attendance": attendance})
    return session


@transaction.atomic
def appointment_checkin_link(*, principal: KeyPrincipal, appointment_id: int) -> dict[str, Any]:
    """A fresh link (and tablet code) to the appointment's check-in, for an EHR that sends its own SMS.
    Nothing is emailed; earlier links stay valid until they expire."""
    session = appointment_locked(principal, appointment_id)
    checkin = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("session__episode__client__clinic")
        .filter(session=session)
        .first()
    )
    if checkin is None:
        raise ApiError("conflict", "Record attendance first: a check-in opens when the client attended.")
    if checkin.status == CheckIn.Status.SUBMITTED:
        raise ApiError("conflict", "This check-in has already been answered.")
    client = checkin.session.episode.client
    ttl = dt.timedelta(hours=client.clinic.checkin_link_ttl_hours)
    link, token, code = link_issue(
        purpose=AccessLink.Purpose.CHECKIN, client=client, checkin=checkin, ttl=ttl, with_code=True
    )
    if checkin.status == CheckIn.Status.EXPIRED:
        checkin.status = CheckIn.Status.SENT
        checkin.save(update_fields=["status"])
    api_audit(principal, "create", link, client.pk, {"checkin": checkin.pk})
    return {
        "appointment_id": session.pk,
        "checkin_id": checkin.pk,
        "url": checkin_url(token),
        "tablet_code": code,
        "expires_at": link.expires_at.isoformat(),
    }
