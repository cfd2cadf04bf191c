"""The clinician's side of the relationship: their own rating of the session, and ruptures they noticed."""

from django.conf import settings
from django.db import models


class ClinicianRating(models.Model):
    """A clinician's 30-second rating of a session, on the same relationship items the client rates.

    `answers` holds {item key: value} validated against the `relationship` instrument at
    `instrument_version`, so client and clinician ratings compare item by item."""

    session = models.OneToOneField("care.Session", on_delete=models.CASCADE, related_name="clinician_rating")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField()
    instrument_version = models.CharField(max_length=32)
    answers = models.JSONField(default=dict)
    rupture_noticed = models.BooleanField(default=False)
    rupture_note = models.TextField(blank=True)

    class Meta:
        ordering = ["session"]

    def __str__(self) -> str:
        return f"Clinician rating of {self.session}"
