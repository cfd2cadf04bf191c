"""The report page and the measure definitions: thin views over reports.selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from care.http import StaffRequest
from reports import charts, selectors, tasks
from reports.filters import ReportFilters
from reports.forms import ReportFilterForm
from reports.measures import MEASURES


@never_cache
@login_required
@require_GET
def report(request: StaffRequest) -> HttpResponse:
    clinic = selectors.report_clinic(request.user, request.GET.get("clinic"))
    today = timezone.localdate()
    data = None
    if request.GET:
        # A link that names only some filters keeps the default period in its month boxes.
        data = request.GET.copy()
        default = ReportFilters.last_twelve_months(today)
        data.setdefault("start", f"{default.start:%Y-%m}")
        data.setdefault("end", f"{default.end:%Y-%m}")
    form = ReportFilterForm(clinic, today, data)
    filters = form.filters()
    page = selectors.clinic_report(clinic, filters)
    query = request.GET.copy()
    return render(
        request,
        "reports/report.html",
        {
            "clinic": clinic,
            "form": form,
            "report": page,
            "filters_query": query.urlencode(),
            "groups": [
                (title, [(f, charts.sparkline(f.months)) for f in figures])
                for title, figures in page.groups()
            ],
            "outcomes_figure": charts.outcomes_figure(page.figures),
            "comparison_figure": charts.comparison_figure(page.comparison),
            "small_cell": selectors.SMALL_CELL,
        },
    )


@login_required
@require_POST
def refresh(request: StaffRequest) -> HttpResponse:
    """Bring the report tables up to date now instead of at the next scheduled refresh."""
    clinic = selectors.report_clinic(request.user, request.POST.get("clinic"))
    tasks.refresh_report_tables.delay(clinic.pk)
    messages.success(request, _("The figures are being brought up to date. Reload the page in a moment."))
    return redirect("reports")


@login_required
@require_GET
def definitions(request: StaffRequest) -> HttpResponse:
    selectors.report_clinic(request.user, request.GET.get("clinic"))
    return render(request, "reports/definitions.html", {"measures": MEASURES})
