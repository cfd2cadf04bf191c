"""What the clinic settings pages keep beyond the spine's own tables: sign-up invitations for new staff,
and the outcome measures each program switches on."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Invitation(models.Model):
    """A single-use sign-up link sent to a new member of staff.

    The invited user exists from the start (inactive, no usable password) so that the admin can set their
    caseload and programs before they sign up. Only a SHA-256 hash of the token is stored; the link is
    consumed by one conditional UPDATE (`used_at IS NULL AND expires_at > now`), like care.AccessLink."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="invitation_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for user {self.user_id}"
