"""The charts, the client-page summary and the caseload draw the clinic's own relationship cutoff, the
same number the relationship.low_total rule flags against (Clinic.risk_thresholds)."""

import pytest
from django.urls import reverse

from care.models import Clinic, Score
from tests.dashboards.factories import seed_caseload

pytestmark = pytest.mark.django_db


def _latest_total_set_to(episode, value: float) -> None:
    latest = (
        Score.objects.filter(checkin__session__episode=episode, instrument="relationship", scale="total")
        .order_by("-checkin__session__number")
        .first()
    )
    Score.objects.filter(pk=latest.pk).update(value=value)


@pytest.mark.parametrize(
    ("thresholds", "cutoff", "per_item"),
    [({}, "36", "9"), ({"relationship.low_total": {"fraction": 0.85}}, "34", "8.5")],
)
def test_the_client_page_says_the_clinics_cutoff(client, personas, thresholds, cutoff, per_item):
    # Given a clinic with its own relationship threshold (or the default), and a client rated 30/40 last time
    Clinic.objects.filter(pk=personas["clinic"].pk).update(risk_thresholds=thresholds)
    episode = seed_caseload(personas["owner"], clients=1, sessions=4, prefix="C")[0]
    _latest_total_set_to(episode, 30)
    client.force_login(personas["owner"].user)
    # When their clinician opens the client page
    response = client.get(reverse("client-detail", args=[episode.client_id]))
    page = response.context["page"]
    # Then the summary says the clinic's cutoff
    [line] = [x for x in page.summary.not_working if x.startswith("Relationship rated 30/40")]
    assert line.endswith(f", below {cutoff}.")
    # And the relationship chart shades below it, per item and as a total
    note = page.figures["relationship"].figure["layout"]["annotations"][-1]["text"]
    assert note == f"Shaded: below {per_item} ({cutoff}/40)"
    shades = {s["y1"] for s in page.figures["relationship"].figure["layout"]["shapes"]}
    assert shades == {float(per_item)}


def test_the_caseload_sparkline_draws_the_clinics_cutoff(client, personas):
    seed_caseload(personas["owner"], clients=1, sessions=4, prefix="C")
    client.force_login(personas["owner"].user)
    default = client.get(reverse("caseload")).context["page"].rows[0].sparkline["cutoff_y"]
    Clinic.objects.filter(pk=personas["clinic"].pk).update(
        risk_thresholds={"relationship.low_total": {"fraction": 0.85}}
    )
    lower = client.get(reverse("caseload")).context["page"].rows[0].sparkline["cutoff_y"]
    assert lower > default  # 34 sits lower on the sparkline than 36 (SVG y grows downwards)


def test_thresholds_that_no_longer_validate_still_draw_the_page_with_the_default(client, personas):
    Clinic.objects.filter(pk=personas["clinic"].pk).update(
        risk_thresholds={"relationship.low_total": {"fraction": "0.85"}}
    )
    episode = seed_caseload(personas["owner"], clients=1, sessions=3, prefix="C")[0]
    client.force_login(personas["owner"].user)
    response = client.get(reverse("client-detail", args=[episode.client_id]))
    assert response.status_code == 200
    note = response.context["page"].figures["relationship"].figure["layout"]["annotations"][-1]["text"]
    assert note == "Shaded: below 9 (36/40)"
