"""Flags: explained early-alliance risk (and safety) findings on an episode, with their history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Flag(models.Model):
    """An explained early-alliance risk (or safety) flag on an episode.

    One active flag per pillar per episode: every finding of the pillar's rules merges into it
    (risk.intents), so the clinician acknowledges, repairs and resolves once. `rule` is the leading
    finding's rule (the highest level, then registry order), which gives the flag its title."""

    class Level(models.TextChoices):
        RED = "red", _("Red")
        AMBER = "amber", _("Amber")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        REPAIR_RECORDED = "repair_recorded", _("Repair recorded")
        RESOLVED = "resolved", _("Resolved")

    ACTIVE_STATES = frozenset({Status.OPEN, Status.ACKNOWLEDGED, Status.REPAIR_RECORDED})

    episode = models.ForeignKey("care.Episode", on_delete=models.CASCADE, related_name="flags")
    session = models.ForeignKey(
        "care.Session", on_delete=models.SET_NULL, null=True, blank=True, related_name="flags"
    )
    rule = models.CharField(max_length=64)
    rule_version = models.CharField(max_length=16)
    pillar = models.CharField(max_length=32)
    level = models.CharField(max_length=8, choices=Level.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    # [{"text": plain-language reason, "evidence": {...}}] — see risk.schemas.FlagReason: every
    # finding's reasons, in the order of `findings`.
    reasons = models.JSONField(default=list)
    # [{"rule", "version", "level", "session_id", "reasons", "suggested_action"}]: one per rule that
    # found something (risk.intents.stored_findings reads flags from before the merge too).
    findings = models.JSONField(default=list, blank=True)
    # Rules whose findings arrived after the clinician acknowledged: the flag re-opened for them.
    new_findings = models.JSONField(default=list, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    suggested_action = models.TextField()
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    repair_note = models.TextField(blank=True)
    repair_recorded_at = models.DateTimeField(null=True, blank=True)
    repair_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(blank=True)
    stale_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was marked unacknowledged for too long."
    )
    digest_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the clinician's email digest last mentioned it."
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["episode", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "pillar"],
                condition=~Q(status="resolved"),
                name="flag_one_active_per_pillar",
            ),
            models.CheckConstraint(
                condition=Q(status="resolved", resolved_at__isnull=False)
                | (~Q(status="resolved") & Q(resolved_at__isnull=True)),
                name="flag_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.rule} on episode {self.episode_id}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATES

    @property
    def is_reopened(self) -> bool:
        """Open again with findings that came after the clinician acknowledged it."""
        return self.status == self.Status.OPEN and bool(self.new_findings)


class FlagEvent(models.Model):
    """The history of a flag: raised, updated with new evidence, acknowledged, repaired, resolved."""

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=32)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"
