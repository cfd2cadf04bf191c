"""Recovery codes: a django-otp device whose tokens are stored only as SHA-256 hashes.

django-otp's own static device keeps its tokens in plain text; these codes are 50 random bits each, so a
plain hash is enough to make a copy of the table useless, and each code is spent by one DELETE."""

from django.conf import settings
from django.db import models
from django_otp.models import Device

from care.links import hash_secret


class RecoveryCodeDevice(Device):
    """One set of recovery codes per person; issuing a new set replaces the old one."""

    # Device's own field, without a reverse accessor on User (the type checker can't follow the library's).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The user that this device belongs to.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def verify_token(self, token: object) -> bool:
        if not isinstance(token, str):
            return False
        code = normalise_recovery_code(token)
        if not code:
            return False
        # Single use, even for two requests racing with the same code: only one DELETE removes the row.
        deleted, _ = RecoveryCode.objects.filter(device=self, code_hash=hash_secret(code)).delete()
        return deleted > 0

    def remaining(self) -> int:
        return self.codes.count()


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "code_hash"], name="recovery_code_unique")]

    def __str__(self) -> str:
        return f"Recovery code {self.pk}"


def normalise_recovery_code(code: str) -> str:
    """Codes are shown as 'ABCDE-FGHJK'; accept them with or without the dash, in any case."""
    return "".join(ch for ch in code.upper() if ch.isalnum())[:32]
