"""Staff sign in with a real browser and land on the page their role starts from."""

import pytest

from care.models import User
from tests.browser.conftest import screenshot, serious_accessibility_violations, sign_in
from tests.care.factories import EpisodeFactory, UserFactory
from tests.clinicians.factories import ClinicianFactory, SupervisionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_clinician_signs_in_and_lands_on_their_caseload(page, live_server):
    clinician = ClinicianFactory(user__username="dana", user__first_name="Dana")
    episode = EpisodeFactory(clinician=clinician, client__given_name="Maya")

    sign_in(page, live_server, "dana")

    page.wait_for_url(f"{live_server.url}/caseload/**")
    assert page.get_by_role("heading", level=1).first.is_visible()
    assert page.get_by_role("link", name=str(episode.client)).first.is_visible()


def test_a_supervisor_and_an_admin_land_on_their_own_pages(page, live_server):
    # Given a supervisor who supervises Dana, whose client Maya is in care, and the clinic's admin
    supervision = SupervisionFactory(supervisor__user__username="sam", supervisee__user__first_name="Dana")
    clinic = supervision.supervisor.clinic
    episode = EpisodeFactory(
        clinician=supervision.supervisee, client__clinic=clinic, client__given_name="Maya"
    )
    UserFactory(username="alex", role=User.Role.ADMIN, clinic=clinic)

    # When the supervisor signs in, they land on their supervisees, Dana among them, and reach her caseload
    sign_in(page, live_server, "sam")
    page.wait_for_url(f"{live_server.url}/supervision/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Supervision"
    assert page.get_by_role("heading", level=2, name=str(supervision.supervisee)).is_visible()
    screenshot(page, "sign-in-supervisor")
    page.get_by_role("link", name=str(supervision.supervisee)).click()
    assert page.get_by_role("link", name=str(episode.client)).is_visible()
    page.get_by_role("button", name="Sign out").click()

    # When the admin signs in, they land on the clinic's figures, with no client named anywhere
    sign_in(page, live_server, "alex")
    page.wait_for_url(f"{live_server.url}/clinic/**")
    assert page.get_by_role("heading", level=1).inner_text() == clinic.name
    figures = dict(
        zip(
            page.locator("dl.figures dt").all_inner_texts(),
            page.locator("dl.figures dd").all_inner_texts(),
            strict=True,
        )
    )
    assert (figures["Clients"], figures["Open episodes"]) == ("1", "1")
    assert str(episode.client) not in page.content()
    screenshot(page, "sign-in-admin")


def test_a_wrong_password_says_so_without_saying_which_part_was_wrong(page, live_server):
    ClinicianFactory(user__username="dana")

    sign_in(page, live_server, "dana", password="not the password")

    assert page.get_by_role("alert").inner_text().startswith("That username and password didn't match")
    assert page.url.startswith(f"{live_server.url}/login/")


def test_the_sign_in_page_is_accessible_at_phone_width(phone_page, live_server):
    phone_page.goto(f"{live_server.url}/login/")
    assert serious_accessibility_violations(phone_page) == []
