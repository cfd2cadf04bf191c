"""Every request has an id, answered in X-Request-ID and written on every log line while it is handled;
a 500 while a check-in is submitted is logged with that id and without the client's answers, and the
error report (the 500 email) stars every posted field and, outside DEBUG, every local variable."""

import io
import logging
import re
import sys

import pytest
from django.core import mail
from django.test import RequestFactory, override_settings
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter, get_default_exception_reporter_filter

import checkin.views
from care.models import Session
from care.request_id import current_request_id
from tests.care.factories import SessionFactory
from tests.checkin.factories import GOOD, attend

pytestmark = pytest.mark.django_db

UUID_HEX = re.compile(r"[0-9a-f]{32}")
# Words only a client would write: if any of them is in a log line or an error report, answers leaked.
SECRET_WORDS = "my-brother-hurt-me-on-tuesday"


def test_every_response_carries_a_fresh_request_id(client):
    first, second = client.get("/login/"), client.get("/login/")
    assert UUID_HEX.fullmatch(first["X-Request-ID"]) and UUID_HEX.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_trusted_proxys_plain_request_id_is_kept(client):
    response = client.get("/login/", headers={"X-Request-ID": "nginx-5f2b9c0d41e8a7b3"})
    assert response["X-Request-ID"] == "nginx-5f2b9c0d41e8a7b3"


@override_settings(TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize(
    "given",
    ["short", "x" * 65, "id with spaces", "forged\n[request admin]", "<script>1</script>", "ïd-1234567"],
)
def test_a_request_id_that_could_forge_a_log_line_is_replaced(client, given):
    response = client.get("/login/", headers={"X-Request-ID": given})
    assert UUID_HEX.fullmatch(response["X-Request-ID"])


def test_without_a_trusted_proxy_the_senders_request_id_is_not_believed(client):
    response = client.get("/login/", headers={"X-Request-ID": "chosen-by-the-sender-1234"})
    assert UUID_HEX.fullmatch(response["X-Request-ID"])


def test_outside_a_request_log_lines_say_so():
    assert current_request_id() == "-"


@pytest.fixture
def console():
    """What the configured console handler (config/settings.py LOGGING) writes, with its own formatter."""
    handler = next(h for h in logging.getLogger("django.request").handlers if h.name == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous or sys.stderr)


@pytest.fixture
def crashing_submit(personas, django_capture_on_commit_callbacks, monkeypatch):
    """An open check-in whose submit fails with an unexpected error (a bug, a database gone away)."""
    session = SessionFactory(episode=personas["owner_episode"], attendance=Session.Attendance.SCHEDULED)
    token = attend(session, personas["owner"].user, django_capture_on_commit_callbacks)

    def crash(**kwargs):
        answers = kwargs["answers"]  # a local that holds the answers, as a real failure's frame would
        raise RuntimeError(f"the check-in could not be stored ({len(answers)} sections)")

    monkeypatch.setattr(checkin.views, "checkin_submit", crash)
    return token


def test_a_500_log_line_holds_the_request_id_and_none_of_the_answers(client, console, crashing_submit):
    client.raise_request_exception = False
    response = client.post(f"/c/{crashing_submit}/", {**GOOD, "closing.note": SECRET_WORDS})
    assert response.status_code == 500
    logged = console.getvalue()
    line = next(line for line in logged.splitlines() if "Internal Server Error" in line)
    assert f"[request {response['X-Request-ID']}]" in line
    assert SECRET_WORDS not in logged and "relationship.heard" not in logged


@override_settings(ADMINS=["ops@example.org"], DEBUG=False)
def test_the_500_email_stars_every_posted_field_and_local(client, crashing_submit):
    handler = AdminEmailHandler(include_html=True)
    handler.setLevel(logging.ERROR)
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    client.raise_request_exception = False
    try:
        assert (
            client.post(f"/c/{crashing_submit}/", {**GOOD, "closing.note": SECRET_WORDS}).status_code == 500
        )
    finally:
        logger.removeHandler(handler)
    [email] = [m for m in mail.outbox if "ops@example.org" in m.to]
    text, (html, _type) = email.body, email.alternatives[0]
    assert SECRET_WORDS not in text and SECRET_WORDS not in html
    assert "closing.note" in html and "********" in html  # the field is named, its words starred


def test_posted_fields_are_starred_even_in_debug_and_locals_outside_it():
    request = RequestFactory().post("/c/token/", {"closing.note": SECRET_WORDS})
    with override_settings(DEBUG=True):
        starred = get_default_exception_reporter_filter().get_post_parameters(request)
    assert starred == {"closing.note": "********************"}
    try:
        answers = {"closing": {"note": SECRET_WORDS}}
        raise RuntimeError(f"{len(answers)} sections")
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())
    with override_settings(DEBUG=False):
        assert SECRET_WORDS not in reporter.get_traceback_html()
        assert SECRET_WORDS not in reporter.get_traceback_text()
