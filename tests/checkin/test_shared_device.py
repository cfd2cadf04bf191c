"""A check-in answered on the clinic tablet never links to the client's own page: the next person at the
tablet could open it. The page offers to email the link instead and says the tablet can go back."""

import re

import pytest
from django.core import mail

from care.models import AccessLink, Client
from checkin.services import checkin_link_resend
from tests.checkin.factories import GOOD

pytestmark = pytest.mark.django_db

PROOF = re.compile(r'name="proof" value="([^"]+)"')


def _tablet_form(client, personas, session) -> str:
    _link, _t, code = checkin_link_resend(actor=personas["owner"].user, session=session, email=False)
    response = client.post("/c/", {"code": code})
    assert response.status_code == 302
    return response["Location"]


def test_an_emailed_link_still_gets_the_own_page_link(client, opened):
    _session, token = opened
    page = client.post(f"/c/{token}/", GOOD).content.decode()
    assert "/me/" in page and "hand the tablet back" not in page
    assert AccessLink.objects.filter(purpose=AccessLink.Purpose.PORTAL).count() == 1


def test_a_tablet_checkin_shows_no_own_page_link_and_issues_none(client, personas, opened):
    session, _token = opened
    form_url = _tablet_form(client, personas, session)
    page = client.post(form_url, GOOD).content.decode()
    assert "/me/" not in page, "no link to the client's own page on a shared device"
    assert not AccessLink.objects.filter(purpose=AccessLink.Purpose.PORTAL).exists()
    assert "safe to hand the tablet back" in page
    assert "Email me the link to my own page" in page


def test_the_tablet_offer_emails_the_link_once_and_never_shows_it(
    client, personas, opened, django_capture_on_commit_callbacks
):
    session, _token = opened
    form_url = _tablet_form(client, personas, session)
    page = client.post(form_url, GOOD).content.decode()
    proof = PROOF.search(page)[1]
    sent_before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"{form_url}own-page/", {"proof": proof})
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "/me/" not in body and "emailed you the link" in body and "hand the tablet back" in body
    assert session.episode.client.clinic.name in body and "?lang=" not in body
    assert len(mail.outbox) == sent_before + 1
    assert "/me/" in mail.outbox[-1].body
    assert mail.outbox[-1].to == [session.episode.client.email]
    # Given the next person at the tablet presses it again, then nothing more is sent or issued.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{form_url}own-page/", {"proof": proof})
    assert len(mail.outbox) == sent_before + 1
    assert AccessLink.objects.filter(purpose=AccessLink.Purpose.PORTAL).count() == 1


def test_a_client_without_email_is_not_offered_the_email_on_the_tablet(client, personas, opened):
    session, _token = opened
    Client.objects.filter(pk=session.episode.client_id).update(email="")
    form_url = _tablet_form(client, personas, session)
    page = client.post(form_url, GOOD).content.decode()
    assert "Email me the link" not in page and "safe to hand the tablet back" in page


@pytest.mark.parametrize("proof", ["", "forged", "1"])
def test_a_forged_proof_sends_nothing(client, opened, proof):
    _session, token = opened
    response = client.post(f"/c/{token}/own-page/", {"proof": proof})
    assert response.status_code == 410
    assert not mail.outbox[1:]
    assert not AccessLink.objects.filter(purpose=AccessLink.Purpose.PORTAL).exists()
