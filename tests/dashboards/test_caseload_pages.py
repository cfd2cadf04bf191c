"""A long caseload is shown a page at a time: every client is on exactly one page, in the chosen order,
the pager keeps the sort and filters, and the panel beside it lists the most urgent flags only."""

import re

import pytest
from django.urls import reverse

from dashboards.caseload import INBOX_SHOWN, PAGE_SIZE
from tests.clinicians.factories import ClinicianFactory
from tests.dashboards.factories import seed_caseload

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tr[^>]*><th scope="row"[^>]*><a href="/clients/(\d+)/">')


@pytest.fixture
def long_caseload(client):
    clinician = ClinicianFactory()
    episodes = seed_caseload(clinician, clients=PAGE_SIZE + 7, sessions=2, flag_every=2)
    client.force_login(clinician.user)
    return episodes


def shown(client, **query) -> list[int]:
    html = client.get(reverse("caseload"), query).content.decode()
    return [int(pk) for pk in ROW.findall(html)]


def test_every_client_is_on_exactly_one_page_in_order(client, long_caseload):
    first, second = shown(client, sort="client", dir="asc"), shown(client, sort="client", dir="asc", page=2)
    assert (len(first), len(second)) == (PAGE_SIZE, 7)
    assert sorted(first + second) == sorted(e.client_id for e in long_caseload)
    everyone = sorted(
        long_caseload, key=lambda e: (e.client.family_name.lower(), e.client.given_name.lower(), e.pk)
    )
    assert first + second == [e.client_id for e in everyone]


def test_odd_page_numbers_land_on_a_real_page(client, long_caseload):
    assert shown(client, page="99") == shown(client, page="2")
    assert shown(client, page="-3") == shown(client, page="x") == shown(client)


def test_the_pager_keeps_the_sort_and_filters(client, long_caseload):
    html = client.get(reverse("caseload"), {"sort": "week", "dir": "asc", "flagged": "1"}).content.decode()
    if "Caseload pages" in html:  # more flagged clients than a page
        assert "sort=week&amp;dir=asc&amp;flagged=1&amp;page=2" in html
    html = client.get(reverse("caseload"), {"sort": "week", "dir": "asc"}).content.decode()
    assert "sort=week&amp;dir=asc&amp;page=2" in html
    assert f"Showing 1–{PAGE_SIZE} of {PAGE_SIZE + 7}" in html


def test_the_panel_lists_the_most_urgent_flags_and_counts_them_all(client, long_caseload):
    page = client.get(reverse("caseload")).context["page"]
    assert len(page.flags) > INBOX_SHOWN
    html = client.get(reverse("caseload")).content.decode()
    panel = html.split('class="card flag-inbox"', 1)[1].split("</section>", 1)[0]
    assert panel.count("Next step and actions") == INBOX_SHOWN
    assert f"Open the flag inbox ({len(page.flags)})" in panel
