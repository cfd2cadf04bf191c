"""Pre-aggregated tables the report figures are read from.

`EpisodeFact` holds, per episode, what every measure needs (scores at the windows the definitions name,
session counts, flags); `EpisodeMonth` holds the per-month counts that session-level measures add up.
Both are rebuilt by reports.facts.refresh, batch by batch: a row is only ever replaced whole, so a fill
that stops half-way leaves every row either old or new, never torn, and running it again is harmless."""

from django.db import models

from care.models import Clinic, Episode, Program


class EpisodeFact(models.Model):
    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, primary_key=True, related_name="+")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    clinician = models.ForeignKey("clinicians.Clinician", on_delete=models.CASCADE, related_name="+")
    payer = models.CharField(max_length=100, blank=True)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True)
    end_reason = models.CharField(max_length=16, blank=True)
    referred_on = models.DateField(null=True)
    intake_on = models.DateField(null=True)
    age_at_start = models.PositiveSmallIntegerField(null=True)
    # Major depression or dysthymia on any plan revision (ICD-10-CM F32, F33, F34.1).
    depression = models.BooleanField(default=False)
    # Why the outcome measures leave this episode out ("" when they don't): reports.diagnoses.
    exclusion = models.CharField(max_length=32, blank=True)

    attended_sessions = models.PositiveIntegerField(default=0)
    first_attended_on = models.DateField(null=True)
    last_attended_on = models.DateField(null=True)
    # From the referral (the intake when no referral date is recorded) to the first attended session.
    days_to_first_session = models.PositiveIntegerField(null=True)
    # Ended before session 4: closed as a dropout, or no attended session for 30 days and nothing booked.
    dropped_early = models.BooleanField(default=False)
    ended_on = models.DateField(null=True, help_text="Closed, or lapsed 30 days after the last attendance.")
    flagged_early = models.BooleanField(default=False, help_text="A flag raised on sessions 1–3.")
    relationship_flags = models.PositiveIntegerField(default=0)
    repairs_recovered = models.PositiveIntegerField(default=0)

    phq9_first = models.FloatField(null=True)
    phq9_first_on = models.DateField(null=True)
    phq9_last = models.FloatField(null=True)
    phq9_last_on = models.DateField(null=True)
    phq9_count = models.PositiveSmallIntegerField(default=0)
    # The latest PHQ-9 inside each measure's window after the index (first) score; null when none.
    phq9_at_6m = models.FloatField(null=True)
    phq9_at_12m = models.FloatField(null=True)
    phq9_hedis = models.FloatField(null=True)
    gad7_first = models.FloatField(null=True)
    gad7_first_on = models.DateField(null=True)
    gad7_last = models.FloatField(null=True)
    gad7_last_on = models.DateField(null=True)
    gad7_count = models.PositiveSmallIntegerField(default=0)

    window_days = models.PositiveSmallIntegerField(help_text="The ± window the 6- and 12-month scores used.")
    built_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "phq9_first_on"]),
            models.Index(fields=["clinic", "opened_on"]),
            models.Index(fields=["clinic", "first_attended_on"]),
        ]

    def __str__(self) -> str:
        return f"Report facts for episode {self.episode_id}"


class EpisodeMonth(models.Model):
    """One episode's sessions in one calendar month (clinic time)."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="+")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    clinician = models.ForeignKey("clinicians.Clinician", on_delete=models.CASCADE, related_name="+")
    payer = models.CharField(max_length=100, blank=True)
    age_at_start = models.PositiveSmallIntegerField(null=True)
    month = models.DateField(help_text="The first day of the month.")
    attended_sessions = models.PositiveIntegerField(default=0)
    completed_checkins = models.PositiveIntegerField(default=0)
    relationship_rated = models.PositiveIntegerField(default=0)
    relationship_low = models.PositiveIntegerField(default=0)
    # Days from each attended session to the attended session before it, for gaps ending this month.
    gap_days = models.PositiveIntegerField(default=0)
    gaps = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["clinic", "month"])]
        constraints = [models.UniqueConstraint(fields=["episode", "month"], name="episode_month_unique")]

    def __str__(self) -> str:
        return f"Episode {self.episode_id} in {self.month:%Y-%m}"
