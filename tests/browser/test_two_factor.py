"""Two-factor sign-in in a real browser: setting up an authenticator app from the QR page's key, the
second step with a code, a passkey on Chromium's virtual authenticator (DevTools WebAuthn domain), and
the lockout page. Axe finds nothing serious or critical on any of them."""

import re

import pyotp
import pytest

from tests.accounts.helpers import enrolled_app, next_code, strict_clinician
from tests.browser.conftest import screenshot, serious_accessibility_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _accessible(page) -> None:
    assert serious_accessibility_violations(page) == []


def test_setting_up_an_authenticator_app_then_signing_in_with_a_code(page, live_server):
    strict_clinician("dana")

    sign_in(page, live_server, "dana")
    page.wait_for_url(f"{live_server.url}/account/security/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign-in security"
    _accessible(page)
    screenshot(page, "two-factor-setup", widths=(390, 1280))

    page.get_by_role("link", name="Set up an authenticator app").click()
    page.wait_for_url(f"{live_server.url}/account/security/app/**")
    assert page.locator("figure.qr svg").is_visible()
    _accessible(page)
    screenshot(page, "two-factor-app", widths=(390, 1280))
    page.get_by_text("Can't scan it? Type the key instead").click()
    key = page.locator("code.secret").inner_text().replace(" ", "")
    page.get_by_label("Type the 6-digit code the app shows").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Turn on").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Your recovery codes"
    assert len(re.findall(r"[A-Z0-9]{5}-[A-Z0-9]{5}", page.locator("ol.codes").inner_text())) == 10
    _accessible(page)
    screenshot(page, "two-factor-recovery-codes", widths=(390, 1280))
    page.get_by_role("link", name="I've kept them — continue").click()
    page.wait_for_url(f"{live_server.url}/caseload/**")


def test_the_second_step_with_a_code_from_the_app(page, live_server):
    user = strict_clinician("dana")
    device = enrolled_app(user)

    sign_in(page, live_server, "dana")
    page.wait_for_url(f"{live_server.url}/account/two-factor/**")
    _accessible(page)
    screenshot(page, "two-factor-verify", widths=(390, 1280))
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("alert").inner_text().startswith("That code didn't work")
    _accessible(page)
    screenshot(page, "two-factor-verify-wrong", widths=(390, 1280))
    page.wait_for_timeout(1100)  # django-otp's pause after a wrong code
    page.get_by_label("Code from your authenticator app").fill(next_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/caseload/**")

    # Confirming it's them later (before a security change): the password, then a code.
    page.goto(f"{live_server.url}/account/confirm/?next=/account/security/")
    page.get_by_label("Your password").fill("correct horse battery staple")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_text("Password confirmed. Now the second step.").is_visible()
    _accessible(page)
    screenshot(page, "two-factor-confirm", widths=(390, 1280))
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(next_code(device))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"{live_server.url}/account/security/")


def test_a_passkey_on_a_virtual_authenticator_registers_and_signs_in(page, live_server):
    strict_clinician("dana")
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    sign_in(page, live_server, "dana")
    page.wait_for_url(f"{live_server.url}/account/security/**")
    page.get_by_role("link", name="Add a passkey").click()
    page.wait_for_url(f"{live_server.url}/account/security/passkey/**")
    _accessible(page)
    screenshot(page, "two-factor-passkey", widths=(390, 1280))
    page.get_by_role("button", name="Add a passkey").click()
    page.wait_for_url(f"{live_server.url}/account/security/?**")
    assert page.locator(".factor-list li").count() == 1
    assert "You have no recovery codes" in page.content()
    _accessible(page)
    screenshot(page, "two-factor-security", widths=(390, 1280))

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "dana")
    page.wait_for_url(f"{live_server.url}/account/two-factor/**")
    _accessible(page)
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(f"{live_server.url}/caseload/**")


def test_the_lockout_page_after_five_wrong_passwords(page, phone_page, live_server):
    strict_clinician("dana", required=False)
    for _ in range(5):
        sign_in(page, live_server, "dana", password="not the password")
    assert page.get_by_role("heading", level=1).inner_text() == "Too many tries"
    assert "15 minutes" in page.content()
    _accessible(page)
    screenshot(page, "sign-in-locked", widths=(390, 1280))

    # The same page at phone width, from the same address, for the same account.
    sign_in(phone_page, live_server, "dana")
    assert phone_page.get_by_role("heading", level=1).inner_text() == "Too many tries"
    _accessible(phone_page)
