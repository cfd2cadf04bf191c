"""The client's goals, recorded from the client page: added, endorsed or not, achieved; a goal the
client does not endorse raises its flag at once."""

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import AuditEvent
from readiness.models import Goal

pytestmark = pytest.mark.django_db


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
