"""The clinic's signal settings, the clinician's wellbeing pulse and the supervisor's notes."""

from django.conf import settings
from django.db import models

from care.models import Clinic
from clinicians.models import Clinician, Supervision


class SignalSettings(models.Model):
    """A clinic's overrides of the indicators' default signal thresholds (supervision.signals)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="supervision_signals")
    overrides = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Supervision signals for {self.clinic}"


class PulseResponse(models.Model):
    """One week's wellbeing pulse of a clinician: private to them unless they share their pulse."""

    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="pulses")
    week_start = models.DateField(help_text="The Monday of the week it is about.")
    submitted_at = models.DateTimeField()
    # {instrument key: version} and {instrument key: {item key: value}}, as a client's check-in keeps them.
    instrument_versions = models.JSONField(default=dict)
    answers = models.JSONField(default=dict)
    # {"instrument.scale": value}: the burnout item, the pillar items and, monthly, the work scale.
    scores = models.JSONField(default=dict)
    burnout = models.PositiveSmallIntegerField(help_text="The single burnout item, 1 to 5.")

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["clinician", "week_start"], name="pulse_one_per_week"),
        ]

    def __str__(self) -> str:
        return f"Pulse of {self.clinician} for the week of {self.week_start}"


class SupervisionNote(models.Model):
    """What was said in one supervision meeting, with the indicators as they stood that day. Seen only
    by the supervisor who wrote it and the supervisee it is about."""

    supervision = models.ForeignKey(Supervision, on_delete=models.PROTECT, related_name="notes")
    met_on = models.DateField()
    text = models.TextField(max_length=5000)
    indicators = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-met_on", "-id"]

    def __str__(self) -> str:
        return f"Supervision note of {self.met_on}"
