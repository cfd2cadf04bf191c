"""The demo mailbox's one table: outgoing email kept for staff to open, in demo mode only."""

from django.db import models
from django.utils import timezone


class DemoMail(models.Model):
    """One message the demo would have sent. `client` (a message to a client) or `clinic` (to a member
    of staff) says who may read it; a message to anyone else is kept but shown to no one."""

    sent_at = models.DateTimeField(default=timezone.now)
    to = models.CharField(max_length=1000)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    client = models.ForeignKey(
        "care.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    clinic = models.ForeignKey(
        "care.Clinic", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
