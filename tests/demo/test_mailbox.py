"""The demo mailbox: in demo mode outgoing email is kept for staff to open, link and all — and it does
not exist with production settings."""

import importlib
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, clear_url_caches, reverse

import config.settings
import config.urls
from checkin.services import checkin_open
from demo.checks import demo_mode_is_off
from demo.models import DemoMail
from tests.care.factories import SessionFactory

pytestmark = pytest.mark.django_db

MAILBOX = "/demo/mailbox/"


@pytest.fixture
def mailbox_backend(settings):
    settings.MAILERS = {"default": {"BACKEND": "demo.mail.MailboxBackend"}}
    settings.DEMO = True


@pytest.fixture
def checkin_email(personas, mailbox_backend, django_capture_on_commit_callbacks):
    """The owner's client attended session 1: the check-in email goes out."""
    client = personas["owner_episode"].client
    client.email = "maya@example.org"
    client.save()
    session = SessionFactory(episode=personas["owner_episode"], number=1, attendance="attended")
    with django_capture_on_commit_callbacks(execute=True):
        checkin_open(session=session)
    return DemoMail.objects.get()


def test_the_check_in_email_is_kept_not_sent(checkin_email):
    assert checkin_email.to == "maya@example.org"
    assert "/c/" in checkin_email.body
    assert checkin_email.client is not None
    assert not getattr(mail, "outbox", [])


def test_the_mailbox_lists_the_check_in_email_whose_link_opens_the_check_in(client, personas, checkin_email):
    # Given the client's clinician signed in
    client.force_login(personas["owner"].user)

    # When they open the mailbox, then the message
    listing = client.get(MAILBOX)
    assert listing.status_code == 200
    assert checkin_email.subject.encode() in listing.content
    message = client.get(f"{MAILBOX}{checkin_email.pk}/")
    assert message.status_code == 200

    # Then the link in it opens the check-in form
    link = re.search(r'href="http://[^/]+(/c/[\w-]+/)"', message.content.decode()).group(1)
    form = client.get(link)
    assert form.status_code == 200
    assert b'<form method="post"' in form.content


def test_the_supervisor_sees_their_supervisees_clients_mail(client, personas, checkin_email):
    client.force_login(personas["supervisor"].user)
    assert checkin_email.subject.encode() in client.get(MAILBOX).content
    assert client.get(f"{MAILBOX}{checkin_email.pk}/").status_code == 200


@pytest.mark.parametrize("viewer", ["colleague", "outsider", "admin"])
def test_other_staff_and_other_clinics_see_nothing_of_it(client, personas, checkin_email, viewer):
    user = personas[viewer] if viewer == "admin" else personas[viewer].user
    client.force_login(user)

    listing = client.get(MAILBOX)
    assert listing.status_code == 200
    assert b"maya@example.org" not in listing.content
    assert client.get(f"{MAILBOX}{checkin_email.pk}/").status_code == 404


def test_clients_have_no_way_in(client, checkin_email):
    for url in (MAILBOX, f"{MAILBOX}{checkin_email.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_with_production_settings_the_mailbox_answers_404(client, personas, checkin_email, settings):
    client.force_login(personas["owner"].user)
    settings.DEMO = False

    # The views refuse even where the URLs exist…
    assert client.get(MAILBOX).status_code == 404
    assert client.get(f"{MAILBOX}{checkin_email.pk}/").status_code == 404

    # …and production's URLconf does not have them at all.
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        with pytest.raises(NoReverseMatch):
            reverse("demo-mailbox")
        assert client.get(MAILBOX).status_code == 404
    finally:
        settings.DEMO = True
        importlib.reload(config.urls)
        clear_url_caches()
    assert reverse("demo-mailbox") == MAILBOX


def test_production_settings_keep_the_console_backend(monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.delenv("DEMO", raising=False)
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    production = importlib.reload(config.settings)
    try:
        assert production.DEMO is False
        assert production.MAILERS["default"]["BACKEND"] == "django.core.mail.backends.console.EmailBackend"
        monkeypatch.setenv("DEMO", "1")
        demo = importlib.reload(config.settings)
        assert demo.MAILERS["default"]["BACKEND"] == "demo.mail.MailboxBackend"
    finally:
        monkeypatch.undo()
        importlib.reload(config.settings)


@pytest.mark.parametrize(
    ("debug", "demo", "warned"),
    [(False, False, False), (False, True, True), (True, True, False)],
)
def test_the_deployment_check_warns_when_demo_mode_is_on_in_production(settings, debug, demo, warned):
    settings.DEBUG, settings.DEMO = debug, demo
    found = [m.id for m in demo_mode_is_off(None)]
    assert found == (["attune.W101"] if warned else [])


def test_the_mailbox_reads_in_the_same_number_of_queries_however_full(client, personas, mailbox_backend):
    client.force_login(personas["owner"].user)
    episode_client = personas["owner_episode"].client

    def queries_with(messages: int) -> int:
        DemoMail.objects.bulk_create(
            DemoMail(to="c@example.org", subject=f"Message {n}", body="", client=episode_client)
            for n in range(messages)
        )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(MAILBOX).status_code == 200
        return len(captured)

    assert queries_with(1) == queries_with(20)


def test_staff_menus_link_to_the_mailbox_in_demo_mode_only(client, personas, settings):
    client.force_login(personas["owner"].user)
    settings.DEMO = True
    assert f'href="{MAILBOX}"' in client.get("/caseload/").content.decode()
    settings.DEMO = False
    assert f'href="{MAILBOX}"' not in client.get("/caseload/").content.decode()
