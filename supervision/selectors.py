"""Reads for the supervision pages, scoped to the requesting user.

A clinician sees their own indicators; a supervisor sees those of the clinicians they supervise now
(an ended supervision is the same 404 as a stranger). Nobody sees a colleague's indicators."""

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from care.access import episodes_visible_to
from care.audit import audit_list_read, audit_record
from care.models import AuditEvent, Episode, User
from clinicians.models import Clinician, Supervision
from supervision import charts, pulse
from supervision import signals as sig
from supervision.indicators import ClinicianIndicators, TeamIndicators, team_indicators
from supervision.models import PulseResponse, SupervisionNote


def own_clinician(user: User) -> Clinician:
    if not (user.is_authenticated and user.clinic_id) or user.role == User.Role.ADMIN:
        raise Http404("Not found")
    clinician = Clinician.objects.select_related("user", "clinic").filter(user=user).first()
    if clinician is None:
        raise Http404("Not found")
    return clinician


def supervisees_of(user: User) -> QuerySet[Clinician]:
    """The clinicians this user supervises now, in their clinic."""
    if user.clinic_id is None:
        return Clinician.objects.none()
    return Clinician.objects.filter(
        clinic_id=user.clinic_id,
        supervisions_received__supervisor__user=user,
        supervisions_received__ended_on__isnull=True,
    ).select_related("user", "clinic")


def current_supervision(user: User, clinician: Clinician) -> Supervision | None:
    return Supervision.objects.filter(
        supervisor__user=user, supervisee=clinician, ended_on__isnull=True
    ).first()


@dataclass(frozen=True)
class Card:
    row: ClinicianIndicators
    pulse: PulseResponse | None  # only when the clinician shares it with their supervisor
    spark: str


def _spark(team: TeamIndicators, row: ClinicianIndicators) -> str:
    if team.trend is None:
        return ""
    return charts.spark_points(row.spark, low=team.trend.low, high=team.trend.high)


def latest_pulses(clinicians: list[Clinician], *, shared_only: bool) -> dict[int, PulseResponse]:
    """Each clinician's latest pulse, in one query; only those who share it, if `shared_only`."""
    ids = [c.pk for c in clinicians if c.pulse_shared or not shared_only]
    newest = PulseResponse.objects.filter(clinician=OuterRef("clinician")).order_by("-week_start")
    rows = PulseResponse.objects.filter(
        clinician_id__in=ids, week_start=Subquery(newest.values("week_start")[:1])
    )
    return {pulse.clinician_id: pulse for pulse in rows}


@dataclass(frozen=True)
class HomePage:
    team: TeamIndicators
    cards: tuple[Card, ...]
    team_pulse: pulse.TeamPulse | None  # None under pulse.MIN_RESPONDENTS respondents


def supervision_home_read(user: User) -> HomePage:
    """A supervisor's current supervisees, those needing attention first (an order, never a rank)."""
    if user.role != User.Role.SUPERVISOR:
        raise Http404("Not found")
    supervisor = own_clinician(user)
    clinicians = list(supervisees_of(user))
    team = team_indicators(clinicians, supervisor.clinic)
    pulses = latest_pulses(clinicians, shared_only=True)
    cards = [Card(row, pulses.get(row.clinician.pk), _spark(team, row)) for row in team.rows]
    cards.sort(key=lambda card: sig.attention_order(card.row.levels))
    since = team.weeks.bounds[-5].date()  # the last 4 weeks and this one
    team_figure = pulse.team_pulse_read([c.pk for c in clinicians], since=since)
    return HomePage(team=team, cards=tuple(cards), team_pulse=team_figure)


@dataclass(frozen=True)
class ClinicianPage:
    clinician: Clinician
    team: TeamIndicators
    row: ClinicianIndicators
    figures: dict[str, dict]
    episodes: list[Episode]
    notes: list[SupervisionNote]
    pulse: PulseResponse | None
    is_self: bool
    supervision: Supervision | None


def _titled(label: str, unit: str) -> str:
    return f"{label} ({unit.strip()})" if unit.strip() and unit != "%" else label


def _figures(team: TeamIndicators, row: ClinicianIndicators) -> dict[str, dict]:
    labels = team.weeks.labels()
    return {
        i.key: {
            "figure": charts.trend_figure(_titled(i.definition.label, i.unit), labels, i.series, unit=i.unit)
        }
        for i in row.indicators
        if i.series
    }


def clinician_page_read(user: User, clinician_id: object) -> ClinicianPage:
    """A clinician's 12-week trends and caseload: for the clinician themself or their current supervisor."""
    me = own_clinician(user)
    try:
        pk = int(str(clinician_id))
    except ValueError as bad:
        raise Http404("Not found") from bad
    if pk == me.pk:
        clinician, supervision = me, None
    else:
        found = supervisees_of(user).filter(pk=pk).first()
        if found is None or user.role != User.Role.SUPERVISOR:
            raise Http404("Not found")
        clinician, supervision = found, current_supervision(user, found)
    team = team_indicators([clinician], clinician.clinic)
    row = team.rows[0]
    episodes = list(
        episodes_visible_to(user)
        .filter(clinician=clinician, closed_on__isnull=True)
        .select_related("client")
        .order_by("client__family_name", "client__given_name")
    )
    audit_list_read(actor=user, what="supervision caseload", client_ids=[e.client_id for e in episodes])
    notes = _notes_for(user, clinician)
    if notes:  # reading supervision notes is audited like writing them
        audit_record(
            actor=user, action=AuditEvent.Action.READ, obj=clinician, detail={"notes": [n.pk for n in notes]}
        )
    is_self = pk == me.pk
    # The pulse is the clinician's own: their supervisor sees it only if they chose to share it.
    pulse = latest_pulses([clinician], shared_only=not is_self).get(clinician.pk)
    return ClinicianPage(
        clinician, team, row, _figures(team, row), episodes, notes, pulse, is_self, supervision
    )


def _notes_for(user: User, clinician: Clinician) -> list[SupervisionNote]:
    """Notes about `clinician`: all of them for the clinician, and only their own for a supervisor."""
    notes = SupervisionNote.objects.filter(supervision__supervisee=clinician).select_related(
        "supervision__supervisor__user"
    )
    if clinician.user_id != user.pk:
        notes = notes.filter(supervision__supervisor__user=user)
    return list(notes)


def my_week_read(user: User) -> ClinicianPage:
    return clinician_page_read(user, own_clinician(user).pk)
