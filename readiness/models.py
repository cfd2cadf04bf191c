"""What the clinic records about readiness: the client's goals in their own words, and intake readiness."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Goal(models.Model):
    """A goal in the client's words. A goal the client does not endorse is an early-risk signal."""

    episode = models.ForeignKey("care.Episode", on_delete=models.CASCADE, related_name="goals")
    text = models.TextField(help_text="In the client's own words.")
    endorsed_by_client = models.BooleanField(
        null=True, blank=True, help_text="Did the client say this is their goal? Empty until asked."
    )
    set_on = models.DateField()
    achieved_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["episode", "set_on", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class IntakeReadiness(models.Model):
    """Readiness as assessed at intake: importance and confidence rulers (0–10) and stage of change."""

    episode = models.OneToOneField("care.Episode", on_delete=models.CASCADE, related_name="intake_readiness")
    importance = models.PositiveSmallIntegerField()
    confidence = models.PositiveSmallIntegerField()
    stage = models.PositiveSmallIntegerField(help_text="1 precontemplation … 5 maintenance")
    recorded_on = models.DateField()

    class Meta:
        ordering = ["episode"]
        constraints = [
            models.CheckConstraint(
                condition=Q(importance__lte=10, confidence__lte=10, stage__gte=1, stage__lte=5),
                name="intake_readiness_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Intake readiness for episode {self.episode_id}"
