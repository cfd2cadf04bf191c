"""The supervision pages: thin views over supervision.selectors, .services and .pulse."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from care.http import StaffRequest
from supervision import funnels as funnel_reads
from supervision import pulse as pulse_io
from supervision import selectors, services
from supervision import signals as sig


@never_cache
@login_required
@require_GET
def home(request: StaffRequest) -> HttpResponse:
    """The supervisor's home: each current supervisee, those needing attention first (never ranked)."""
    page = selectors.supervision_home_read(request.user)
    return render(request, "supervision/home.html", {"page": page, "levels": LEVEL_WORDS})


@never_cache
@login_required
@require_GET
def my_week(request: StaffRequest) -> HttpResponse:
    page = selectors.my_week_read(request.user)
    return render(request, "supervision/clinician.html", {"page": page, "levels": LEVEL_WORDS})


@never_cache
@login_required
@require_GET
def clinician(request: StaffRequest, clinician_id: int) -> HttpResponse:
    page = selectors.clinician_page_read(request.user, clinician_id)
    return render(request, "supervision/clinician.html", {"page": page, "levels": LEVEL_WORDS})


@login_required
@require_GET
def definitions(request: StaffRequest) -> HttpResponse:
    return render(request, "supervision/definitions.html", {"definitions": sig.DEFINITIONS})


@never_cache
@login_required
@require_GET
def funnels(request: StaffRequest) -> HttpResponse:
    page = funnel_reads.funnel_page_read(request.user)
    return render(request, "supervision/funnels.html", {"page": page})


@login_required
@require_POST
def note_create(request: StaffRequest, clinician_id: int) -> HttpResponse:
    services.note_target(request.user, clinician_id)  # 404 before the form is read
    try:
        met_on = services.parse_day(request.POST.get("met_on", ""))
        services.supervision_note_create(
            actor=request.user, clinician_id=clinician_id, met_on=met_on, text=request.POST.get("text", "")
        )
    except services.NoteError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, _("Note saved, with the indicators as they stand today."))
    return redirect("supervision-clinician", clinician_id=clinician_id)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def pulse(request: StaffRequest) -> HttpResponse:
    form = pulse_io.pulse_form_read(request.user)
    if request.method == "POST":
        try:
            pulse_io.pulse_submit(actor=request.user, raw=request.POST)
        except pulse_io.PulseError as problem:
            return render(
                request, "supervision/pulse.html", {"form": form, "errors": problem.errors}, status=400
            )
        messages.success(request, _("Thank you. Your pulse is saved."))
        return redirect("my-week")
    return render(request, "supervision/pulse.html", {"form": form, "errors": {}})


@login_required
@require_POST
def pulse_sharing(request: StaffRequest) -> HttpResponse:
    shared = request.POST.get("shared") == "1"
    services.pulse_sharing_set(actor=request.user, shared=shared)
    messages.success(
        request,
        _("Your supervisor now sees your pulse.") if shared else _("Your pulse is private to you again."),
    )
    return redirect("my-week")


LEVEL_WORDS = {
    sig.RED: gettext_lazy("Needs attention"),
    sig.AMBER: gettext_lazy("Worth a look"),
    sig.NONE: gettext_lazy("No signal"),
    sig.FEW: gettext_lazy("Too little data"),
    sig.INFO: gettext_lazy("Trend only"),
}
