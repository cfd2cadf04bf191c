"""Template context for demo mode: where the demo mailbox is, so the menu can link to it ("" when the
mailbox is off or its URLs are not installed, as with production settings)."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


def demo_mode(request: HttpRequest) -> dict[str, str]:
    if not getattr(settings, "DEMO", False):
        return {"demo_mailbox_url": ""}
    try:
        return {"demo_mailbox_url": reverse("demo-mailbox")}
    except NoReverseMatch:
        return {"demo_mailbox_url": ""}
