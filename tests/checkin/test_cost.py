"""What a check-in costs the database: the form and the submit take a fixed number of queries, however
many sessions the client has had before."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from care.models import Session
from tests.care.factories import SessionFactory
from tests.checkin.factories import GOOD, attend

pytestmark = pytest.mark.django_db


def cost(client, token) -> tuple[int, int, float]:
    with CaptureQueriesContext(connection) as form:
        client.get(f"/c/{token}/")
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as submit:
        assert client.post(f"/c/{token}/", GOOD).status_code == 200
    return len(form), len(submit), time.perf_counter() - started


def test_query_counts_do_not_grow_with_history(client, personas, django_capture_on_commit_callbacks):
    episode = personas["owner_episode"]
    owner = personas["owner"].user
    counts = []
    for number in [1, 2, 12]:
        for earlier in range(len(counts) and number - 1 or 0):
            SessionFactory(episode=episode, number=100 + number * 10 + earlier)
        session = SessionFactory(episode=episode, number=number, attendance=Session.Attendance.SCHEDULED)
        token = attend(session, owner, django_capture_on_commit_callbacks)
        form, submit, seconds = cost(client, token)
        counts.append((form, submit))
        print(f"session {number}: form {form} queries, submit {submit} queries, {seconds * 1000:.0f} ms")
    assert counts[1][0] == counts[2][0], "the form's query count is constant"
    assert counts[1][1] == counts[2][1], "the submit's query count is constant"
    # Pinned at their values since the submit was trimmed (docs/performance.md): the form reads the link
    # and marks it opened; the submit reads the link, locks the check-in, closes its links in one UPDATE,
    # stores answers and scores, the audit row, the own-page link and the engine's outbox mark (24 before).
    assert counts[2] == (2, 11)
