"""The exports panel of the report page: the user's recent exports and the clinic's monthly schedule,
read where the panel is drawn (templates/reports/_exports.html) so the page's view stays the report's."""

from django import template

from care.models import Clinic
from reports import jobs
from reports.models import ReportJob, ReportSchedule

register = template.Library()


@register.simple_tag(takes_context=True)
def recent_exports(context: template.Context, clinic: Clinic) -> list[ReportJob]:
    return jobs.recent_jobs(context["request"].user, clinic)


@register.simple_tag
def monthly_schedule(clinic: Clinic) -> ReportSchedule | None:
    return ReportSchedule.objects.filter(clinic=clinic, active=True).first()


@register.filter
def job_percent(job: ReportJob) -> int:
    return jobs.job_percent(job)


@register.filter
def job_ready(job: ReportJob) -> bool:
    """Done, not expired, and its file still there."""
    return jobs.job_file(job) is not None
