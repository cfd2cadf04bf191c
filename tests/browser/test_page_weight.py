"""What a client's phone downloads: the check-in form, the thank-you page and the client's own page each
weigh under 150 KB on a first load (HTML, CSS, JS and images, as transferred, compressed).

Measured as production serves them: static files collected with the production storage (whitenoise's
CompressedManifestStaticFilesStorage: hashed names, gzip beside each file) into a temporary STATIC_ROOT
and served by the WhiteNoise middleware through the whole middleware stack, not by the test server's
uncompressed static handler. Chromium over plain http asks for gzip (not brotli), so the figures are
gzip's: brotli over https would be smaller. Bytes are Chromium's own count of what came over the wire
(DevTools Network.loadingFinished encodedDataLength: headers and body), with the cache disabled.

Run: `pytest tests/browser/test_page_weight.py -s` prints the figures (docs/performance.md, "Phones")."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.test.testcases import LiveServerThread
from django.test.utils import override_settings

from care.links import link_issue
from care.models import AccessLink, CheckIn, Session
from checkin.attendance import session_record_attendance
from dashboards.portal import portal_link_issue
from tests.browser.conftest import CHROMIUM, PHONE, screenshot, screenshots_wanted
from tests.care.factories import SessionFactory
from tests.conftest import require_service
from tests.dashboards.factories import seed_caseload

pytestmark = pytest.mark.django_db(transaction=True)

BUDGET = 150 * 1024
PRODUCTION_STATIC = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    """A live server with production's static files: collected, hashed, gzipped, served by WhiteNoise."""
    from pathlib import Path

    require_service("Chromium", Path(CHROMIUM).exists())
    root = tmp_path_factory.mktemp("staticfiles")
    overrides = override_settings(
        STATIC_ROOT=root,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": PRODUCTION_STATIC},
        },
        WHITENOISE_AUTOREFRESH=False,
        WHITENOISE_USE_FINDERS=False,
        ALLOWED_HOSTS=["localhost"],
    )
    overrides.enable()
    call_command("collectstatic", interactive=False, verbosity=0)
    # No StaticFilesHandler in front: /static/ reaches the WhiteNoise middleware as in production.
    thread = LiveServerThread("localhost", static_handler=lambda app: app, connections_override={})
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        overrides.disable()
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()
    overrides.disable()


class Meter:
    """Counts what Chromium receives for one page: every response's bytes on the wire, by URL."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})  # a first visit, every time
        self.urls: dict[str, str] = {}
        self.headers: dict[str, dict] = {}
        self.bytes: dict[str, int] = {}
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)

    def _response(self, event):
        self.urls[event["requestId"]] = event["response"]["url"]
        self.headers[event["requestId"]] = {k.lower(): v for k, v in event["response"]["headers"].items()}

    def _finished(self, event):
        self.bytes[event["requestId"]] = int(event["encodedDataLength"])

    def reset(self) -> None:
        self.urls.clear(), self.headers.clear(), self.bytes.clear()

    def total(self) -> int:
        return sum(self.bytes.values())

    def rows(self) -> list[tuple[str, int, dict]]:
        return [
            (self.urls.get(rid, "?"), size, self.headers.get(rid, {})) for rid, size in self.bytes.items()
        ]


def _report(name: str, meter: Meter) -> int:
    total = meter.total()
    print(f"\n{name}: {total / 1024:.1f} KB transferred in {len(meter.bytes)} responses")
    for url, size, headers in sorted(meter.rows(), key=lambda r: -r[1]):
        encoding = headers.get("content-encoding", "identity")
        print(f"  {size / 1024:8.1f} KB  {encoding:8}  {re.sub(r'^https?://[^/]+', '', url)}")
    return total


def _assert_static_served_for_production(meter: Meter) -> None:
    """Every static file has a hashed name, is cached for good, and came gzipped if it compresses."""
    for url, _size, headers in meter.rows():
        if "/static/" not in url:
            continue
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", url), f"{url} has no content hash in its name"
        assert "immutable" in headers.get("cache-control", ""), (url, headers.get("cache-control"))
        assert "max-age=315360000" in headers.get("cache-control", ""), url
        if url.endswith((".css", ".js", ".svg")):
            assert headers.get("content-encoding") == "gzip", f"{url} was not sent compressed"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _shoot(browser, url: str, name: str) -> None:
    """docs/screenshots/<name>-390.png and -1280.png, at a scale of 1 (ATTUNE_SCREENSHOTS=1 only)."""
    if not screenshots_wanted():
        return
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        screenshot(page, name, widths=(390, 1280))
    finally:
        context.close()


def _checkin_token(personas) -> str:
    session = SessionFactory(
        episode=personas["owner_episode"], number=1, attendance=Session.Attendance.SCHEDULED
    )
    session_record_attendance(
        actor=personas["owner"].user, session=session, attendance=Session.Attendance.ATTENDED
    )
    _link, token, _code = link_issue(
        purpose=AccessLink.Purpose.CHECKIN,
        client=session.episode.client,
        checkin=CheckIn.objects.get(session=session),
        ttl=dt.timedelta(hours=4),
    )
    return token


def _answer_every_step(page, meter: Meter) -> None:
    """Answer every step; the meter starts afresh just before "Send", so it counts the thank-you page."""
    while True:
        step = page.locator("section.step:not([hidden])")
        for slider in step.locator("input.slider").all():
            box = slider.bounding_box()
            page.touchscreen.tap(box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2)
        for fieldset in step.locator("fieldset.q-choice:visible, fieldset.q-yesno:visible").all():
            fieldset.locator("label.choice").last.tap()
        send = step.get_by_role("button", name="Send my answers")
        if send.count():
            meter.reset()
            send.tap()
            return
        step.get_by_role("button", name="Next").tap()


def test_the_check_in_form_and_the_thank_you_page_are_light_on_a_phone(phone, production_server, personas):
    token = _checkin_token(personas)
    meter = Meter(phone)

    # The form, as the client's phone first opens it from the link
    phone.goto(f"{production_server}/c/{token}/", wait_until="networkidle")
    assert phone.locator(".progress-text").inner_text() == "Step 1 of 6"
    form = _report("check-in form", meter)
    _assert_static_served_for_production(meter)

    # The thank-you page that answers the POST, its CSS and JS fetched again (cache off): a first load
    _answer_every_step(phone, meter)
    phone.get_by_role("heading", name="Thank you").wait_for()
    phone.wait_for_load_state("networkidle")
    thanks = _report("thank-you page", meter)
    _assert_static_served_for_production(meter)

    assert form < BUDGET, f"check-in form: {form} bytes"
    assert thanks < BUDGET, f"thank-you page: {thanks} bytes"


@pytest.mark.parametrize("sessions", [20, 52])
def test_the_clients_own_page_is_light_on_a_phone(phone, production_server, personas, sessions):
    # A client twenty sessions in, and one a year in: every chart the own page has, with a long history
    episode = seed_caseload(personas["owner"], clients=1, sessions=sessions, flag_every=1, prefix="W")[0]
    token = portal_link_issue(client=episode.client)
    meter = Meter(phone)

    phone.goto(f"{production_server}/me/{token}/", wait_until="networkidle")
    assert phone.get_by_role("heading", level=1).inner_text() == f"Hello, {episode.client.given_name}"
    own = _report(f"own page, {sessions} sessions", meter)
    _assert_static_served_for_production(meter)
    if sessions == 20:
        _shoot(phone.context.browser, f"{production_server}/me/{token}/", "page-weight-own-page")

    assert own < BUDGET, f"own page: {own} bytes"
