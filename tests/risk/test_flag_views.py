"""The inbox and the lifecycle steps over HTTP: who may see and act, with and without JavaScript."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from care.models import AuditEvent
from risk.models import Flag, FlagEvent
from risk.services import digests_send
from tests.care.factories import EpisodeFactory
from tests.risk.factories import FlagFactory

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def flag(personas):
    return FlagFactory(
        episode=personas["owner_episode"],
        rule="relationship.low_total",
        reasons=[{"text": "Rated <script>alert(1)</script> 30 of 40.", "evidence": {"session": 1}}],
    )


def as_user(client, clinician_or_user):
    user = getattr(clinician_or_user, "user", clinician_or_user)
    client.force_login(user)
    return client


def test_inbox_shows_the_owners_flag_with_reason_action_and_client_link(client, personas, flag):
    response = as_user(client, personas["owner"]).get(reverse("flag-inbox"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Rated &lt;script&gt;alert(1)&lt;/script&gt; 30 of 40." in body  # free text escaped
    assert flag.suggested_action in body
    assert reverse("client-detail", args=[flag.episode.client_id]) in body  # one click to the client
    assert AuditEvent.objects.filter(object_type="flag inbox", actor=personas["owner"].user).exists()


def test_colleague_does_not_see_the_flag(client, personas, flag):
    response = as_user(client, personas["colleague"]).get(reverse("flag-inbox"))
    assert flag.episode.client.family_name not in response.content.decode()


@pytest.mark.parametrize("who", ["colleague", "outsider", "admin"])
@pytest.mark.parametrize("step", ["flag-detail", "flag-acknowledge", "flag-repair", "flag-resolve"])
def test_not_yours_is_404_for_every_flag_url(client, personas, flag, who, step):
    c = as_user(client, personas[who])
    url = reverse(step, args=[flag.pk])
    response = c.get(url) if step == "flag-detail" else c.post(url, {"note": "x", "reason": "x"})
    assert response.status_code == 404
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN


def test_missing_flag_is_404_like_not_yours(client, personas):
    assert as_user(client, personas["owner"]).get(reverse("flag-detail", args=[999999])).status_code == 404


def test_supervisor_sees_supervisees_flag_but_cannot_act_on_it(client, personas, flag):
    c = as_user(client, personas["supervisor"])
    assert c.get(reverse("flag-detail", args=[flag.pk])).status_code == 200
    assert c.post(reverse("flag-acknowledge", args=[flag.pk])).status_code == 403


def test_acknowledge_without_javascript_redirects_back_and_records_who(client, personas, flag):
    c = as_user(client, personas["owner"])
    response = c.post(reverse("flag-acknowledge", args=[flag.pk]), {"next": "/caseload/"})
    assert response.status_code == 302 and response["Location"] == "/caseload/"
    flag.refresh_from_db()
    assert flag.status == Flag.Status.ACKNOWLEDGED
    assert flag.acknowledged_by == personas["owner"].user and flag.acknowledged_at is not None
    assert FlagEvent.objects.filter(flag=flag, action="acknowledged", actor=personas["owner"].user).exists()


def test_next_pointing_elsewhere_is_ignored(client, personas, flag):
    c = as_user(client, personas["owner"])
    response = c.post(reverse("flag-acknowledge", args=[flag.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("flag-inbox")


def test_fetch_gets_the_updated_card(client, personas, flag):
    c = as_user(client, personas["owner"])
    response = c.post(
        reverse("flag-repair", args=[flag.pk]), {"note": "Asked what felt off; slowed down."}, **FETCH
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="flag-{flag.pk}"' in body and "Repair recorded" in body
    assert "Asked what felt off; slowed down." in body


def test_empty_repair_note_is_refused_with_a_message(client, personas, flag):
    c = as_user(client, personas["owner"])
    response = c.post(reverse("flag-repair", args=[flag.pk]), {"note": "  "}, **FETCH)
    assert response.status_code == 400
    assert "Say what was done to repair the alliance." in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN


def test_full_lifecycle_records_every_step(client, personas, flag):
    c = as_user(client, personas["owner"])
    c.post(reverse("flag-acknowledge", args=[flag.pk]))
    c.post(reverse("flag-repair", args=[flag.pk]), {"note": "Named the rupture in session 2."})
    c.post(reverse("flag-resolve", args=[flag.pk]), {"reason": "Client says it feels right again."})
    flag.refresh_from_db()
    assert flag.status == Flag.Status.RESOLVED
    assert (
        flag.resolved_by == personas["owner"].user and flag.resolution == "Client says it feels right again."
    )
    assert list(flag.events.values_list("action", flat=True)) == [
        "acknowledged",
        "repair_recorded",
        "resolved",
    ]
    detail = c.get(reverse("flag-detail", args=[flag.pk])).content.decode()
    assert "Repair recorded" in detail and "Named the rupture in session 2." in detail


def test_resolve_needs_a_reason(client, personas, flag):
    c = as_user(client, personas["owner"])
    c.post(reverse("flag-resolve", args=[flag.pk]), {"reason": ""})
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN


def test_supervisor_sees_stale_flags_of_supervisees(client, personas, flag):
    Flag.objects.filter(pk=flag.pk).update(stale_at=timezone.now())
    body = as_user(client, personas["supervisor"]).get(reverse("flag-inbox")).content.decode()
    assert "Unacknowledged too long — your supervisees" in body
    assert reverse("flag-detail", args=[flag.pk]) in body


def test_inbox_query_count_does_not_grow_with_flags(client, personas):
    c = as_user(client, personas["owner"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("flag-inbox")).status_code == 200
        return len(ctx.captured_queries)

    FlagFactory(episode=personas["owner_episode"])
    one = count()
    for _ in range(20):
        FlagFactory(episode=EpisodeFactory(clinician=personas["owner"]))
    assert count() == one


def test_digest_emails_each_clinician_once_per_change_without_names(personas, flag):
    personas["owner"].user.email = "owner@example.org"
    personas["owner"].user.save(update_fields=["email"])
    assert digests_send() == 1
    message = mail.outbox[0]
    assert message.to == ["owner@example.org"]
    assert flag.episode.client.reference in message.body
    assert flag.episode.client.family_name not in message.body
    assert "/flags/" in message.body
    # Nothing new: no second email. New evidence: a new one.
    assert digests_send() == 0
    Flag.objects.filter(pk=flag.pk).update(updated_at=timezone.now())
    assert digests_send() == 1


def test_the_inbox_sorts_by_urgency_red_then_longest_waiting_then_amber(client, personas):
    # Given four clients' flags: amber old, red new, red old but acknowledged, red old
    owner = personas["owner"]
    now = timezone.now()

    def flag_on(level, days_ago, status=Flag.Status.OPEN):
        when = now - timezone.timedelta(days=days_ago)
        return FlagFactory(
            episode=EpisodeFactory(clinician=owner),
            level=level,
            status=status,
            opened_at=when,
            updated_at=when,
        )

    amber_old = flag_on("amber", 9)
    red_new = flag_on("red", 1)
    red_seen = flag_on("red", 8, Flag.Status.ACKNOWLEDGED)
    red_old = flag_on("red", 5)
    # When the clinician opens the inbox
    response = as_user(client, owner).get(reverse("flag-inbox"))
    # Then red flags not yet acknowledged come first, the longest waiting first, then seen reds, then amber
    assert [f.pk for f in response.context["flags"]] == [red_old.pk, red_new.pk, red_seen.pk, amber_old.pk]
    body = response.content.decode()
    assert body.index(f'id="flag-{red_old.pk}"') < body.index(f'id="flag-{amber_old.pk}"')
    assert 'class="chip chip-red"' in body and 'class="chip chip-amber"' in body  # true colours


def test_the_flag_page_has_its_heading_and_the_same_title_and_level_as_the_inbox(client, personas, flag):
    c = as_user(client, personas["owner"])
    detail = c.get(reverse("flag-detail", args=[flag.pk])).content.decode()
    inbox = c.get(reverse("flag-inbox")).content.decode()
    assert f"<h1>Relationship flag for {flag.episode.client}</h1>" in detail
    title = "Alliance total below 90% of its maximum"
    assert title in detail and title in inbox
    assert detail.count('class="chip chip-amber"') == inbox.count('class="chip chip-amber"') == 1


def test_a_reopened_flag_marks_what_is_new_since_the_acknowledgement(client, personas, flag):
    flag.findings = [
        {"rule": "relationship.low_total", "level": "amber", "session_id": None, "reasons": flag.reasons},
        {
            "rule": "relationship.persistent_low",
            "level": "red",
            "session_id": None,
            "reasons": [{"text": "Low twice running.", "evidence": {}}],
        },
    ]
    flag.new_findings, flag.reopened_at = ["relationship.persistent_low"], timezone.now()
    flag.save()
    body = as_user(client, personas["owner"]).get(reverse("flag-detail", args=[flag.pk])).content.decode()
    assert "Open again:" in body and body.count("New since you acknowledged") == 1
    assert "(and 1 more finding)" in body


def test_a_card_swapped_in_on_the_flag_page_keeps_its_heading_level(client, personas, flag):
    c = as_user(client, personas["owner"])
    url = reverse("flag-acknowledge", args=[flag.pk])
    on_detail = c.post(url, {"card_heading": "2"}, **FETCH).content.decode()
    assert f'<h2 id="flag-{flag.pk}-title"' in on_detail
    flag.status = Flag.Status.OPEN
    flag.save(update_fields=["status"])
    in_list = c.post(url, {"card_heading": "<script>"}, **FETCH).content.decode()
    assert f'<h3 id="flag-{flag.pk}-title"' in in_list
