"""The clinic admin's settings pages in a real browser: an invited clinician signs up from the emailed
link (read in the demo mailbox) and lands on an empty caseload; a threshold change makes a flag appear
on the next evaluation; every settings page is accessible and readable at 390 and 1280 px."""

import pytest

from care.models import User
from risk.models import Flag
from tests.alliance.factories import rel
from tests.browser.conftest import screenshot, serious_accessibility_violations, sign_in
from tests.care.factories import EpisodeFactory, ProgramFactory, SessionFactory
from tests.checkin.factories import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SETTINGS = "/clinic/settings"


@pytest.fixture
def demo_mail(settings, live_server):
    settings.DEMO = True
    settings.SITE_URL = live_server.url
    settings.MAILERS = {"default": {"BACKEND": "demo.mail.MailboxBackend"}}


def test_an_invited_clinician_signs_up_from_the_emailed_link(page, live_server, personas, demo_mail):
    # Given the clinic admin on the people page
    sign_in(page, live_server, "admin")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Clinic settings").get_by_role("link", name="People").click()
    assert page.get_by_role("heading", name="People", exact=True).is_visible()
    # When they invite a new clinician
    page.get_by_label("Email address").fill("robin@example.org")
    page.get_by_label("Role").select_option("clinician")
    page.get_by_role("button", name="Send the invitation").click()
    page.get_by_text("Invitation sent to robin@example.org").wait_for()
    assert page.get_by_role("link", name="robin@example.org").is_visible()
    assert page.get_by_text("Invited", exact=True).is_visible()
    # Then the email is in the demo mailbox, and its link opens the sign-up page
    page.goto(f"{live_server.url}/demo/mailbox/")
    page.get_by_role("link", name="Your invitation to Attune at Riverside").click()
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Open it as the client would").click()
    signup = opened.value
    signup.wait_for_load_state()
    assert signup.get_by_role("heading", name="Join Attune").is_visible()
    assert serious_accessibility_violations(signup) == []
    screenshot(signup, "settings-signup", widths=(390, 1280))
    # A password the validators refuse first: a clear message, what was typed kept
    signup.get_by_label("First name").fill("Robin")
    signup.get_by_label("Last name").fill("Rivera")
    signup.get_by_label("Username").fill("rrivera")
    signup.get_by_label("Password", exact=True).fill("short")
    signup.get_by_label("Password again").fill("short")
    signup.get_by_role("button", name="Sign up").click()
    assert signup.get_by_text("This password is too short").is_visible()
    assert signup.get_by_label("Username").input_value() == "rrivera"
    # And with a good one, the new clinician lands on their empty caseload
    signup.get_by_label("Password", exact=True).fill("a calm lake at dawn 42")
    signup.get_by_label("Password again").fill("a calm lake at dawn 42")
    signup.get_by_role("button", name="Sign up").click()
    assert signup.get_by_role("heading", name="Your caseload").is_visible()
    assert signup.get_by_text("No open episodes on your caseload.").is_visible()
    assert signup.get_by_text("Robin Rivera · Clinician").is_visible()
    assert User.objects.get(username="rrivera").is_active


def test_the_admin_changes_a_threshold_and_a_flag_appears(page, live_server, personas):
    # Given a clinic whose cutoff is 80% (32 of 40) and a client who rated their session 34 of 40
    clinic = personas["clinic"]
    clinic.risk_thresholds = {"relationship.low_total": {"fraction": 0.8}}
    clinic.save(update_fields=["risk_thresholds"])
    episode = EpisodeFactory(clinician=personas["owner"])
    submit(
        SessionFactory(episode=episode, number=1), rel(heard=9, goals=9, approach=8, overall=8), evaluate=True
    )
    assert not Flag.objects.filter(episode=episode).exists()
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/clinic/")
    assert page.locator(".figures div", has_text="Active flags").locator("dd").inner_text() == "0"
    # When the admin types a cutoff out of range, they are told so and nothing is saved
    page.goto(f"{live_server.url}{SETTINGS}/thresholds/")
    cutoff = page.locator("#t-relationship-low-total-fraction")
    assert cutoff.input_value() == "0.8"
    cutoff.fill("1.5")
    page.get_by_role("button", name="Save the thresholds").click()
    assert (
        page.locator("#t-relationship-low-total-fraction-error").inner_text() == "Enter a number from 0 to 1."
    )
    # the summary at the top links to the field
    page.get_by_role(
        "link", name="Alliance total below 90% of its maximum › Cutoff, as a fraction of the maximum"
    ).click()
    assert page.evaluate("document.activeElement.id") == "t-relationship-low-total-fraction"
    assert page.locator("#t-relationship-low-total-fraction").input_value() == "1.5"
    assert serious_accessibility_violations(page) == []
    screenshot(page, "settings-thresholds-error", widths=(390, 1280))
    # Then with 0.9 (36 of 40) it is saved and the open episodes are evaluated again
    page.locator("#t-relationship-low-total-fraction").fill("0.9")
    page.get_by_role("button", name="Save the thresholds").click()
    page.get_by_text("Saved the risk thresholds. 3 open episodes are evaluated again with them.").wait_for()
    page.goto(f"{live_server.url}/clinic/")
    assert page.locator(".figures div", has_text="Active flags").locator("dd").inner_text() == "1"
    flag = Flag.objects.get(episode=episode)
    assert flag.rule == "relationship.low_total"


@pytest.mark.parametrize(
    ("path", "name", "heading"),
    [
        ("/", "settings-index", "Clinic settings"),
        ("/people/", "settings-people", "People"),
        ("/people/{colleague}/", "settings-person", None),
        ("/supervision/", "settings-supervision", "Supervision"),
        ("/programs/", "settings-programs", "Programs"),
        ("/clinic/", "settings-clinic", "Riverside"),
        ("/instruments/", "settings-measures", "Measures by program"),
        ("/thresholds/", "settings-thresholds", "Risk thresholds"),
    ],
)
def test_each_settings_page_is_accessible_at_phone_and_desktop_widths(
    page, live_server, personas, path, name, heading
):
    ProgramFactory(clinic=personas["clinic"], name="Adults")
    ProgramFactory(clinic=personas["clinic"], name="Couples and families")
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}{SETTINGS}{path.format(colleague=personas['colleague'].user_id)}")
    if heading:
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    assert serious_accessibility_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert serious_accessibility_violations(page) == []
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} scrolls sideways on a phone by {overflow}px"
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, name, widths=(390, 1280))
