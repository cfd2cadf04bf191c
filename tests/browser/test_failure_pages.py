"""Failure pages and the shared-tablet thank-you page in a real browser: readable at phone and desktop
widths, axe at zero serious or critical, the client's ones with the crisis text."""

import pytest
from django.core import mail
from django.core.management import call_command

from care.models import Session
from checkin.attendance import session_record_attendance
from checkin.services import checkin_link_resend
from tests.browser.conftest import screenshot, serious_accessibility_violations
from tests.care.factories import SessionFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.care.error_urls")]


@pytest.fixture(autouse=True)
def cache_table(transactional_db):
    call_command("createcachetable", verbosity=0)


@pytest.fixture
def session(personas):
    session = SessionFactory(
        episode=personas["owner_episode"], number=1, attendance=Session.Attendance.SCHEDULED
    )
    session_record_attendance(
        actor=personas["owner"].user, session=session, attendance=Session.Attendance.ATTENDED
    )
    return session


@pytest.mark.parametrize(
    ("path", "status", "heading", "name"),
    [
        ("/nowhere/", 404, "We can't find this page", "404"),
        ("/boom/crash/", 500, "Something went wrong on our side", "500"),
        ("/boom/busy/", 429, "Too many tries — please wait a little", "429"),
        ("/me/not-a-link/more/", 404, "We can't find this page", "client-404"),
    ],
)
def test_failure_pages_are_readable_and_accessible(page, live_server, path, status, heading, name):
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None and response.status == status
    page.get_by_role("heading", name=heading).wait_for()
    if path.startswith("/me/"):
        assert page.get_by_text("call your local emergency number").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, f"error-{name}", widths=(390, 1280))


def test_the_tablet_thanks_page_offers_email_and_says_hand_it_back(
    phone_page, live_server, personas, session
):
    page = phone_page
    _link, _t, code = checkin_link_resend(actor=personas["owner"].user, session=session, email=False)
    page.goto(f"{live_server.url}/c/")
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Start").tap()
    page.get_by_role("heading", name="How was your session?").wait_for()
    while True:
        step = page.locator("section.step:not([hidden])")
        for slider in step.locator("input.slider").all():
            slider.focus()
            page.keyboard.press("Home")
            page.keyboard.press("ArrowRight")
        for fieldset in step.locator("fieldset.q-choice:visible, fieldset.q-yesno:visible").all():
            fieldset.locator("label.choice").first.tap()
        if step.get_by_role("button", name="Send my answers").count():
            step.get_by_role("button", name="Send my answers").tap()
            break
        step.get_by_role("button", name="Next").tap()

    page.get_by_role("heading", name="Thank you").wait_for()
    assert page.get_by_text("It is safe to hand the tablet back now.").is_visible()
    assert page.locator("a[href*='/me/']").count() == 0
    assert serious_accessibility_violations(page) == []
    screenshot(page, "checkin-tablet-thanks", widths=(390, 1280))
    sent = len(mail.outbox)
    page.get_by_role("button", name="Email me the link to my own page").tap()
    page.get_by_text("We've emailed you the link to your own page.").wait_for()
    assert page.locator("a[href*='/me/']").count() == 0
    assert serious_accessibility_violations(page) == []
    screenshot(page, "checkin-tablet-emailed", widths=(390, 1280))
    assert len(mail.outbox) == sent + 1
