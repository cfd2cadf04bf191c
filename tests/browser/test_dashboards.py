"""Dashboards in a real browser: the clinician's home and client page, and the client's own page.

With ATTUNE_SCREENSHOTS=1 the pages are saved at phone and desktop width under docs/screenshots/."""

import pytest

from dashboards.portal import portal_link_issue
from risk.models import Flag
from tests.browser.conftest import screenshot, serious_accessibility_violations, sign_in
from tests.dashboards.factories import seed_caseload

pytestmark = pytest.mark.django_db(transaction=True)


def _shoot(page, name: str) -> None:
    screenshot(page, f"dashboards-{name}", widths=(390, 1280))


def _charts_drawn(page) -> int:
    page.wait_for_selector(".chart[data-drawn=true]")
    return page.evaluate(
        "Array.from(document.querySelectorAll('.chart')).filter(el => el.data && el.data.length &&"
        " el.data.some(t => (t.x || []).length > 0)).length"
    )


def test_clinician_sees_flagged_client_opens_their_page_and_the_charts_render(page, live_server, personas):
    # Given a clinician with a caseload, one client flagged red
    episodes = seed_caseload(personas["owner"], clients=6, sessions=10, flag_every=3, prefix="W")
    flagged = episodes[0].client
    sign_in(page, live_server, "owner")
    page.wait_for_url(f"{live_server.url}/caseload/**")

    # When they filter to flagged clients
    page.get_by_label("Flagged only").check()
    page.wait_for_url("**flagged=1**")

    # Then the flagged client is there, with a reason on the pillar chip and in the inbox
    row = page.locator("tbody tr", has_text=str(flagged))
    assert row.count() == 1
    assert "Act now" in row.inner_text()
    assert page.locator("tbody tr").count() == 2  # episodes 0 and 3 of 6 carry flags
    assert serious_accessibility_violations(page) == []
    _shoot(page, "caseload")

    # When they open the client's page
    row.get_by_role("link", name=str(flagged)).click()
    page.wait_for_url(f"{live_server.url}/clients/{flagged.pk}/")

    # Then every chart is drawn with data, and the page is accessible
    assert _charts_drawn(page) == 5
    assert page.get_by_role("heading", name="What isn't").is_visible()
    assert serious_accessibility_violations(page) == []
    _shoot(page, "client")

    # When they acknowledge the red flag and record a repair, without leaving the page
    card = page.locator("[data-flag-card]", has_text="cancelled by the clinician")
    card.get_by_role("button", name="Acknowledge").click()
    card = page.locator("[data-flag-card]", has_text="cancelled by the clinician")
    card.get_by_text("Acknowledged. Record what you did").wait_for()
    card.get_by_text("Record a repair").click()
    card.get_by_label("What did you do about it, and when?").fill("Agreed a fixed Tuesday 10:00 slot.")
    card.get_by_role("button", name="Save repair").click()
    page.locator("[data-flag-card]", has_text="Agreed a fixed Tuesday 10:00 slot.").wait_for()

    # Then the flag's state is saved, and the page was never reloaded (the charts are still drawn)
    flag = Flag.objects.get(episode=episodes[0], rule="clinician_cancellations")
    assert flag.status == Flag.Status.REPAIR_RECORDED and flag.repair_note.startswith("Agreed a fixed")
    assert page.locator(".chart[data-drawn=true]").count() == 5

    # And the plan page, reached from the client page, shows the revision history with its form
    page.goto(f"{live_server.url}/episodes/{episodes[0].pk}/plan/")
    assert page.get_by_label("Diagnosis (ICD-10 code)").input_value() == "F33.1"
    assert serious_accessibility_violations(page) == []
    _shoot(page, "plan")


def test_a_client_opens_their_own_page_from_a_link(page, live_server, personas):
    # Given a client with a history, and a link to their page
    episode = seed_caseload(personas["owner"], clients=1, sessions=6, flag_every=1, prefix="P")[0]
    token = portal_link_issue(client=episode.client)

    # When they open it (no password)
    page.goto(f"{live_server.url}/me/{token}/")

    # Then they see their own page, their charts and exactly what their clinician sees
    assert page.get_by_role("heading", level=1).inner_text() == f"Hello, {episode.client.given_name}"
    assert page.get_by_role("heading", name="Exactly what your clinician sees").is_visible()
    # (drawn on the server as SVG, with no charting script: dashboards.svg_charts)
    assert page.locator("figure.svgc svg[role=img]").count() >= 6  # four relationship panels, and more
    assert page.locator("script").count() == 0
    assert str(personas["colleague_episode"].client) not in page.content()
    assert serious_accessibility_violations(page) == []
    _shoot(page, "portal")

    # And a link that doesn't exist gets a kind page, not an error
    page.goto(f"{live_server.url}/me/not-a-real-token/")
    assert page.get_by_role("heading", level=1).inner_text() == "This link doesn't work"
    assert serious_accessibility_violations(page) == []
    _shoot(page, "portal-link-problem")
