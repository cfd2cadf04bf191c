"""An email backend for demo mode: keep each outgoing message in the demo mailbox (demo.models.DemoMail)
instead of printing it among the server's log lines. config/settings.py picks it when DEMO is on."""

from django.core.mail.backends.base import BaseEmailBackend

from care.models import Client, User
from demo.models import DemoMail


class MailboxBackend(BaseEmailBackend):
    def send_messages(self, messages) -> int:
        kept = []
        for message in messages:
            recipients = list(message.recipients())
            client = Client.objects.filter(email__in=recipients).order_by("id").first()
            staff = None if client else User.objects.filter(email__in=recipients).order_by("id").first()
            kept.append(
                DemoMail(
                    to=", ".join(recipients)[:1000],
                    subject=str(message.subject)[:300],
                    body=str(message.body),  # Attune's emails are plain text
                    client=client,
                    clinic_id=client.clinic_id if client else (staff.clinic_id if staff else None),
                )
            )
        DemoMail.objects.bulk_create(kept)
        return len(kept)
