"""The clinician home and the client page cost the same number of SQL queries for 5 clients as for 500.

Caseload page, 9: sign-in session, user, episodes with their counts, their active flags, their relationship
totals, the audit row, then the idle-timeout session save (an UPDATE inside a savepoint pair, which tests
see because each runs in a transaction).
Client page, 15: sign-in session, user, client, episodes, sessions with check-ins, scores, flags, flag
events, then one query per pillar that has rows of its own (care.pillars client_page hooks: the
relationship pillar's clinician ratings, readiness's goals, regimen's plan revisions), the audit row, and
the session save (3). It was 14 while the sessions query joined the clinician ratings through a reverse
relation; the spine no longer names that table, so the relationship pillar reads its ratings itself."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.dashboards.factories import seed_caseload

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_caseload_queries_do_not_grow_with_the_caseload(client, personas):
    clinician = personas["owner"]
    client.force_login(clinician.user)
    seed_caseload(clinician, clients=5, sessions=3, prefix="S")
    small = _count(client, reverse("caseload"))
    seed_caseload(clinician, clients=495, sessions=3, prefix="L", seed=2)
    large = _count(client, reverse("caseload"))
    assert large == small
    assert small == 9


def test_caseload_with_filters_costs_the_same(client, personas):
    clinician = personas["owner"]
    client.force_login(clinician.user)
    seed_caseload(clinician, clients=5, sessions=2, prefix="S")
    small = _count(client, reverse("caseload") + "?flagged=1&sort=trend")
    seed_caseload(clinician, clients=200, sessions=2, prefix="L", seed=2)
    assert _count(client, reverse("caseload") + "?flagged=1&sort=trend") == small


def test_client_page_queries_do_not_grow_with_sessions_flags_or_caseload(client, personas):
    clinician = personas["owner"]
    client.force_login(clinician.user)
    short = seed_caseload(clinician, clients=5, sessions=3, flag_every=1, prefix="S")[0]
    small = _count(client, reverse("client-detail", args=[short.client_id]))
    seed_caseload(clinician, clients=495, sessions=3, prefix="L", seed=2)
    long = seed_caseload(clinician, clients=1, sessions=30, flag_every=1, prefix="X", seed=3)[0]
    assert _count(client, reverse("client-detail", args=[short.client_id])) == small
    assert _count(client, reverse("client-detail", args=[long.client_id])) == small
    assert small == 15
