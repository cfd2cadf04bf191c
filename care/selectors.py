"""Reads of client data for pages and the API. Each takes the requesting user and owns its joins."""

from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from care.access import access_client, episodes_visible_to
from care.audit import audit_list_read, audit_record
from care.models import AuditEvent, Client, Clinic, Episode, Flag, Session, User


def caseload_for(user: User, *, clinician_id: int | None = None) -> QuerySet[Episode]:
    """Open episodes the user may see, with what a caseload row shows, in a constant number of queries."""
    episodes = (
        episodes_visible_to(user)
        .filter(closed_on__isnull=True)
        .select_related("client", "program", "clinician__user")
        .annotate(
            sessions_so_far=Count(
                "sessions", filter=Q(sessions__attendance__in=Session.ATTENDED_STATES), distinct=True
            ),
            last_checkin_at=Max("sessions__checkin__submitted_at"),
            active_flags=Count("flags", filter=~Q(flags__status=Flag.Status.RESOLVED), distinct=True),
        )
        .order_by("client__family_name", "client__given_name", "id")
    )
    if clinician_id is not None:
        episodes = episodes.filter(clinician_id=clinician_id)
    return episodes


def caseload_read(user: User) -> list[Episode]:
    rows = list(caseload_for(user))
    audit_list_read(actor=user, what="caseload", client_ids=[e.client_id for e in rows])
    return rows


def client_detail_read(user: User, client_id: object) -> tuple[Client, list[Episode]]:
    client = access_client(user, client_id)
    episodes = list(
        episodes_visible_to(user)
        .filter(client=client)
        .select_related("program", "clinician__user")
        .prefetch_related(
            Prefetch("sessions", queryset=Session.objects.select_related("checkin").order_by("number")),
            Prefetch("flags", queryset=Flag.objects.order_by("-opened_at")),
        )
    )
    audit_record(actor=user, action=AuditEvent.Action.READ, obj=client, client=client)
    return client, episodes


@dataclass(frozen=True)
class ClinicFigures:
    clinic: Clinic
    clients: int
    open_episodes: int
    clinicians: int
    active_flags: int
    checkins_submitted: int
    checkins_sent: int


def clinic_figures(user: User) -> ClinicFigures:
    """Aggregates only: what a clinic admin sees, with no client-level rows."""
    clinic = user.clinic
    episodes = Episode.objects.filter(client__clinic=clinic)
    checkins = Session.objects.filter(episode__client__clinic=clinic, checkin__isnull=False)
    return ClinicFigures(
        clinic=clinic,
        clients=Client.objects.filter(clinic=clinic).count(),
        open_episodes=episodes.filter(closed_on__isnull=True).count(),
        clinicians=clinic.clinicians.count(),
        active_flags=Flag.objects.filter(episode__client__clinic=clinic)
        .exclude(status=Flag.Status.RESOLVED)
        .count(),
        checkins_submitted=checkins.filter(checkin__submitted_at__isnull=False).count(),
        checkins_sent=checkins.count(),
    )
