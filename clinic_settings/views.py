"""The clinic admin's settings pages: the overview, the clinic's own settings, programs, the measures
each program switches on, and the risk thresholds. Thin: forms check, services write, selectors read;
POST-redirect-GET. Anyone but an admin of the clinic gets 404 (selectors.require_clinic_admin)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from care.http import StaffRequest
from clinic_settings import selectors
from clinic_settings.forms import ClinicSettingsForm, ProgramForm
from clinic_settings.services import (
    clinic_thresholds_set,
    clinic_update,
    program_add,
    program_instruments_set,
    program_rename,
)
from clinic_settings.threshold_form import threshold_rows, thresholds_from_form
from risk.thresholds import ThresholdsError, thresholds_problems


@login_required
@require_GET
def index(request: StaffRequest) -> HttpResponse:
    clinic = selectors.require_clinic_admin(request.user)
    context = {"clinic": clinic, "section": "index", "problems": thresholds_problems(clinic)}
    return render(request, "clinic_settings/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def clinic_page(request: StaffRequest) -> HttpResponse:
    clinic = selectors.require_clinic_admin(request.user)
    if request.method == "POST":
        form = ClinicSettingsForm(request.POST)
        if form.is_valid():
            clinic_update(actor=request.user, values=form.cleaned_data)
            messages.success(request, _("Saved the clinic's settings."))
            return redirect("clinic-settings-clinic")
    else:
        form = ClinicSettingsForm(initial=ClinicSettingsForm.initial_for(clinic))
    context = {"form": form, "clinic": clinic, "section": "clinic"}
    return render(request, "clinic_settings/clinic.html", context, status=400 if form.is_bound else 200)


def _programs_page(
    request: StaffRequest, add: ProgramForm, *, rename_errors: dict | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "programs": selectors.programs_read(request.user),
        "add": add,
        "rename_errors": rename_errors or {},
        "section": "programs",
    }
    return render(request, "clinic_settings/programs.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def programs(request: StaffRequest) -> HttpResponse:
    clinic = selectors.require_clinic_admin(request.user)
    if request.method != "POST":
        return _programs_page(request, ProgramForm(clinic=clinic))
    form = ProgramForm(request.POST, clinic=clinic)
    if not form.is_valid():
        return _programs_page(request, form, status=400)
    program = program_add(actor=request.user, name=form.cleaned_data["name"])
    messages.success(request, _("Added the program %(name)s.") % {"name": program.name})
    return redirect("clinic-settings-programs")


@login_required
@require_POST
def program_page(request: StaffRequest, program_id: int) -> HttpResponse:
    program = selectors.program_read(request.user, program_id)
    form = ProgramForm(request.POST, clinic=program.clinic, program=program)
    if not form.is_valid():
        add = ProgramForm(clinic=program.clinic)
        return _programs_page(request, add, rename_errors={program.pk: form.errors.get("name")}, status=400)
    old = program.name
    program_rename(actor=request.user, program=program, name=form.cleaned_data["name"])
    messages.success(request, _("Renamed %(old)s to %(new)s.") % {"old": old, "new": program.name})
    return redirect("clinic-settings-programs")


@login_required
@require_http_methods(["GET", "POST"])
def instruments(request: StaffRequest) -> HttpResponse:
    selectors.require_clinic_admin(request.user)
    measures = selectors.optional_measures()
    programs_list = selectors.programs_read(request.user)
    if request.method == "POST":
        keys = {m.key for m in measures}
        chosen = {p.pk: set(request.POST.getlist(f"program-{p.pk}")) & keys for p in programs_list}
        program_instruments_set(actor=request.user, chosen=chosen)
        messages.success(request, _("Saved the measures of each program."))
        return redirect("clinic-settings-instruments")
    chosen = selectors.program_instruments_read(request.user)
    rows = [
        {"program": p, "measures": [{"measure": m, "on": m.key in chosen.get(p.pk, set())} for m in measures]}
        for p in programs_list
    ]
    context = {"rows": rows, "measures": measures, "section": "instruments"}
    return render(request, "clinic_settings/instruments.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def thresholds(request: StaffRequest) -> HttpResponse:
    clinic = selectors.require_clinic_admin(request.user)
    problems = thresholds_problems(clinic)
    if request.method == "POST":
        rows, overrides, valid = thresholds_from_form(clinic, request.POST)
        if valid:
            try:
                marked = clinic_thresholds_set(actor=request.user, thresholds=overrides)
            except ThresholdsError as refused:
                problems = refused.messages
            else:
                messages.success(
                    request,
                    ngettext(
                        "Saved the risk thresholds. %(n)d open episode is evaluated again with them.",
                        "Saved the risk thresholds. %(n)d open episodes are evaluated again with them.",
                        marked,
                    )
                    % {"n": marked},
                )
                return redirect("clinic-settings-thresholds")
        status = 400
    else:
        rows, status = threshold_rows(clinic), 200
    context = {
        "rows": rows,
        "problems": problems,
        "section": "thresholds",
        "posted": request.method == "POST",
    }
    return render(request, "clinic_settings/thresholds.html", context, status=status)
