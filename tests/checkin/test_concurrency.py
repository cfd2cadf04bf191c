"""Concurrent double posts (a double click, two tabs, a replay racing the original) store one check-in."""

import threading

import pytest
from django.db import connection
from django.test import Client

from care.models import AccessLink, CheckIn, Score
from tests.checkin.factories import GOOD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("posts", [2, 6])
def test_simultaneous_posts_store_exactly_one_checkin_and_all_get_thanks(opened, posts):
    session, token = opened
    barrier = threading.Barrier(posts)
    responses = []

    def post():
        try:
            barrier.wait()
            responses.append(Client().post(f"/c/{token}/", GOOD))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert [r.status_code for r in responses] == [200] * posts
    assert all(b"Thank you" in r.content for r in responses)
    assert sum(b"/me/" in r.content for r in responses) == 1, "one portal link, for the winner only"
    checkin = CheckIn.objects.get(session=session)
    assert checkin.status == CheckIn.Status.SUBMITTED
    assert Score.objects.filter(checkin=checkin, instrument="relationship", scale="total").count() == 1
    assert AccessLink.objects.filter(purpose=AccessLink.Purpose.PORTAL).count() == 1
