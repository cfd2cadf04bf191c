from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from care.http import StaffRequest
from care.models import User
from dashboards import caseload as caseload_reads
from dashboards import portal, selectors
from dashboards.client_page import client_page_read
from risk.thresholds import thresholds_problems


@login_required
def home(request: StaffRequest) -> HttpResponse:
    if request.user.role == User.Role.ADMIN:
        return redirect("clinic-overview")
    if request.user.role == User.Role.SUPERVISOR:
        return redirect("supervision")
    return redirect("caseload")


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@never_cache
@login_required
def caseload(request: StaffRequest) -> HttpResponse:
    """The clinician's home: caseload table (sortable, filterable) with the flag inbox beside it."""
    if request.user.role == User.Role.ADMIN:
        raise Http404("Not found")
    page = caseload_reads.caseload_page_read(
        request.user,
        sort=request.GET.get("sort", "flags"),
        descending=request.GET.get("dir", "desc") != "asc",
        flagged_only=request.GET.get("flagged") == "1",
        program_id=_int_or_none(request.GET.get("program")),
        page=_int_or_none(request.GET.get("page")) or 1,
    )
    columns = [
        ("client", _("Client")),
        ("week", _("Week")),
        ("sessions", _("Sessions")),
        ("checkin", _("Last check-in")),
    ]
    if page.trend is not None:  # the score a pillar registered as the caseload's trend
        columns.append(("trend", str(page.trend.label)))
    keep = request.GET.copy()
    keep.pop("page", None)  # the pager's links keep the sort and filters, and set their own page
    return render(
        request,
        "dashboards/caseload.html",
        {"page": page, "columns": columns, "pager_query": keep.urlencode()},
    )


@never_cache
@login_required
def client_detail(request: StaffRequest, client_id: int) -> HttpResponse:
    """The single-case page: what's working, what isn't, session by session."""
    page = client_page_read(request.user, client_id, episode_id=request.GET.get("episode"))
    return render(
        request,
        "dashboards/client_detail.html",
        # The clinician who holds the episode acts on its flags; a supervisor reads them.
        {"page": page, "client": page.client, "may_act": page.may_write},
    )


@require_POST
@login_required
def portal_link_send(request: StaffRequest, client_id: int) -> HttpResponse:
    """Email the client a link to their own page. The client's own clinician sends it; a supervisor
    reads (403: portal_link_send asks care.access)."""
    episode = portal.portal_episode(request.user, client_id)
    client = episode.client
    try:
        portal.portal_link_send(actor=request.user, episode=episode)
    except portal.PortalLinkError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(
            request, _("A link to their page is on its way to %(email)s.") % {"email": client.email}
        )
    return redirect(reverse("client-detail", args=[client.pk]) + "#portal")


@login_required
def clinic_overview(request: StaffRequest) -> HttpResponse:
    if request.user.role != User.Role.ADMIN:
        raise Http404("Not found")
    figures = selectors.clinic_figures(request.user)
    # Stored risk thresholds that do not validate stop the engine for this clinic: say so here.
    problems = thresholds_problems(figures.clinic)
    return render(
        request, "dashboards/clinic_overview.html", {"figures": figures, "threshold_problems": problems}
    )
