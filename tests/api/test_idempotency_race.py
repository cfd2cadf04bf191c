"""Two requests with the same Idempotency-Key at the same moment: one does the work, the other waits on
the unique index and replays its answer."""

import threading

import pytest
from django.db import connection

from care.models import Episode
from tests.api.conftest import Api, make_api


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_do_the_work_once(clinic_setup):
    api = make_api(clinic_setup)
    body = {
        "client_external_id": "MRN-1",
        "clinician_id": clinic_setup["clinician"].pk,
        "program_id": clinic_setup["episode"].program_id,
        "opened_on": "2026-11-01",
    }
    before = Episode.objects.count()
    answers: list = []
    start = threading.Barrier(2)

    def post():
        start.wait()
        try:
            answers.append(Api(api.secret).post("/api/v1/episodes/", body, idem="race-1"))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert Episode.objects.count() == before + 1
    assert sorted(a.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]
