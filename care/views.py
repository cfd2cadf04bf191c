from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from care import selectors
from care.models import User


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.role == User.Role.ADMIN:
        return redirect("clinic-overview")
    if request.user.role == User.Role.SUPERVISOR:
        return redirect("supervision")
    return redirect("caseload")


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    episodes = selectors.caseload_read(request.user)
    return render(request, "care/caseload.html", {"episodes": episodes})


@login_required
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    client, episodes = selectors.client_detail_read(request.user, client_id)
    return render(request, "care/client_detail.html", {"client": client, "episodes": episodes})


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    if request.user.role != User.Role.SUPERVISOR:
        raise Http404("Not found")
    episodes = selectors.caseload_read(request.user)
    return render(request, "care/supervision.html", {"episodes": episodes})


@login_required
def clinic_overview(request: HttpRequest) -> HttpResponse:
    if request.user.role != User.Role.ADMIN:
        raise Http404("Not found")
    return render(request, "care/clinic_overview.html", {"figures": selectors.clinic_figures(request.user)})


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Readiness: the database only. Redis and the queue are 'degraded', not 'down'."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
