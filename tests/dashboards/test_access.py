"""URL by URL: a clinician reaches only their caseload, a client only themself. Everything else is 404.

Each dashboard URL is tried by every persona against the owner's objects. The owner succeeds; the owner's
supervisor may read (and is refused writes with 403, since they can see the object); a colleague in the
same clinic, a clinician in another clinic and the clinic admin all get 404, the same as a missing id."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from care.models import AccessLink
from dashboards.portal import portal_link_issue, portal_link_send
from tests.care.factories import CheckInFactory
from tests.readiness.factories import GoalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(personas):
    episode = personas["owner_episode"]
    goal = GoalFactory(episode=episode, set_on=episode.opened_on)
    return {"episode": episode, "client": episode.client, "goal": goal}


PLAN = {
    "diagnosis_code": "F41.1",
    "diagnosis_label": "Generalized anxiety disorder",
    "modality": "cbt",
    "frequency": "weekly",
    "container": "individual",
}

# (name, method, url builder, POST data, status for the owner, status for the supervisor)
URLS = [
    ("client page", "get", lambda o: reverse("client-detail", args=[o["client"].pk]), None, 200, 200),
    (
        "client page, other episode",
        "get",
        lambda o: reverse("client-detail", args=[o["client"].pk]) + f"?episode={o['episode'].pk}",
        None,
        200,
        200,
    ),
    ("send portal link", "post", lambda o: reverse("portal-link-send", args=[o["client"].pk]), {}, 302, 403),
    ("plan page", "get", lambda o: reverse("plan-edit", args=[o["episode"].pk]), None, 200, 200),
    ("plan revise", "post", lambda o: reverse("plan-edit", args=[o["episode"].pk]), PLAN, 302, 403),
    (
        "goal add",
        "post",
        lambda o: reverse("goal-add", args=[o["episode"].pk]),
        {"text": "Walk daily"},
        302,
        403,
    ),
    (
        "goal endorse",
        "post",
        lambda o: reverse("goal-endorse", args=[o["goal"].pk]),
        {"endorsed": "yes"},
        302,
        403,
    ),
    ("goal achieve", "post", lambda o: reverse("goal-achieve", args=[o["goal"].pk]), {}, 302, 403),
]
MISSING = [
    ("client page", "get", reverse("client-detail", args=[987654]), None),
    ("send portal link", "post", reverse("portal-link-send", args=[987654]), {}),
    ("plan page", "get", reverse("plan-edit", args=[987654]), None),
    ("goal add", "post", reverse("goal-add", args=[987654]), {"text": "x"}),
    ("goal endorse", "post", reverse("goal-endorse", args=[987654]), {"endorsed": "yes"}),
    ("goal achieve", "post", reverse("goal-achieve", args=[987654]), {}),
]


def _call(client, method, url, data):
    return client.post(url, data) if method == "post" else client.get(url)


@pytest.mark.parametrize(
    ("name", "method", "url", "data", "owner_status", "supervisor_status"), URLS, ids=[u[0] for u in URLS]
)
def test_owner_and_supervisor(
    client, personas, owned, name, method, url, data, owner_status, supervisor_status
):
    client.force_login(personas["owner"].user)
    assert _call(client, method, url(owned), data).status_code == owner_status
    client.force_login(personas["supervisor"].user)
    assert _call(client, method, url(owned), data).status_code == supervisor_status


@pytest.mark.parametrize("persona", ["colleague", "outsider", "admin"])
@pytest.mark.parametrize(("name", "method", "url", "data", "_o", "_s"), URLS, ids=[u[0] for u in URLS])
def test_everyone_else_gets_404(client, personas, owned, persona, name, method, url, data, _o, _s):
    user = personas[persona] if persona == "admin" else personas[persona].user
    client.force_login(user)
    assert _call(client, method, url(owned), data).status_code == 404


@pytest.mark.parametrize(("name", "method", "url", "data"), MISSING, ids=[m[0] for m in MISSING])
def test_missing_objects_get_the_same_404(client, personas, name, method, url, data):
    client.force_login(personas["owner"].user)
    assert _call(client, method, url, data).status_code == 404


@pytest.mark.parametrize(("name", "method", "url", "data", "_o", "_s"), URLS, ids=[u[0] for u in URLS])
def test_signed_out_is_sent_to_sign_in(client, owned, name, method, url, data, _o, _s):
    response = _call(client, method, url(owned), data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_episode_id_of_someone_else_does_not_switch_the_client_page(client, personas, owned):
    # Given the owner's client page asked to show a colleague's episode
    client.force_login(personas["owner"].user)
    url = reverse("client-detail", args=[owned["client"].pk]) + f"?episode={personas['colleague_episode'].pk}"
    # Then it shows the owner's own episode and nothing of the colleague's client
    body = client.get(url).content.decode()
    assert str(personas["colleague_episode"].client) not in body


def test_caseload_holds_only_the_users_own_clients(client, personas):
    client.force_login(personas["colleague"].user)
    body = client.get(reverse("caseload")).content.decode()
    assert str(personas["colleague_episode"].client) in body
    assert str(personas["owner_episode"].client) not in body
    assert str(personas["outsider_episode"].client) not in body


def test_admin_has_no_caseload(client, personas):
    client.force_login(personas["admin"])
    assert client.get(reverse("caseload")).status_code == 404


def test_a_portal_link_opens_only_its_own_clients_page(client, personas):
    mine = personas["owner_episode"].client
    other = personas["colleague_episode"].client
    token = portal_link_issue(client=mine)
    body = client.get(reverse("portal", args=[token])).content.decode()
    assert mine.given_name in body
    assert str(other) not in body and other.reference not in body


def test_a_check_in_link_does_not_open_the_portal(client, personas):
    from care.links import link_issue
    from care.models import AccessLink

    checkin = CheckInFactory(session__episode=personas["owner_episode"])
    _link, token, _code = link_issue(
        purpose=AccessLink.Purpose.CHECKIN,
        client=checkin.session.episode.client,
        checkin=checkin,
        ttl=__import__("datetime").timedelta(days=1),
    )
    assert client.get(reverse("portal", args=[token])).status_code == 404


def test_a_signed_in_clinician_gets_no_more_from_a_bad_portal_token(client, personas):
    client.force_login(personas["owner"].user)
    response = client.get(reverse("portal", args=["x" * 22]))
    assert response.status_code == 404
    assert personas["owner_episode"].client.given_name not in response.content.decode()


def test_the_portal_link_service_itself_refuses_anyone_but_the_holding_clinician(personas, mailoutbox):
    # The service asks care.access, whatever view calls it: a supervisor can see the episode, not send
    episode = personas["owner_episode"]
    with pytest.raises(PermissionDenied):
        portal_link_send(actor=personas["supervisor"].user, episode=episode)
    assert not AccessLink.objects.filter(client_id=episode.client_id).exists()
    portal_link_send(actor=personas["owner"].user, episode=episode)
    assert AccessLink.objects.filter(client_id=episode.client_id).count() == 1
