"""`manage.py demo_links`: the block `make run` ends with — every login by role and three fresh links
into the client side, each of which opens what it says."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from care.links import hash_secret
from care.models import AccessLink
from demo import seed as demo
from demo.links import name_run
from demo.people import DEMO_PASSWORD


@pytest.fixture
def seeded(db):
    return demo.seed_clinic(seed=7, clients=30)


def _run(**options) -> str:
    out = StringIO()
    call_command("demo_links", "--url", "http://demo.test:8000", stdout=out, **options)
    return out.getvalue()


def test_the_block_names_every_login_by_role_and_three_links(seeded, settings):
    settings.DEMO = True
    text = _run()
    lines = text.strip().splitlines()

    assert len(lines) <= 10  # fits under the install on one screen
    assert "http://demo.test:8000/login/" in text and DEMO_PASSWORD in text
    assert re.search(r"Clinic admin +admin$", text, re.M)
    assert re.search(r"Supervisors +supervisor1, supervisor2$", text, re.M)
    assert re.search(r"Clinicians +clinician1–clinician8\b", text, re.M)
    assert re.search(r"Check-in link http://demo\.test:8000/c/[\w-]{22}/ ", text)
    assert re.search(r"Tablet code +[2-9A-Z]{8} at http://demo\.test:8000/c/ ", text)
    assert re.search(r"Own page +http://demo\.test:8000/me/[\w-]{22}/ ", text)
    assert "demo mailbox: http://demo.test:8000/demo/mailbox/" in text


def test_each_link_opens_what_it_says(seeded, settings, client):
    settings.DEMO = True
    text = _run()
    checkin_path = re.search(r"(/c/[\w-]{22}/)", text).group(1)
    code = re.search(r"Tablet code +([2-9A-Z]{8})", text).group(1)
    portal_path = re.search(r"(/me/[\w-]{22}/)", text).group(1)

    form = client.get(checkin_path)
    assert form.status_code == 200
    assert b'<form method="post"' in form.content

    typed = client.post("/c/", {"code": code})
    assert typed.status_code == 302 and typed["Location"].startswith("/c/")
    assert b'<form method="post"' in client.get(typed["Location"]).content

    page = client.get(portal_path)
    assert page.status_code == 200
    given_name = re.search(r"Own page .*\((\S+) .+\)", text).group(1)
    assert given_name.encode() in page.content


def test_the_raw_tokens_exist_only_in_the_output(seeded, settings):
    settings.DEMO = True
    text = _run()
    token = re.search(r"/c/([\w-]{22})/", text).group(1)

    assert not AccessLink.objects.filter(token_hash=token).exists()
    assert AccessLink.objects.filter(token_hash=hash_secret(token)).exists()


def test_links_are_made_fresh_each_time(seeded, settings):
    settings.DEMO = True
    assert _run() != _run()


def test_outside_demo_mode_no_link_is_made(seeded, settings):
    settings.DEMO = False
    links = AccessLink.objects.count()
    with pytest.raises(CommandError, match="demo mode"):
        _run()
    assert AccessLink.objects.count() == links


@pytest.mark.parametrize(
    ("usernames", "shown"),
    [
        (["clinician1", "clinician2", "clinician3", "jordan"], "clinician1–clinician3, jordan"),
        (["supervisor1", "supervisor2"], "supervisor1, supervisor2"),
        (["clinician1", "clinician3", "clinician4"], "clinician1, clinician3, clinician4"),
        (["admin"], "admin"),
        ([], ""),
    ],
)
def test_a_run_of_numbered_logins_is_shortened_to_its_ends(usernames, shown):
    assert name_run(usernames) == shown
