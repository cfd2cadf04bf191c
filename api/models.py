"""The integration API's own tables: clinic API keys, idempotency records, webhook endpoints and their
deliveries, and schedule imports."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from care.models import Clinic


class ApiKey(models.Model):
    """A clinic's credential for its EHR. Only a SHA-256 hash of the secret is kept; `prefix` (the first
    characters, not secret) names the key on the page and in the audit log."""

    class Scope(models.TextChoices):
        SCHEDULE_WRITE = "schedule:write", _("Write clients, episodes and appointments")
        FLAGS_READ = "flags:read", _("Read flags")
        SCORES_READ = "scores:read", _("Read scores")
        FHIR_READ = "fhir:read", _("Read FHIR resources")

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    rate_per_minute = models.PositiveIntegerField(default=600)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # A rotated key keeps working until this moment, so the EHR can switch without downtime.
    expires_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces"
    )

    class Meta:
        ordering = ["clinic", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyRecord(models.Model):
    """The stored answer to a POST carrying an Idempotency-Key: replayed for the same key and body,
    refused (422) for the same key with another body. Kept for a day (api.tasks purges)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic", "key"], name="idempotency_unique_key")]

    def __str__(self) -> str:
        return f"{self.key} → {self.status_code}"


class WebhookEndpoint(models.Model):
    class Event(models.TextChoices):
        FLAG_RAISED = "flag.raised", "flag.raised"
        FLAG_RESOLVED = "flag.resolved", "flag.resolved"
        CHECKIN_COMPLETED = "checkin.completed", "checkin.completed"

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    # Needed in clear to sign each delivery; shown to the admin once, when the endpoint is added.
    secret = models.CharField(max_length=64)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["clinic", "id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "created_at"])]

    def __str__(self) -> str:
        return f"{self.event} to endpoint {self.endpoint_id}: {self.status}"


class ImportedAppointment(models.Model):
    """One CSV row committed by the schedule import, by the row's content hash: importing the same file
    again finds every row here and changes nothing."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    row_hash = models.CharField(max_length=64)
    session = models.ForeignKey("care.Session", on_delete=models.CASCADE, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "row_hash"], name="imported_appointment_unique_row"),
            models.CheckConstraint(condition=~Q(row_hash=""), name="imported_appointment_has_hash"),
        ]

    def __str__(self) -> str:
        return f"row {self.row_hash[:8]} → session {self.session_id}"
