"""The clinic admin's schedule import page: download the template, upload a CSV for a dry-run preview
(per-row errors with line numbers), then import. Clinic admins only (404 for anyone else)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from api import schedule_import
from api.pages_keys import require_admin
from care.http import StaffRequest


@login_required
@require_GET
def import_template(request: StaffRequest) -> HttpResponse:
    require_admin(request)
    response = HttpResponse(schedule_import.TEMPLATE, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="attune-schedule-template.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: StaffRequest) -> HttpResponse:
    clinic = require_admin(request)
    context: dict = {"columns": schedule_import.COLUMNS}
    if request.method == "POST":
        upload = request.FILES.get("file")
        content = (
            upload.read(schedule_import.MAX_BYTES + 1) if upload else request.POST.get("content", "").encode()
        )
        if request.POST.get("action") == "commit":
            plan, created = schedule_import.commit(actor=request.user, clinic=clinic, content=content)
            context.update(plan=plan, created=created, committed=not plan.errors)
        else:
            plan = schedule_import.plan(clinic=clinic, content=content)
            context.update(plan=plan, content=content.decode("utf-8-sig", errors="replace"))
        status = 400 if plan.errors else 200
        return render(request, "api/import.html", context, status=status)
    return render(request, "api/import.html", context)
