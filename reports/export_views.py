"""Exports of the report: start one (a background job), follow it, cancel it, download it; the summary
as a CSV streamed directly; the monthly schedule. Thin: reports.jobs decides and writes.

Only a clinic's admins (and superusers) get here: everyone else, and any job of another clinic, is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from care import reauth
from care.audit import audit_record
from care.http import StaffRequest
from care.models import AuditEvent
from reports import export_tasks, jobs  # export_tasks: registers the export task for eager runs
from reports.exports import rows, tabular
from reports.forms import ReportFilterForm
from reports.models import ReportJob
from reports.selectors import clinic_report, report_clinic

assert export_tasks  # imported for its task registration

REFUSALS = {
    "invalid": gettext_lazy("This export is not offered."),
    "permission": gettext_lazy("You do not have permission to export client dates or names."),
    "reason": gettext_lazy("Say why this export needs dates or names (at least a sentence)."),
    "sign_in": gettext_lazy("Confirm it's you to export client dates or names."),
}


def _filters(clinic, query: QueryDict):
    return ReportFilterForm(clinic, timezone.localdate(), query or None).filters()


def _back(query: str) -> str:
    return reverse("reports") + (f"?{query}" if query else "") + "#exports"


@never_cache
@login_required
@require_POST
def export_start(request: StaffRequest) -> HttpResponse:
    clinic = report_clinic(request.user, request.POST.get("clinic"))
    query = request.POST.get("query", "")
    export = jobs.ExportRequest(
        kind=request.POST.get("kind", ""),
        format=request.POST.get("format", ""),
        level=request.POST.get("level", ReportJob.Level.DEIDENTIFIED),
        reason=request.POST.get("reason", ""),
    )
    try:
        job = jobs.job_start(
            user=request.user,
            clinic=clinic,
            request=export,
            filters=_filters(clinic, QueryDict(query)),
            confirmed=reauth.recently_authenticated(request),
        )
    except jobs.ExportRefused as refused:
        if refused.code == "sign_in":
            # Confirm it's you (password, then the second factor), then back to the report to start
            # it again: nothing is exported on the strength of a form filled in before confirming.
            messages.info(request, REFUSALS[refused.code])
            return redirect(reauth.reauth_url(request, _back(query)))
        messages.error(request, REFUSALS[refused.code])
        return redirect(_back(query))
    return redirect("reports-job", job_id=job.pk)


@never_cache
@login_required
@require_GET
def job_page(request: StaffRequest, job_id: int) -> HttpResponse:
    job = jobs.job_for(request.user, job_id)
    return render(
        request, "reports/job.html", {"job": job, "percent": jobs.job_percent(job), "clinic": job.clinic}
    )


def status_json(job: ReportJob) -> dict:
    ready = jobs.job_file(job) is not None
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": jobs.job_percent(job),
        "download_url": reverse("reports-job-download", args=[job.pk]) if ready else None,
        "expired": job.status == ReportJob.Status.DONE and not ready,
    }


@never_cache
@login_required
@require_GET
def job_status(request: StaffRequest, job_id: int) -> JsonResponse:
    return JsonResponse(status_json(jobs.job_for(request.user, job_id)))


@login_required
@require_POST
def job_cancel(request: StaffRequest, job_id: int) -> HttpResponse:
    job = jobs.job_for(request.user, job_id)
    if jobs.job_cancel(user=request.user, job=job):
        messages.success(request, _("Export cancelled."))
    return redirect("reports-job", job_id=job.pk)


@never_cache
@login_required
@require_GET
def job_download(request: StaffRequest, job_id: int) -> HttpResponseBase:
    job = jobs.job_for(request.user, job_id)
    path = jobs.job_file(job)
    if path is None:
        return render(request, "reports/job_gone.html", {"job": job}, status=410)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.READ,
        obj=job,
        detail={"download": True, "level": job.level, "rows": job.rows_total},
    )
    start, end = job.params.get("start", ""), job.params.get("end", "")
    name = f"attune-{job.kind}-{start[:7]}-to-{end[:7]}-{job.level}.{jobs.EXTENSIONS[job.format]}"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


@never_cache
@login_required
@require_GET
def summary_csv(request: StaffRequest) -> StreamingHttpResponse:
    """The report's summary (one row per measure, de-identified, small cells suppressed) streamed straight
    to the browser: small, so no job."""
    clinic = report_clinic(request.user, request.GET.get("clinic"))
    filters = _filters(clinic, request.GET)
    table = rows.summary_table(clinic_report(clinic, filters))
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.EXPORT,
            obj=clinic,
            detail={
                "kind": "summary",
                "format": "csv",
                "level": ReportJob.Level.DEIDENTIFIED,
                "rows": table.total,
                "filters": filters.as_params(),
            },
        )
    response = StreamingHttpResponse(tabular.csv_lines(table), content_type="text/csv; charset=utf-8")
    name = f"attune-summary-{filters.start:%Y-%m}-to-{filters.end:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def schedule(request: StaffRequest) -> HttpResponse:
    clinic = report_clinic(request.user, request.POST.get("clinic"))
    active = request.POST.get("active") == "1"
    try:
        jobs.schedule_set(
            user=request.user,
            clinic=clinic,
            active=active,
            format=request.POST.get("format", ReportJob.Format.PDF),
        )
    except jobs.ExportRefused as refused:
        messages.error(request, REFUSALS[refused.code])
    else:
        messages.success(
            request,
            _("The monthly report will be emailed to the clinic's admins on the 1st of each month.")
            if active
            else _("The monthly report is no longer emailed."),
        )
    return redirect(_back(request.POST.get("query", "")))
