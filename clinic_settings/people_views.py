"""The clinic admin's people pages (staff, invitations, supervision pairs) and the invited member's
sign-up page. Thin: forms check, services write, selectors read; POST-redirect-GET throughout."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from care.http import StaffRequest
from clinic_settings import selectors
from clinic_settings.forms import ClinicianForm, EndSupervisionForm, InviteForm, SignUpForm, SupervisionForm
from clinic_settings.invitations import (
    invitation_find,
    invitation_status,
    staff_invite,
    staff_invite_again,
    staff_sign_up,
)
from clinic_settings.services import clinician_update, staff_set_active, supervision_end, supervision_start


def _people_page(request: StaffRequest, invite: InviteForm, status: int = 200) -> HttpResponse:
    rows = selectors.people_read(request.user)
    context = {"rows": rows, "invite": invite, "section": "people", "now": timezone.now()}
    return render(request, "clinic_settings/people.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def people(request: StaffRequest) -> HttpResponse:
    selectors.require_clinic_admin(request.user)
    if request.method != "POST":
        return _people_page(request, InviteForm())
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _people_page(request, form, status=400)
    invited = staff_invite(
        actor=request.user, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
    )
    messages.success(
        request,
        _("Invitation sent to %(email)s. The link works once, for 7 days.") % {"email": invited.email},
    )
    return redirect("clinic-settings-people")


@login_required
@require_http_methods(["GET", "POST"])
def person(request: StaffRequest, staff_id: int) -> HttpResponse:
    row = selectors.staff_member_read(request.user, staff_id)
    clinic = selectors.require_clinic_admin(request.user)
    form = None
    if row.clinician is not None:
        if request.method == "POST":
            form = ClinicianForm(request.POST, clinic=clinic)
            if form.is_valid():
                data = form.cleaned_data
                clinician_update(
                    actor=request.user,
                    clinician=row.clinician,
                    caseload_target=data["caseload_target"],
                    workday_start=data["workday_start"],
                    workday_end=data["workday_end"],
                    work_days=data["work_days"],
                    fte=data["fte"],
                    programs=list(data["programs"]),
                )
                messages.success(
                    request, _("Saved %(name)s's caseload and working hours.") % {"name": row.user}
                )
                return redirect("clinic-settings-person", staff_id=row.user.pk)
        else:
            form = ClinicianForm(initial=ClinicianForm.initial_for(row.clinician), clinic=clinic)
    elif request.method == "POST":
        raise Http404("Not found")  # an admin has no caseload to edit
    status = 400 if form is not None and form.is_bound else 200
    context = {"row": row, "form": form, "section": "people", "now": timezone.now()}
    return render(request, "clinic_settings/person.html", context, status=status)


@login_required
@require_POST
def person_active(request: StaffRequest, staff_id: int) -> HttpResponse:
    row = selectors.staff_member_read(request.user, staff_id)
    active = request.POST.get("active") == "1"
    try:
        staff_set_active(actor=request.user, user=row.user, active=active)
    except ValueError:
        messages.error(
            request,
            _(
                "This cannot be done: you cannot deactivate yourself, and an invited member becomes active by signing up."
            ),
        )
        return redirect("clinic-settings-person", staff_id=row.user.pk)
    if active:
        messages.success(request, _("%(name)s can sign in again.") % {"name": row.user})
    else:
        messages.success(
            request, _("%(name)s is deactivated and can no longer sign in.") % {"name": row.user}
        )
    return redirect("clinic-settings-person", staff_id=row.user.pk)


@login_required
@require_POST
def person_invite_again(request: StaffRequest, staff_id: int) -> HttpResponse:
    row = selectors.staff_member_read(request.user, staff_id)
    if row.status != "invited":
        raise Http404("Not found")
    staff_invite_again(actor=request.user, user=row.user)
    messages.success(
        request,
        _("A new link was sent to %(email)s; the old one no longer works.") % {"email": row.user.email},
    )
    return redirect("clinic-settings-person", staff_id=row.user.pk)


def _supervision_page(request: StaffRequest, form: SupervisionForm, status: int = 200) -> HttpResponse:
    pairs = selectors.supervisions_read(request.user)
    context = {"pairs": pairs, "form": form, "section": "supervision", "today": timezone.localdate()}
    return render(request, "clinic_settings/supervision.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def supervision(request: StaffRequest) -> HttpResponse:
    clinic = selectors.require_clinic_admin(request.user)
    if request.method != "POST":
        return _supervision_page(
            request, SupervisionForm(clinic=clinic, initial={"started_on": timezone.localdate()})
        )
    form = SupervisionForm(request.POST, clinic=clinic)
    if not form.is_valid():
        return _supervision_page(request, form, status=400)
    data = form.cleaned_data
    supervision_start(
        actor=request.user,
        supervisor=data["supervisor"],
        supervisee=data["supervisee"],
        started_on=data["started_on"],
        ended_on=data["ended_on"],
    )
    messages.success(
        request,
        _("%(supervisor)s now supervises %(supervisee)s.")
        % {"supervisor": data["supervisor"], "supervisee": data["supervisee"]},
    )
    return redirect("clinic-settings-supervision")


@login_required
@require_POST
def supervision_stop(request: StaffRequest, supervision_id: int) -> HttpResponse:
    pair = selectors.supervision_read(request.user, supervision_id)
    form = EndSupervisionForm(request.POST, supervision=pair)
    if not form.is_valid() or pair.ended_on is not None:
        messages.error(
            request, _("Give an end date on or after the start (%(start)s).") % {"start": pair.started_on}
        )
        return redirect("clinic-settings-supervision")
    supervision_end(actor=request.user, supervision=pair, ended_on=form.cleaned_data["ended_on"])
    messages.success(
        request,
        _("%(supervisor)s's supervision of %(supervisee)s ends on %(date)s.")
        % {"supervisor": pair.supervisor, "supervisee": pair.supervisee, "date": pair.ended_on},
    )
    return redirect("clinic-settings-supervision")


# The invited member's sign-up ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_find(token)
    if invitation is None:
        status = invitation_status(token)
        return render(
            request,
            "clinic_settings/signup_problem.html",
            {"status": status},
            status=410 if status in ("used", "expired") else 404,
        )
    form = SignUpForm(request.POST or None, user=invitation.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = staff_sign_up(
            invitation=invitation,
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            password=data["password1"],
        )
        if user is None:
            return render(request, "clinic_settings/signup_problem.html", {"status": "used"}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, _("Welcome to Attune. Your caseload is empty until clients are assigned to you.")
        )
        return redirect("caseload")
    context = {"form": form, "invitation": invitation}
    return render(request, "clinic_settings/signup.html", context, status=400 if form.is_bound else 200)
