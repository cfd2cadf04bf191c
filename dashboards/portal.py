"""The client's own page: links to it, and what it reads.

A portal link is a PORTAL AccessLink (care.links): 128 random bits, stored hashed. It lives
PORTAL_LINK_TTL (7 days) and is NOT consumed on opening, so the client can come back to their page,
refresh it or open it on another device until it expires; a new link can be sent at any time. It grants
"read this client's own page" and nothing else: no browsing session, no other client, no writes."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from care.audit import audit_record
from care.links import PORTAL_LINK_TTL, link_find, link_issue
from care.models import AccessLink, AuditEvent, Client, User
from dashboards import selectors


class PortalLinkError(ValueError):
    """The link can't be sent (e.g. the client has no email address)."""


def portal_link_issue(*, client: Client, ttl: dt.timedelta = PORTAL_LINK_TTL) -> str:
    """A fresh link to the client's own page; returns the raw token for reverse("portal", args=[token]).

    The check-in thank-you page calls this too, so the client can go straight to their trend."""
    _link, token, _code = link_issue(purpose=AccessLink.Purpose.PORTAL, client=client, ttl=ttl)
    return token


def portal_url(token: str) -> str:
    return settings.SITE_URL + reverse("portal", args=[token])


@transaction.atomic
def portal_link_send(*, actor: User, client: Client) -> AccessLink:
    """Email the client a link to their own page, in their language, after the transaction commits."""
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


def portal_read(*, token: str) -> selectors.ClientPage | None:
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
        page = selectors.build_client_page(client, episodes)
    audit_record(
        actor=None, action=AuditEvent.Action.READ, obj=client, client=client, detail={"page": "portal"}
    )
    return page


def plain_trend(page: selectors.ClientPage) -> list[str]:
    """The client's trend in a few plain sentences, in the active language."""
    gettext = translation.gettext
    sentences = []
    totals = [
        (v.session.number, v.relationship_total) for v in page.sessions if v.relationship_total is not None
    ]
    if totals:
        first, last = totals[0][1], totals[-1][1]
        if len(totals) == 1:
            sentences.append(
                gettext("After your first rated session, you gave our work together %(v)s out of 40.")
                % {"v": f"{last:g}"}
            )
        elif last > first:
            sentences.append(
                gettext("How you rate our work together has gone up, from %(a)s to %(b)s out of 40.")
                % {"a": f"{first:g}", "b": f"{last:g}"}
            )
        elif last < first:
            sentences.append(
                gettext(
                    "How you rate our work together has gone down, from %(a)s to %(b)s out of 40. "
                    "Your clinician sees this too and may ask you about it."
                )
                % {"a": f"{first:g}", "b": f"{last:g}"}
            )
        else:
            sentences.append(
                gettext("How you rate our work together has stayed at %(v)s out of 40.") % {"v": f"{last:g}"}
            )
    for key, name in (("phq9.total", gettext("low mood")), ("gad7.total", gettext("worry and anxiety"))):
        values = [v.scores[key].value for v in page.sessions if key in v.scores]
        if len(values) > 1:
            if values[-1] < values[0]:
                sentences.append(
                    gettext("Your answers about %(what)s show less of it than when you started.")
                    % {"what": name}
                )
            elif values[-1] > values[0]:
                sentences.append(
                    gettext("Your answers about %(what)s show more of it than when you started.")
                    % {"what": name}
                )
            else:
                sentences.append(
                    gettext("Your answers about %(what)s are about the same as when you started.")
                    % {"what": name}
                )
    if not sentences:
        sentences.append(
            gettext("There is nothing to show yet: your trend appears after your first check-in.")
        )
    return sentences
