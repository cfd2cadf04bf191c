"""The treatment plan, revised from the client page: every change kept, malformed codes refused."""

import pytest
from django.urls import reverse

from care.models import AuditEvent
from regimen.models import PlanRevision

pytestmark = pytest.mark.django_db


def test_plan_revisions_keep_every_change(client, personas):
    episode = personas["owner_episode"]
    client.force_login(personas["owner"].user)
    url = reverse("plan-edit", args=[episode.pk])
    plan = {
        "diagnosis_code": "f33.1",
        "diagnosis_label": "Major depressive disorder, recurrent, moderate",
        "modality": "cbt",
        "frequency": "weekly",
        "container": "individual",
    }
    assert client.post(url, plan).status_code == 302
    assert (
        client.post(
            url, {**plan, "frequency": "fortnightly", "note": "Client asked for more time between"}
        ).status_code
        == 302
    )
    revisions = list(PlanRevision.objects.filter(episode=episode).order_by("number"))
    assert [(r.number, r.frequency, r.diagnosis_code) for r in revisions] == [
        (1, "weekly", "F33.1"),
        (2, "fortnightly", "F33.1"),
    ]
    assert AuditEvent.objects.filter(object_type="regimen.PlanRevision", action="create").count() == 2
    body = client.get(reverse("client-detail", args=[episode.client_id])).content.decode()
    assert "Every two weeks" in body and "2 revisions" in body


@pytest.mark.parametrize(
    ("code", "label", "field"),
    [
        ("33.1", "Depression", "diagnosis_code"),
        ("F33.1.2", "Depression", "diagnosis_code"),
        ("U07.1", "COVID", "diagnosis_code"),
        ("F33.1", "   ", "diagnosis_label"),
    ],
)
def test_plan_refuses_a_malformed_icd10_code_or_a_missing_label(client, personas, code, label, field):
    episode = personas["owner_episode"]
    client.force_login(personas["owner"].user)
    response = client.post(
        reverse("plan-edit", args=[episode.pk]),
        {
            "diagnosis_code": code,
            "diagnosis_label": label,
            "modality": "cbt",
            "frequency": "weekly",
            "container": "individual",
        },
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not PlanRevision.objects.filter(episode=episode).exists()
