"""The demo mailbox in a real browser: the check-in email a clinician's client was sent is there, and
its link opens the check-in as the client would see it; readable at 390 and 1280 px, accessible."""

import pytest

from checkin.services import checkin_open
from demo.models import DemoMail
from tests.browser.conftest import screenshot, serious_accessibility_violations, sign_in
from tests.care.factories import SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def emailed(personas, settings, live_server):
    """Demo mode: the owner's client attended session 1 and the check-in email went to the mailbox."""
    settings.DEMO = True
    settings.SITE_URL = live_server.url
    settings.MAILERS = {"default": {"BACKEND": "demo.mail.MailboxBackend"}}
    client = personas["owner_episode"].client
    client.email = "maya@example.org"
    client.save()
    checkin_open(session=SessionFactory(episode=personas["owner_episode"], number=1, attendance="attended"))
    return DemoMail.objects.get()


def test_the_mailbox_link_opens_the_check_in(page, live_server, emailed):
    # Given the client's clinician in the demo mailbox
    sign_in(page, live_server, "owner")
    page.goto(f"{live_server.url}/demo/mailbox/")
    assert page.get_by_role("heading", name="Demo mailbox").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "demo-mailbox", widths=(390, 1280))

    # When they open the check-in email
    page.get_by_role("link", name=emailed.subject).click()
    assert page.get_by_role("heading", name=emailed.subject).is_visible()
    assert page.get_by_text("maya@example.org").first.is_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "demo-mail", widths=(390, 1280))

    # Then its link opens the check-in form, as the client would see it
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Open it as the client would").click()
    form = opened.value
    form.wait_for_load_state()
    assert "/c/" in form.url
    assert form.get_by_role("heading", name="How was your session?").is_visible()
