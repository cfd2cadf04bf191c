"""Supervision in a real browser: a clinician's week and a supervisor's home, with axe at zero serious
or critical violations. With ATTUNE_SCREENSHOTS=1 the pages are saved at 390 and 1280 px."""

import pytest
from django.utils import timezone

from demo.supervision import seed_supervision_story
from tests.browser.conftest import screenshot, serious_accessibility_violations, sign_in
from tests.care.factories import ProgramFactory
from tests.clinicians.factories import SupervisorFactory
from tests.dashboards.factories import seed_caseload

pytestmark = pytest.mark.django_db(transaction=True)


def _shoot(page, name: str) -> None:
    screenshot(page, f"supervision-{name}", widths=(390, 1280))


def test_a_clinician_reads_their_week_answers_the_pulse_and_keeps_it_private(page, live_server, personas):
    # Given a clinician with a caseload
    seed_caseload(personas["owner"], clients=5, sessions=6, flag_every=2, prefix="M")
    sign_in(page, live_server, "owner")
    page.wait_for_url(f"{live_server.url}/caseload/**")

    # When they open their week from the menu
    page.get_by_role("navigation").get_by_role("link", name="My week").click()
    page.wait_for_url(f"{live_server.url}/supervision/my-week/")

    # Then each indicator is there, with its definition one click away, and the charts draw
    page.locator("#indicator-gap_days summary").click()
    definition = page.locator("#indicator-gap_days details")
    assert definition.get_attribute("open") is not None
    assert "median across the caseload" in definition.inner_text()
    page.wait_for_selector(".chart[data-drawn=true]")
    assert serious_accessibility_violations(page) == []
    _shoot(page, "my-week")

    # When they answer the pulse
    page.get_by_role("link", name="Answer the pulse").click()
    page.get_by_label("I am under some strain, but I am coping.").check()
    for name in ("readiness", "regimen", "reliability", "relationship"):
        page.locator(f"input[name='pulse.{name}'][value='7']").check(force=True)
    for fieldset in page.locator("fieldset").all():
        radios = fieldset.locator("input[type=radio][name^='cbi_work.']")
        if radios.count():
            radios.nth(2).check(force=True)
    assert serious_accessibility_violations(page) == []
    _shoot(page, "pulse")
    page.get_by_role("button", name="Save my pulse").click()

    # Then they are back on their week, the pulse is theirs alone until they choose to share it
    page.wait_for_url(f"{live_server.url}/supervision/my-week/")
    assert page.get_by_text("burnout 2 of 5").is_visible()
    assert page.get_by_text("Your pulse is private to you.").is_visible()


def test_a_supervisor_sees_who_needs_attention_first_and_opens_their_trends(page, live_server, clinic):
    # Given supervisor1's team from the demo story: one over target and drifting, one steady, one new
    ProgramFactory(clinic=clinic)
    SupervisorFactory(user__clinic=clinic, user__username="supervisor1", caseload_target=12)
    seed_supervision_story(clinic, now=timezone.now(), clients=100, evaluate=False)
    sign_in(page, live_server, "supervisor1")
    page.wait_for_url(f"{live_server.url}/supervision/")

    # Then the supervisee who needs attention comes first, with words as well as colours
    cards = page.locator("section.supervisee h2")
    assert cards.first.inner_text() == "Jordan Reyes"
    first = page.locator("section.supervisee").first
    assert "Needs attention" in first.inner_text()
    assert "Shared pulse" in first.inner_text()  # Jordan shares; Priya's pulse stays private
    assert "burnout 1 of 5" not in page.content()
    assert "needs at least 5 people" in page.content()
    assert serious_accessibility_violations(page) == []
    _shoot(page, "home")

    # When they open Jordan's trends
    first.get_by_role("link", name="Jordan Reyes").click()
    page.wait_for_selector(".chart[data-drawn=true]")
    assert page.get_by_role("heading", name="Supervision notes").is_visible()
    assert serious_accessibility_violations(page) == []
    _shoot(page, "supervisee")

    # And the team's funnel plots, with the minimum-n wording for the new clinician
    page.goto(f"{live_server.url}/supervision/funnels/")
    page.wait_for_selector(".chart[data-drawn=true]")
    assert "Sam Okafor" in page.locator("body").inner_text()
    assert serious_accessibility_violations(page) == []
    _shoot(page, "funnels")
