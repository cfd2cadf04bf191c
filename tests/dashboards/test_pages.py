"""The clinician home and the client page, as each persona sees them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import AccessLink, AuditEvent, Client, Score
from dashboards.caseload import caseload_trend, recent_scores
from dashboards.portal import portal_link_issue
from readiness.models import Goal
from regimen.models import PlanRevision
from tests import factories
from tests.dashboards.builders import seed_caseload

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
    other_program = factories.ProgramFactory(clinic=personas["clinic"], name="Young adults")
    extra = factories.EpisodeFactory(clinician=personas["owner"], program=other_program)
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
    checkin = factories.CheckInFactory(
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


def test_goals_are_added_endorsed_and_achieved_from_the_client_page(client, personas):
    episode = personas["owner_episode"]
    client.force_login(personas["owner"].user)
    client.post(
        reverse("goal-add", args=[episode.pk]), {"text": "  Go back to work part-time  ", "endorsed": ""}
    )
    goal = Goal.objects.get(episode=episode)
    assert goal.text == "Go back to work part-time" and goal.endorsed_by_client is None
    client.post(reverse("goal-endorse", args=[goal.pk]), {"endorsed": "no"})
    goal.refresh_from_db()
    assert goal.endorsed_by_client is False
    client.post(reverse("goal-achieve", args=[goal.pk]))
    goal.refresh_from_db()
    assert goal.achieved_on == timezone.localdate()
    response = client.post(reverse("goal-achieve", args=[goal.pk]), follow=True)
    assert "already marked achieved" in response.content.decode()
    assert AuditEvent.objects.filter(object_type="readiness.Goal").count() == 3


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


def test_a_goal_the_client_does_not_endorse_raises_its_flag_at_once(
    client, personas, django_capture_on_commit_callbacks
):
    # Given a goal recorded on the client page
    episode = personas["owner_episode"]
    client.force_login(personas["owner"].user)
    client.post(reverse("goal-add", args=[episode.pk]), {"text": "Stop drinking entirely", "endorsed": ""})
    goal = Goal.objects.get(episode=episode)
    # When the clinician records that the client does not endorse it
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("goal-endorse", args=[goal.pk]), {"endorsed": "no"})
    # Then the risk engine has already looked, and the flag quotes the goal
    flag = episode.flags.get(rule="readiness.goal_not_endorsed")
    assert "Stop drinking entirely" in flag.reasons[0]["text"]
    # And endorsing it later lets the flag go
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("goal-endorse", args=[goal.pk]), {"endorsed": "yes"})
    flag.refresh_from_db()
    assert flag.status == "resolved"
