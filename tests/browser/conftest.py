"""Real-browser tests: Playwright driving Debian's Chromium against live_server."""

import os
from pathlib import Path

import pytest

from tests.conftest import require_service

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# The sync Playwright API runs an event loop in the test thread; the ORM must still work there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    require_service("Chromium", Path(CHROMIUM).exists())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def screenshots_wanted() -> bool:
    """One switch for every browser test: ATTUNE_SCREENSHOTS=1 saves pages into docs/screenshots/.
    Without it nothing is written anywhere, so ordinary runs leave the tree (and /tmp) alone."""
    return os.environ.get("ATTUNE_SCREENSHOTS") == "1"


def screenshot(page, name: str, *, widths: tuple[int, ...] = ()) -> None:
    """Save the page as docs/screenshots/<name>-<width>.png, at its own width or at each of `widths`."""
    if not screenshots_wanted():
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for width in widths or (original["width"],):
        if width != page.viewport_size["width"]:
            page.set_viewport_size({"width": width, "height": original["height"]})
            page.wait_for_timeout(600)  # let responsive charts re-lay themselves
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    if page.viewport_size != original:
        page.set_viewport_size(original)


def serious_accessibility_violations(page) -> list[dict]:
    """Run axe-core in the page; return violations of serious or critical impact."""
    require_service("axe-core (npm install)", AXE.exists())
    # Evaluated through the DevTools protocol, which the page's strict CSP does not govern (a <script>
    # tag would be refused, as any injected script should be).
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("axe.run()")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def sign_in(page, live_server, username: str, password: str = "correct horse battery staple") -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
