"""The API docs page in a real browser: Swagger UI from our own static files renders the schema with no
console errors under the site's Content Security Policy; and the clinic admin's API keys page."""

import pytest

from tests.browser.conftest import screenshot, serious_accessibility_violations, sign_in


@pytest.mark.django_db(transaction=True)
def test_the_api_docs_render_with_no_console_errors(page, live_server):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    response = page.goto(f"{live_server.url}/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_text("/api/v1/appointments/{appointment_id}/attendance/").first.wait_for()
    page.get_by_text("Record attendance").first.wait_for()
    page.wait_for_timeout(500)
    assert problems == []
    assert all(url.startswith(live_server.url) for url in requested), "the page reached outside the site"
    screenshot(page, "api-docs", widths=(1280, 390))


@pytest.mark.django_db(transaction=True)
def test_the_admin_makes_a_key_in_the_browser(page, live_server, personas):
    sign_in(page, live_server, "admin")
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("Practice system")
    page.get_by_label("flags:read").check()
    page.get_by_label("schedule:write").check()
    page.get_by_role("button", name="Make key").click()
    secret = page.locator("#new-secret").inner_text()
    assert secret.startswith("atk_")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "api-keys", widths=(1280, 390))


@pytest.mark.django_db(transaction=True)
def test_the_webhooks_and_import_pages_read_well(page, live_server, personas, settings, tmp_path):
    settings.API_WEBHOOKS_ALLOW_PRIVATE = True
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/api/webhooks/")
    page.get_by_label("Address (https://…)").fill("http://127.0.0.1:9/hooks")
    page.get_by_role("button", name="Add endpoint").click()
    assert page.locator("#new-secret").inner_text().startswith("whsec_")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "api-webhooks", widths=(1280, 390))
    program = personas["owner_episode"].program.name
    csv = tmp_path / "schedule.csv"
    csv.write_text(
        "client_id,given_name,family_name,email,clinician,program,start,end\n"
        f"MRN-1,Ana,Ruiz,,owner,{program},2026-12-21 10:00,2026-12-21 10:50\n"
        f"MRN-2,Ben,Okafor,,nobody,{program},2026-12-21 11:00,2026-12-21 11:50\n"
    )
    page.goto(f"{live_server.url}/api/import/")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Preview").click()
    assert "Line 3" in page.locator("#import-errors").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "api-import-errors", widths=(1280, 390))
