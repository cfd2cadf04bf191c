"""The treatment plan. Every change is a new revision: the plan's history is never rewritten."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PlanRevision(models.Model):
    class Modality(models.TextChoices):
        CBT = "cbt", _("CBT")
        DBT = "dbt", _("DBT")
        EMDR = "emdr", _("EMDR")
        ACT = "act", _("ACT")
        PSYCHODYNAMIC = "psychodynamic", _("Psychodynamic")
        IPT = "ipt", _("Interpersonal therapy")
        COUPLES = "couples", _("Couples therapy")
        FAMILY = "family", _("Family therapy")
        SUPPORTIVE = "supportive", _("Supportive counselling")
        OTHER = "other", _("Other")

    class Frequency(models.TextChoices):
        TWICE_WEEKLY = "twice_weekly", _("Twice a week")
        WEEKLY = "weekly", _("Weekly")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Monthly")
        AS_NEEDED = "as_needed", _("As needed")

    class Container(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        GROUP = "group", _("Group")
        FAMILY = "family", _("Family")
        COUPLE = "couple", _("Couple")

    episode = models.ForeignKey("care.Episode", on_delete=models.CASCADE, related_name="plan_revisions")
    number = models.PositiveSmallIntegerField(help_text="1 for the first plan; each change adds one.")
    diagnosis_code = models.CharField(max_length=8, help_text="ICD-10-CM code, e.g. F33.1")
    diagnosis_label = models.CharField(max_length=200)
    modality = models.CharField(max_length=16, choices=Modality.choices)
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    container = models.CharField(max_length=16, choices=Container.choices)
    note = models.TextField(blank=True, help_text="Why the plan changed.")
    revised_at = models.DateTimeField()
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["episode", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "number"], name="plan_revision_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="plan_revision_number_positive"),
        ]

    def __str__(self) -> str:
        return f"Plan v{self.number} for episode {self.episode_id}"
