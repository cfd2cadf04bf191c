"""Reads for the clinic page. The caseload is in dashboards.caseload, the client page in
dashboards.client_page."""

from dataclasses import dataclass

from django.http import Http404

from care.models import Client, Clinic, Episode, Session, User
from risk.models import Flag


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
    if clinic is None:  # staff without a clinic see no clinic figures
        raise Http404("Not found")
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
