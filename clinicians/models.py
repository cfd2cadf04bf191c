"""Clinicians, supervision relationships and the clinicians' own side of the pillars."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from care.models import Clinic, Program


class Clinician(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clinician")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="clinicians")
    programs = models.ManyToManyField(Program, related_name="clinicians", blank=True)
    caseload_target = models.PositiveSmallIntegerField(default=25)
    credentials = models.CharField(max_length=64, blank=True, help_text="e.g. LCSW, PsyD")
    # Declared working hours, in the clinic's time zone: a session outside them counts as after-hours.
    workday_start = models.TimeField(default=dt.time(9, 0))
    workday_end = models.TimeField(default=dt.time(17, 0))
    work_days = models.CharField(
        max_length=7,
        default="12345",
        validators=[RegexValidator(r"^[1-7]{1,7}$", "ISO weekdays as digits: 1 = Monday … 7 = Sunday.")],
        help_text="ISO weekdays worked, as digits: 12345 = Monday to Friday.",
    )
    fte = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.10")), MaxValueValidator(Decimal("1.00"))],
        help_text="Full-time equivalent: sessions per week are read per FTE.",
    )
    # The wellbeing pulse is private to the clinician unless they choose to share it with their supervisor.
    pulse_shared = models.BooleanField(default=False)

    class Meta:
        ordering = ["user__last_name", "user__first_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(workday_end__gt=F("workday_start")), name="clinician_workday_ends_after_start"
            ),
        ]

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
