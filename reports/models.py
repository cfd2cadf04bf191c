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


class ReportJob(models.Model):
    """One export of a clinic's report, run in the background (reports.jobs): its progress, its file and
    when that file goes away. Scheduled monthly reports are jobs without a requester."""

    class Kind(models.TextChoices):
        SUMMARY = "summary", "Summary"  # one row per measure
        RECORDS = "records", "Records"  # one row per session

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"
        PDF = "pdf", "PDF"
        FHIR = "fhir", "FHIR R4 (JSON)"

    class Level(models.TextChoices):
        DEIDENTIFIED = "deidentified", "De-identified"
        LIMITED = "limited", "Limited data set"
        IDENTIFIED = "identified", "Identified"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        "care.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    format = models.CharField(max_length=8, choices=Format.choices)
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.DEIDENTIFIED)
    reason = models.TextField(blank=True)
    params = models.JSONField(default=dict, help_text="ReportFilters.as_params() of the report exported.")
    scheduled = models.BooleanField(default=False, help_text="Made by the monthly schedule.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    file_path = models.CharField(max_length=300, blank=True, help_text="Under REPORTS_EXPORT_DIR.")
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "-created_at"]),
            models.Index(fields=["expires_at"]),
        ]
        permissions = [
            ("export_limited", "Can export a limited data set (dates kept)"),
            ("export_identified", "Can export identified client records"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.format} export {self.pk} of clinic {self.clinic_id}"


class ReportSchedule(models.Model):
    """A clinic's monthly report, made on the 1st and emailed (as a link) to the clinic's admins."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=8, choices=ReportJob.Format.choices, default=ReportJob.Format.PDF)
    created_by = models.ForeignKey(
        "care.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(default=True)
    last_month_sent = models.DateField(
        null=True, blank=True, help_text="The first day of the month reported."
    )

    def __str__(self) -> str:
        return f"Monthly report of clinic {self.clinic_id}"
