"""The monthly report's email to the clinic's admins: a link to the download (which asks them to sign in),
never the figures themselves."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from care.models import User
from reports.models import ReportJob


def admin_addresses(clinic_id: int) -> list[str]:
    return list(
        User.objects.filter(clinic_id=clinic_id, role=User.Role.ADMIN, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


def send_report_ready(job: ReportJob) -> int:
    """Email the link to each of the clinic's admins (one message each); returns how many were sent."""
    addresses = admin_addresses(job.clinic_id)
    context = {
        "clinic": job.clinic.name,
        "job": job,
        "link": settings.SITE_URL + reverse("reports-job-download", args=[job.pk]),
        "page": settings.SITE_URL + reverse("reports"),
    }
    subject = render_to_string("reports/email/monthly_subject.txt", context).strip()
    body = render_to_string("reports/email/monthly_body.txt", context)
    return sum(send_mail(subject, body, None, [address]) for address in addresses)
