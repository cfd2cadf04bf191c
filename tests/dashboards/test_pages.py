"""The clinician home and the client page, as each persona sees them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import AccessLink, AuditEvent, Client, Score
from dashboards.caseload import caseload_trend, recent_scores
from dashboards.portal import portal_link_issue
from tests.care.factories import CheckInFactory, EpisodeFactory, ProgramFactory
from tests.dashboards.factories import seed_caseload
from tests.risk.factories import FlagFactory

pytestmark = pytest.mark.django_db


def test_clinician_home_lists_own_caseload_with_flags_and_pillar_chips(client, personas, rich_case):
    # Given the owner's caseload with a flagged client
    client.force_login(personas["owner"].user)
    # When they open their home
    response = client.get(reverse("caseload"))
    # Then they see their clients, the pillar chips with reasons, and the flag in the inbox
    body = response.content.decode()
    assert response.status_code == 200
    flagged = rich_case[0].client
    assert str(flagged) in body
    assert "Relationship fell from 36 to 29" in body
    assert "chip-red" in body and "Act now" in body
    assert str(personas["colleague_episode"].client) not in body
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]


def test_caseload_filters_by_flagged_and_program_and_sorts(client, personas, rich_case):
    # Given three clients of which two are flagged (flag_every=2), and one more in another program
    other_program = ProgramFactory(clinic=personas["clinic"], name="Young adults")
    extra = EpisodeFactory(clinician=personas["owner"], program=other_program)
    client.force_login(personas["owner"].user)

    flagged = client.get(reverse("caseload"), {"flagged": "1"}).context["page"]
    assert {r.episode.pk for r in flagged.rows} == {rich_case[0].pk, rich_case[2].pk}

    by_program = client.get(reverse("caseload"), {"program": other_program.pk}).context["page"]
    assert [r.episode.pk for r in by_program.rows] == [extra.pk]
    assert other_program in by_program.programs

    by_week = client.get(reverse("caseload"), {"sort": "week", "dir": "asc"}).context["page"]
    assert by_week.rows[0].episode.pk in {extra.pk, personas["owner_episode"].pk}  # the newest episodes
    assert client.get(reverse("caseload"), {"sort": "nonsense", "program": "x"}).status_code == 200


def test_caseload_read_is_audited_once_with_every_client(client, personas, rich_case):
    client.force_login(personas["owner"].user)
    client.get(reverse("caseload"))
    event = AuditEvent.objects.get(object_type="caseload")
    assert set(event.detail["client_ids"]) == {e.client_id for e in rich_case} | {
        personas["owner_episode"].client_id
    }


def test_client_page_shows_charts_answers_own_words_plan_goals_and_audits_the_read(
    client, personas, rich_case
):
    episode = rich_case[0]
    client.force_login(personas["owner"].user)
    response = client.get(reverse("client-detail", args=[episode.client_id]))
    body = response.content.decode()
    page = response.context["page"]
    assert set(page.figures) == {"relationship", "phq9", "gad7", "readiness", "attendance"}
    assert body.count("vendor/plotly/plotly.min.js") == 1 and "cdn.plot.ly" not in body
    assert 'id="figure-relationship" type="application/json"' in body
    assert "Major depressive disorder, recurrent, moderate" in body and "F33.1" in body
    assert "Get back to seeing friends on weekends." in body
    assert "Two sessions cancelled by the clinician" in body
    assert "no-store" in response["Cache-Control"]
    assert (
        AuditEvent.objects.filter(client=episode.client, action="read", object_type="care.Client").count()
        == 1
    )


def test_the_clients_own_words_are_escaped(client, personas):
    # Given a check-in whose free text contains markup
    checkin = CheckInFactory(
        session__episode=personas["owner_episode"],
        status="submitted",
        submitted_at=timezone.now(),
        instrument_versions={"closing": "1"},
        answers={"closing": {"note": "<script>alert('x')</script> I felt rushed"}},
    )
    client.force_login(personas["owner"].user)
    body = client.get(reverse("client-detail", args=[checkin.session.episode.client_id])).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; I felt rushed" in body
    assert "<script>alert" not in body


def test_sending_the_portal_link_emails_a_link_that_opens_the_clients_page_again_and_again(
    client, personas, rich_case, mailoutbox, django_capture_on_commit_callbacks
):
    episode = rich_case[0]
    client.force_login(personas["owner"].user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal-link-send", args=[episode.client_id]))
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [episode.client.email]
    url = next(word for word in mailoutbox[0].body.split() if "/me/" in word)
    path = url[url.index("/me/") :]
    client.logout()
    for _ in range(2):  # reusable while live: a refresh or a second visit still works
        page = client.get(path)
        assert page.status_code == 200
        assert f"Hello, {episode.client.given_name}" in page.content.decode()
    assert AuditEvent.objects.filter(client=episode.client, action="read", actor__isnull=True).count() == 2


def test_an_expired_portal_link_gets_a_kind_page(client, personas):
    token = portal_link_issue(client=personas["owner_episode"].client)
    AccessLink.objects.update(
        expires_at=timezone.now() - dt.timedelta(minutes=1), created_at=timezone.now() - dt.timedelta(days=8)
    )
    response = client.get(reverse("portal", args=[token]))
    assert response.status_code == 404
    assert "This link has expired" in response.content.decode()
    assert personas["owner_episode"].client.given_name not in response.content.decode()


def test_the_clients_own_page_shows_their_ratings_and_not_the_clinicians(client, personas, rich_case):
    # Given a client whose clinician rated some sessions too
    episode = rich_case[0]
    clinician_page = _figure_traces(client, personas, episode)
    assert any(t["name"] == "Clinician" and t["x"] for t in clinician_page)
    # When the client opens their own page
    response = client.get(reverse("portal", args=[portal_link_issue(client=episode.client)]))
    traces = response.context["page"].figures["relationship"].figure["data"]
    # Then the relationship chart holds their own ratings only, and no session shows the clinician's rating
    assert any(t["name"] == "Client" and t["x"] for t in traces)
    assert not any(t["name"] == "Clinician" and t["x"] for t in traces)
    assert "Clinician&#x27;s own rating" not in response.content.decode()


def _figure_traces(client, personas, episode) -> list[dict]:
    client.force_login(personas["owner"].user)
    response = client.get(reverse("client-detail", args=[episode.client_id]))
    assert "Clinician&#x27;s own rating" in response.content.decode()
    client.logout()
    return response.context["page"].figures["relationship"].figure["data"]


def test_portal_is_in_the_clients_language(client, personas):
    mine = personas["owner_episode"].client
    mine.preferred_language = "es"
    mine.save(update_fields=["preferred_language"])
    response = client.get(reverse("portal", args=[portal_link_issue(client=mine)]))
    assert response.status_code == 200
    assert '<html lang="es">' in response.content.decode()


def test_a_client_without_email_cannot_be_sent_a_link(client, personas):
    episode = personas["owner_episode"]
    Client.objects.filter(pk=episode.client_id).update(email="")
    client.force_login(personas["owner"].user)
    response = client.post(reverse("portal-link-send", args=[episode.client_id]), follow=True)
    assert "no email address" in response.content.decode()
    assert not AccessLink.objects.filter(client_id=episode.client_id).exists()


def test_sparkline_holds_the_last_twelve_relationship_totals_oldest_first(personas):
    # The relationship pillar registers its total as the caseload's trend
    trend = caseload_trend()
    assert (trend.instrument, trend.scale) == ("relationship", "total")

    def recent_relationship_totals(ids):
        return recent_scores(ids, instrument=trend.instrument, scale=trend.scale)

    episode = seed_caseload(personas["owner"], clients=1, sessions=20, prefix="T")[0]
    expected = list(
        Score.objects.filter(checkin__session__episode=episode, instrument="relationship", scale="total")
        .order_by("checkin__session__number")
        .values_list("value", flat=True)
    )[-12:]
    assert recent_relationship_totals([episode.pk])[episode.pk] == expected
    assert recent_relationship_totals([]) == {}


def test_the_clients_own_page_speaks_to_the_client_about_their_alerts(client, personas):
    # Given a relationship flag in the clinician's words on the client's episode
    episode = personas["owner_episode"]
    FlagFactory(
        episode=episode,
        rule="relationship.low_total",
        reasons=[{"text": "After session 1 the client's relationship total was 30 of 40.", "evidence": {}}],
    )
    # When the client opens their own page
    response = client.get(reverse("portal", args=[portal_link_issue(client=episode.client)]))
    body = response.content.decode()
    # Then it tells them, in their own terms, what their clinician will ask about
    assert "You told us the last session didn&#x27;t work as well for you as it could." in body
    assert "the client&#x27;s relationship total" not in body
