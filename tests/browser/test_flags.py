"""The flag inbox in a real browser: readable on a phone and a desktop, accessible, actions in place;
one flag per pillar on the inbox, the flag page, the caseload and the client's own page."""

import pytest
from django.urls import reverse

from dashboards.portal import portal_link_issue
from risk import engine as risk
from risk.models import Flag
from tests.alliance.factories import rel
from tests.browser.conftest import AXE, DESKTOP, PHONE, screenshot, serious_accessibility_violations, sign_in
from tests.care.factories import SessionFactory
from tests.checkin.factories import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str, width: int) -> None:
    screenshot(page, f"risk-{name}", widths=(width,))


def moderate_or_worse(page) -> list[dict]:
    """axe-core violations of moderate, serious or critical impact (the inbox and flag page allow none)."""
    serious_accessibility_violations(page)  # loads axe into the page
    result = page.evaluate("axe.run()")
    assert AXE.exists()
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in {"moderate", "serious", "critical"}
    ]


def relationship_flag(episode) -> Flag:
    """The one relationship flag: the low total, the low item, the drop and the rupture merged."""
    return Flag.objects.get(episode=episode, pillar="relationship")


@pytest.fixture
def flagged(personas):
    """The owner's client rated session 1 well and session 2 poorly, with a rupture in their words."""
    episode = personas["owner_episode"]
    submit(SessionFactory(episode=episode, number=1, days_ago=8), rel())
    submit(
        SessionFactory(episode=episode, number=2, days_ago=1),
        rel(heard=6, goals=7, overall=6, misunderstood=1, misunderstood_words="You moved on when I cried."),
    )
    risk.evaluate_episode(episode.pk)
    return episode


def test_inbox_reads_well_and_acknowledges_in_place(page, phone_page, live_server, flagged):
    sign_in(page, live_server, "owner")
    page.goto(f"{live_server.url}/flags/")
    # Given the inbox, every flag says why, with a next step and a way to the client's page
    assert page.get_by_role("heading", name="Your flags").is_visible()
    assert page.get_by_text("You moved on when I cried.").first.is_visible()
    assert (
        page.get_by_text("Suggested next step:").count() == Flag.objects.filter(episode=flagged).count() == 1
    )
    flag = relationship_flag(flagged)
    assert [f["rule"] for f in flag.findings] == [
        "relationship.low_total",
        "relationship.low_item",
        "relationship.drop",
        "relationship.rupture",
    ]
    assert flag.level == "red"  # 29 of 40, down from 40
    assert moderate_or_worse(page) == []
    shot(page, "inbox", DESKTOP["width"])

    # When the clinician acknowledges the relationship flag, once for all its findings
    card = page.locator(f"#flag-{flag.pk}")
    card.get_by_role("button", name="Acknowledge").click()
    # Then the card updates in place (no reload), and the database agrees
    card = page.locator("[data-flag-card]", has_text="You moved on when I cried.")
    card.get_by_text("Acknowledged. Record what you did").wait_for()
    assert relationship_flag(flagged).status == "acknowledged"

    # When they record the repair
    card.get_by_text("Record a repair").click()
    card.get_by_label("What did you do about it, and when?").fill(
        "Named the moment at the start of session 3."
    )
    card.get_by_role("button", name="Save repair").click()
    card = page.locator("[data-flag-card]", has_text="Named the moment at the start of session 3.")
    card.get_by_text("Repair recorded:").wait_for()
    assert relationship_flag(flagged).repair_note.startswith("Named")

    # And the page is usable on a phone
    sign_in(phone_page, live_server, "owner")
    phone_page.goto(f"{live_server.url}/flags/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone_page, "inbox", PHONE["width"])


def test_flag_detail_and_supervisor_view(page, live_server, personas, flagged):
    flag = relationship_flag(flagged)
    Flag.objects.filter(episode=flagged).update(stale_at=flag.opened_at)
    sign_in(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/flags/")
    assert page.get_by_role("heading", name="Unacknowledged too long — your supervisees").is_visible()
    assert serious_accessibility_violations(page) == []
    shot(page, "supervisor", DESKTOP["width"])
    page.goto(f"{live_server.url}/flags/{flag.pk}/")
    # A supervisor reads the flag and its history but has no buttons to act for the clinician
    assert page.get_by_role("heading", name="History").is_visible()
    assert page.get_by_role("button", name="Acknowledge").count() == 0
    assert page.get_by_role("heading", level=1).inner_text() == f"Relationship flag for {flagged.client}"
    assert moderate_or_worse(page) == []
    screenshot(page, "risk-detail", widths=(PHONE["width"], DESKTOP["width"]))


def test_caseload_and_the_clients_own_page_show_the_one_flag(page, live_server, flagged):
    sign_in(page, live_server, "owner")
    page.goto(f"{live_server.url}/")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "risk-caseload", widths=(PHONE["width"], DESKTOP["width"]))
    # The client's own page tells them what their clinician will ask about, in their terms
    page.goto(live_server.url + reverse("portal", args=[portal_link_issue(client=flagged.client)]))
    assert page.get_by_text("You told us there was a moment you felt misunderstood.").is_visible()
    assert page.get_by_text("the client's").count() == 0
    assert serious_accessibility_violations(page) == []
    screenshot(page, "risk-client-page", widths=(PHONE["width"], DESKTOP["width"]))
