"""The clinic admin registers the waiting-room tablet from the tablet itself, in a real browser."""

import pytest

from care.models import Tablet, User
from tests.browser.conftest import screenshot, serious_accessibility_violations, sign_in
from tests.care.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_registers_this_device_as_the_clinic_tablet(page, live_server):
    UserFactory(username="alex", role=User.Role.ADMIN)
    sign_in(page, live_server, "alex")
    page.wait_for_url(f"{live_server.url}/clinic/**")
    page.get_by_role("link", name="Tablets").click()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "tablets-register", widths=(390, 1280))

    page.get_by_label("Tablet name").fill("Front desk")
    page.get_by_role("button", name="Register this device as a clinic tablet").click()

    assert page.get_by_text("This device is now registered as Front desk.").is_visible()
    assert Tablet.objects.get().name == "Front desk"
    cookie = next(c for c in page.context.cookies() if c["name"] == "attune_tablet")
    assert cookie["httpOnly"]
    assert page.get_by_text("This device is the clinic tablet “Front desk”.").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "tablets-registered", widths=(390, 1280))
