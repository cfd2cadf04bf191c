"""Reads of the clinic settings pages, always scoped to the signed-in clinic admin's own clinic.

Anyone but an active admin of a clinic gets the same 404 as for a page that does not exist; an object of
another clinic is "missing" too. Query counts do not grow with the number of staff or programs."""

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from care.access import load_visible
from care.models import Clinic, Program, User
from clinic_settings.models import Invitation
from clinicians.models import Clinician, Supervision
from instruments.library import builtin_instruments
from instruments.models import ProgramMeasure
from instruments.schemas import Instrument


def require_clinic_admin(user: User) -> Clinic:
    """The admin's clinic, or 404 for anyone else (clinicians, supervisors, staff of no clinic)."""
    if not (user.is_authenticated and user.is_active and user.clinic_id and user.role == User.Role.ADMIN):
        raise Http404("Not found")
    return user.clinic  # type: ignore[return-value]  # clinic_id is set, so the clinic is there


def staff_of(clinic: Clinic) -> QuerySet[User]:
    latest = Invitation.objects.filter(user=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        User.objects.filter(clinic=clinic)
        .select_related("clinician")
        .prefetch_related(Prefetch("clinician__programs", queryset=Program.objects.order_by("name")))
        .annotate(
            invited_until=Subquery(latest.values("expires_at")[:1]),
            invitation_used=Subquery(latest.values("used_at")[:1]),
        )
    )


DAY_NAMES = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))


def days_label(work_days: str) -> str:
    """ "12345" → "Mon–Fri"; "135" → "Mon, Wed, Fri"."""
    days = sorted({int(d) for d in work_days if d in "1234567"})
    if not days:
        return ""
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0] - 1]}–{DAY_NAMES[days[-1] - 1]}"
    return ", ".join(str(DAY_NAMES[d - 1]) for d in days)


@dataclass(frozen=True)
class StaffRow:
    user: User
    clinician: Clinician | None
    status: str  # "active", "invited", "deactivated"

    @property
    def days(self) -> str:
        return days_label(self.clinician.work_days) if self.clinician else ""


def _status(user: User) -> str:
    if user.is_active:
        return "active"
    # An invited member has never signed up: their invitation is unused and they have no password.
    if getattr(user, "invited_until", None) is not None and getattr(user, "invitation_used", None) is None:
        return "invited"
    return "deactivated"


def people_read(admin: User) -> list[StaffRow]:
    clinic = require_clinic_admin(admin)
    rows = []
    for user in staff_of(clinic).order_by("role", "last_name", "first_name", "username"):
        clinician = user.clinician if hasattr(user, "clinician") else None
        rows.append(StaffRow(user=user, clinician=clinician, status=_status(user)))
    return rows


def staff_member_read(admin: User, staff_id: object) -> StaffRow:
    clinic = require_clinic_admin(admin)
    user = load_visible(staff_of(clinic), staff_id)
    clinician = user.clinician if hasattr(user, "clinician") else None
    return StaffRow(user=user, clinician=clinician, status=_status(user))


def clinicians_of(clinic: Clinic) -> QuerySet[Clinician]:
    return Clinician.objects.filter(clinic=clinic).select_related("user")


def supervisions_read(admin: User) -> list[Supervision]:
    clinic = require_clinic_admin(admin)
    return list(
        Supervision.objects.filter(supervisor__clinic=clinic)
        .select_related("supervisor__user", "supervisee__user")
        .order_by(
            F("ended_on").desc(nulls_first=True),
            "supervisor__user__last_name",
            "supervisee__user__last_name",
            "-started_on",
        )
    )


def supervision_read(admin: User, supervision_id: object) -> Supervision:
    clinic = require_clinic_admin(admin)
    return load_visible(
        Supervision.objects.filter(supervisor__clinic=clinic).select_related(
            "supervisor__user", "supervisee__user"
        ),
        supervision_id,
    )


def programs_read(admin: User) -> list[Program]:
    clinic = require_clinic_admin(admin)
    return list(
        Program.objects.filter(clinic=clinic)
        .annotate(
            clinician_count=Count("clinicians", distinct=True),
            open_episodes=Count("episodes", filter=Q(episodes__closed_on__isnull=True), distinct=True),
        )
        .order_by("name")
    )


def program_read(admin: User, program_id: object) -> Program:
    return load_visible(Program.objects.filter(clinic=require_clinic_admin(admin)), program_id)


def optional_measures() -> list[Instrument]:
    """The outcome measures a program may switch on (a licence shell only once the clinic loads its file)."""
    return [i for i in builtin_instruments().values() if i.kind == "outcome"]


def program_instruments_read(admin: User) -> dict[int, set[str]]:
    """Each program's switched-on measures, by program id."""
    clinic = require_clinic_admin(admin)
    chosen: dict[int, set[str]] = {}
    for program_id, key in ProgramMeasure.objects.filter(program__clinic=clinic).values_list(
        "program_id", "key"
    ):
        chosen.setdefault(program_id, set()).add(key)
    return chosen
