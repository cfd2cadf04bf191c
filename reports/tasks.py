"""Report tasks. Names are pinned so a rename never strands queued messages."""

from celery import shared_task

from care.models import Clinic
from reports import facts


@shared_task(name="reports.refresh_report_tables", acks_late=True)
def refresh_report_tables(clinic_id: int | None = None) -> int:
    """Rebuild the stale rows of one clinic's report tables (every clinic's when no id is given).
    Safe to run twice at once: each batch replaces its rows in one transaction."""
    clinics = Clinic.objects.filter(pk=clinic_id) if clinic_id else Clinic.objects.all()
    return sum(facts.refresh(clinic) for clinic in clinics)
