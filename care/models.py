"""The spine every pillar shares: clinic, programs, staff, clients, episodes, sessions, check-ins, scores,
client links and audit."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, default="America/New_York")
    crisis_instructions = models.TextField(
        help_text="Shown to a client at once when an answer suggests they may be at risk.",
    )
    crisis_instructions_es = models.TextField(
        blank=True, help_text="The same instructions in Spanish (English is shown when this is empty)."
    )
    crisis_phone = models.CharField(
        max_length=64, blank=True, help_text="The clinic's crisis line, shown beside the crisis text."
    )
    # Languages a client may choose for check-ins and their own page; English is always offered.
    languages = models.JSONField(default=list, blank=True, help_text='e.g. ["en", "es"]')
    require_two_factor = models.BooleanField(
        default=True, help_text="Staff must sign in with a second factor (the demo clinic turns this off)."
    )
    checkin_link_ttl_hours = models.PositiveIntegerField(default=96)
    checkin_reminder_after_hours = models.PositiveIntegerField(default=48)
    flag_stale_after_hours = models.PositiveIntegerField(default=48)
    # Overrides of risk-rule thresholds, keyed by rule id; see README "Risk rules".
    risk_thresholds = models.JSONField(default=dict, blank=True)
    # Which outcome measures go into a check-in and how often, e.g. {"phq9": 4, "gad7": 4}.
    measure_schedule = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="programs")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["clinic", "name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "name"], name="program_unique_name")]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff. Clients are not users: they reach Attune through single-purpose links."""

    class Role(models.TextChoices):
        CLINICIAN = "clinician", _("Clinician")
        SUPERVISOR = "supervisor", _("Supervisor")
        ADMIN = "admin", _("Clinic admin")

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="staff")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLINICIAN)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Client(models.Model):
    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        SPANISH = "es", "Español"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="clients")
    reference = models.CharField(
        max_length=32, help_text="Pseudonymous reference used in reports and exports."
    )
    # The client's id in the clinic's own record system (EHR), for integrations; blank when none.
    external_id = models.CharField(max_length=64, blank=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    preferred_language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    date_of_birth = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "reference"], name="client_unique_reference"),
            models.UniqueConstraint(
                fields=["clinic", "external_id"],
                condition=~Q(external_id=""),
                name="client_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Episode(models.Model):
    """One course of care: a client with one clinician in one program."""

    class EndReason(models.TextChoices):
        # Stored values predate the report names: mutual = planned ending, client_stopped = dropout.
        MUTUAL = "mutual", _("Planned ending (mutual agreement)")
        CLIENT_STOPPED = "client_stopped", _("Dropout: client stopped attending")
        TRANSFERRED = "transferred", _("Transferred to another clinician")
        # The outcome measures exclude these (NQF 0710/0711, HEDIS DRR-E): see docs/reports.md.
        DIED = "died", _("Client died")
        HOSPICE = "hospice", _("Moved to hospice or palliative care")

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="episodes")
    clinician = models.ForeignKey("clinicians.Clinician", on_delete=models.PROTECT, related_name="episodes")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="episodes")
    payer = models.CharField(max_length=100, blank=True, help_text="The health plan paying for this episode.")
    external_id = models.CharField(
        max_length=64, blank=True, help_text="The episode's id in the clinic's EHR."
    )
    referred_on = models.DateField(null=True, blank=True, help_text="When the referral reached the clinic.")
    intake_on = models.DateField(null=True, blank=True, help_text="The intake assessment's date.")
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)
    # The episode's own outbox for the risk engine: set (if empty) in the same transaction as any event
    # the engine should look at, cleared by the evaluation. A sweep re-queues rows left set too long.
    evaluation_due_at = models.DateTimeField(null=True, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "id"]
        indexes = [
            models.Index(fields=["clinician", "closed_on"]),
            models.Index(fields=["external_id"], condition=~Q(external_id=""), name="episode_external_id"),
            models.Index(
                fields=["evaluation_due_at"],
                condition=Q(evaluation_due_at__isnull=False),
                name="episode_evaluation_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, end_reason="")
                | Q(closed_on__isnull=False, closed_on__gte=F("opened_on")) & ~Q(end_reason=""),
                name="episode_closed_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(referred_on__isnull=True)
                | Q(intake_on__isnull=True)
                | Q(intake_on__gte=F("referred_on")),
                name="episode_intake_after_referral",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} with {self.clinician} from {self.opened_on}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class Session(models.Model):
    """A therapy session within an episode."""

    class Attendance(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        ATTENDED = "attended", _("Attended")
        LATE_START = "late_start", _("Attended, late start")
        NO_SHOW = "no_show", _("No-show")
        CANCELLED_BY_CLIENT = "cancelled_client", _("Cancelled by client")
        CANCELLED_BY_CLINICIAN = "cancelled_clinician", _("Cancelled by clinician")
        RESCHEDULED_BY_CLINICIAN = "rescheduled_clinician", _("Rescheduled by clinician")

    ATTENDED_STATES = frozenset({Attendance.ATTENDED, Attendance.LATE_START})
    CLINICIAN_INITIATED = frozenset({Attendance.CANCELLED_BY_CLINICIAN, Attendance.RESCHEDULED_BY_CLINICIAN})

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(help_text="1 for the first session of the episode.")
    scheduled_start = models.DateTimeField()
    scheduled_end = models.DateTimeField()
    attendance = models.CharField(max_length=24, choices=Attendance.choices, default=Attendance.SCHEDULED)
    late_minutes = models.PositiveSmallIntegerField(default=0)
    next_session_booked = models.BooleanField(default=False)
    external_id = models.CharField(
        max_length=64, blank=True, help_text="The appointment's id in the clinic's EHR."
    )
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["episode", "number"]
        indexes = [
            models.Index(fields=["scheduled_start"]),
            models.Index(fields=["external_id"], condition=~Q(external_id=""), name="session_external_id"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["episode", "number"], name="session_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="session_number_positive"),
            models.CheckConstraint(
                condition=Q(scheduled_end__gt=F("scheduled_start")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(attendance="late_start", late_minutes__gt=0)
                | (~Q(attendance="late_start") & Q(late_minutes=0)),
                name="session_late_minutes_only_when_late",
            ),
        ]

    def __str__(self) -> str:
        return f"Session {self.number} of {self.episode}"

    @property
    def was_attended(self) -> bool:
        return self.attendance in self.ATTENDED_STATES


class CheckIn(models.Model):
    """The client's answers about one session. The row is its own outbox: `evaluated_at` is null
    until the risk engine has looked at it, and a periodic sweep re-queues any that were missed."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        OPENED = "opened", _("Opened")
        SUBMITTED = "submitted", _("Submitted")
        EXPIRED = "expired", _("Expired")

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="checkin")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=8, default="en")
    # {instrument key: version} used for this check-in; answers never get rewritten by a new version.
    instrument_versions = models.JSONField(default=dict)
    # {instrument key: content hash} of the exact definitions it was opened with (shipped or the clinic's);
    # validated, scored, shown and exported against those alone. Empty for check-ins from before pinning.
    instrument_hashes = models.JSONField(default=dict, blank=True)
    # {instrument key: {item key: value}}, validated strictly against those versions before it is stored.
    answers = models.JSONField(default=dict)
    evaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session"]
        indexes = [
            models.Index(
                fields=["submitted_at"], condition=Q(evaluated_at__isnull=True), name="checkin_unevaluated"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="submitted", submitted_at__isnull=False)
                | (~Q(status="submitted") & Q(submitted_at__isnull=True)),
                name="checkin_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in for {self.session}"


class Score(models.Model):
    """One scored scale of one instrument in one check-in (a total or a subscale)."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="scores")
    instrument = models.CharField(max_length=64)
    version = models.CharField(max_length=32)
    scale = models.CharField(max_length=64)
    value = models.FloatField()
    minimum = models.FloatField()
    maximum = models.FloatField()
    band = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["checkin", "instrument", "scale"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "instrument", "scale"], name="score_unique_scale"),
            models.CheckConstraint(
                condition=Q(value__gte=F("minimum"), value__lte=F("maximum")), name="score_within_range"
            ),
        ]
        indexes = [models.Index(fields=["instrument", "scale"])]

    def __str__(self) -> str:
        return f"{self.instrument}.{self.scale} = {self.value:g}"


class AuditEvent(models.Model):
    """Append-only record of staff reads and writes of client data (HIPAA §164.312(b))."""

    class Action(models.TextChoices):
        READ = "read", "read"
        CREATE = "create", "create"
        UPDATE = "update", "update"
        DELETE = "delete", "delete"
        EXPORT = "export", "export"
        # Refused access (a 404 on someone else's object, a 403, a lockout), summarised per actor and
        # kind so a crawler cannot flood the table.
        DENIED = "denied", "denied"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=200, help_text="Who acted, kept even if the user is renamed.")
    action = models.CharField(max_length=8, choices=Action.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client", "at"])]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"
        )


class AccessLink(models.Model):
    """A single-purpose link for a client: answer one check-in, or view their own page.

    Only a hash of the token is stored. A check-in link is consumed by one conditional UPDATE
    (`used_at IS NULL AND expires_at > now`), so a replay can never act twice."""

    class Purpose(models.TextChoices):
        CHECKIN = "checkin", _("Answer a check-in")
        PORTAL = "portal", _("See my own page")

    purpose = models.CharField(max_length=8, choices=Purpose.choices)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="access_links")
    checkin = models.ForeignKey(
        CheckIn, on_delete=models.CASCADE, null=True, blank=True, related_name="links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(
        max_length=64, blank=True, help_text="Hash of the short code typed on a clinic tablet."
    )
    # Made from a code typed on a shared tablet: its thank-you page never links to the client's own page.
    from_tablet = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["code_hash"], condition=~Q(code_hash=""), name="accesslink_code")]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose="checkin", checkin__isnull=False)
                | Q(purpose="portal", checkin__isnull=True),
                name="accesslink_checkin_purpose",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="accesslink_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link for client {self.client_id}"


class Tablet(models.Model):
    """A clinic tablet registered by the clinic's admin. Its browser keeps a long-lived signed cookie naming
    it, so wrong tablet codes are counted per tablet rather than per address (checkin.tablets)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="tablets")
    name = models.CharField(max_length=60)
    registered_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["clinic", "name", "id"]

    def __str__(self) -> str:
        return self.name
