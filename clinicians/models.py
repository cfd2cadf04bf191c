"""Clinicians, supervision relationships and the clinicians' own side of the pillars."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from care.models import Clinic, Program


class Clinician(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clinician")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="clinicians")
    programs = models.ManyToManyField(Program, related_name="clinicians", blank=True)
    caseload_target = models.PositiveSmallIntegerField(default=25)
    credentials = models.CharField(max_length=64, blank=True, help_text="e.g. LCSW, PsyD")

    class Meta:
        ordering = ["user__last_name", "user__first_name", "id"]

    def __str__(self) -> str:
        return str(self.user)


class Supervision(models.Model):
    """A supervisor supervises a clinician for a period."""

    supervisor = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="supervisions_given")
    supervisee = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="supervisions_received")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["supervisor", "supervisee"]
        constraints = [
            models.UniqueConstraint(
                fields=["supervisor", "supervisee"],
                condition=Q(ended_on__isnull=True),
                name="supervision_one_active",
            ),
            models.CheckConstraint(condition=~Q(supervisor=F("supervisee")), name="supervision_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} supervises {self.supervisee}"
