"""Email to the client outside the check-in link itself: the queued sender every check-in email uses, and
the link to the client's own page asked for on a shared tablet (never shown on the tablet)."""

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from care.audit import audit_record
from care.links import PORTAL_LINK_TTL, link_issue
from care.models import AccessLink, AuditEvent, CheckIn, Client


def send_to_client(client: Client, template: str, context: dict[str, Any]) -> None:
    """Queue an email to the client for after commit, in their own language. No health data in it."""
    language = client.preferred_language
    address = client.email
    context = {**context, "given_name": client.given_name, "clinic": client.clinic.name}

    def send() -> None:
        with translation.override(language):
            subject = render_to_string(f"{template}_subject.txt", context).strip()
            body = render_to_string(f"{template}_body.txt", context)
        send_mail(subject, body, None, [address])

    # robust: a mail server that is down must not undo the write that queued it.
    transaction.on_commit(send, robust=True)


def checkin_email_portal_link(*, checkin_id: int) -> CheckIn | None:
    """After a tablet check-in, the client asked for their own page by email instead: issue the link
    and send it to the address on file (never shown on the tablet). Returns the check-in, or None
    when there is no address or the check-in is not answered; nothing is written then."""
    checkin = (
        CheckIn.objects.select_related("session__episode__client__clinic")
        .filter(pk=checkin_id, status=CheckIn.Status.SUBMITTED)
        .first()
    )
    if checkin is None or not checkin.session.episode.client.email:
        return None
    client = checkin.session.episode.client
    # Once per check-in: the next person at the tablet pressing the button again sends nothing.
    if AccessLink.objects.filter(
        purpose=AccessLink.Purpose.PORTAL, client=client, created_at__gte=checkin.submitted_at
    ).exists():
        return checkin
    try:
        reverse("portal", args=["x"])
    except NoReverseMatch:
        return None  # the client's own page is not installed
    with transaction.atomic():
        link, token, _ = link_issue(purpose=AccessLink.Purpose.PORTAL, client=client, ttl=PORTAL_LINK_TTL)
        audit_record(
            actor=None,
            action=AuditEvent.Action.CREATE,
            obj=link,
            client=client,
            detail={"checkin": checkin.pk, "emailed": True},
        )
        url = f"{settings.SITE_URL}{reverse('portal', args=[token])}"
        send_to_client(client, "checkin/portal_email", {"url": url})
    return checkin
