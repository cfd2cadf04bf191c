"""The client's own page: links to it, and what it reads.

A portal link is a PORTAL AccessLink (care.links): 128 random bits, stored hashed. It lives
PORTAL_LINK_TTL (7 days) and is NOT consumed on opening, so the client can come back to their page,
refresh it or open it on another device until it expires; a new link can be sent at any time. It grants
"read this client's own page" and nothing else: no browsing session, no other client, no writes."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString

from care.access import access_client, episodes_visible_to, may_write, require_write
from care.audit import audit_record
from care.links import PORTAL_LINK_TTL, link_find, link_issue
from care.models import AccessLink, AuditEvent, Client, Episode, User
from dashboards import svg_charts
from dashboards.client_page import ClientPage, build_client_page


class PortalLinkError(ValueError):
    """The link can't be sent (e.g. the client has no email address)."""


def portal_link_issue(*, client: Client, ttl: dt.timedelta = PORTAL_LINK_TTL) -> str:
    """A fresh link to the client's own page; returns the raw token for reverse("portal", args=[token]).

    The check-in thank-you page calls this too, so the client can go straight to their trend."""
    _link, token, _code = link_issue(purpose=AccessLink.Purpose.PORTAL, client=client, ttl=ttl)
    return token


def portal_url(token: str) -> str:
    return settings.SITE_URL + reverse("portal", args=[token])


def portal_episode(user: User, client_id: object) -> Episode:
    """The open episode a portal link is sent from: the one the user holds, else the newest they see
    (and portal_link_send refuses it). 404 for a client the user may not see."""
    client = access_client(user, client_id)
    episodes = list(
        episodes_visible_to(user)
        .filter(client=client, closed_on__isnull=True)
        .select_related("clinician")
        .order_by("-opened_on", "-id")
    )
    for episode in episodes:
        episode.client = client
    if not episodes:
        raise PermissionDenied("No open episode to send a link from.")
    return next((e for e in episodes if may_write(user, e)), episodes[0])


@transaction.atomic
def portal_link_send(*, actor: User, episode: Episode) -> AccessLink:
    """Email the client a link to their own page, in their language, after the transaction commits.
    Only the clinician who holds the episode sends it (a supervisor reads)."""
    require_write(actor, episode)
    client = episode.client
    if not client.email:
        raise PortalLinkError("This client has no email address on file.")
    link, token, _code = link_issue(purpose=AccessLink.Purpose.PORTAL, client=client, ttl=PORTAL_LINK_TTL)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=link,
        client=client,
        detail={"purpose": "portal", "sent_to": "email"},
    )
    url = portal_url(token)
    with translation.override(client.preferred_language):
        subject = translation.gettext("Your page at %(clinic)s") % {"clinic": client.clinic.name}
        body = render_to_string(
            "portal/link_email.txt",
            {"client": client, "url": url, "days": PORTAL_LINK_TTL.days, "clinic": client.clinic},
        )
    recipient = client.email
    transaction.on_commit(
        lambda: send_mail(subject, body, None, [recipient], fail_silently=False), robust=True
    )
    return link


def portal_read(*, token: str) -> ClientPage | None:
    """The client's own page for a live portal token, or None. Reads only that client's episodes."""
    link = link_find(purpose=AccessLink.Purpose.PORTAL, token=token)
    if link is None:
        return None
    client = link.client
    episodes = list(
        client.episodes.select_related("program", "clinician__user").order_by(
            "closed_on", "-opened_on", "-id"
        )
    )
    with translation.override(client.preferred_language):  # chart labels and sentences in their language
        page = build_client_page(client, episodes)  # no staff reader: the client's own page
    audit_record(
        actor=None, action=AuditEvent.Action.READ, obj=client, client=client, detail={"page": "portal"}
    )
    return page


def plain_trend(page: ClientPage) -> list[str]:
    """The client's trend in a few plain sentences, in the active language: each pillar's, then the
    outcome measures' (dashboards.summary.client_summary)."""
    return page.summary.lines or [
        translation.gettext("There is nothing to show yet: your trend appears after your first check-in.")
    ]


def portal_charts(page: ClientPage) -> SafeString:
    """The page's charts drawn on the server as SVG (dashboards.svg_charts), in the active language: a
    phone downloads no charting library. The staff pages draw the same figures with Plotly."""
    return svg_charts.draw(page.figures.values())
