"""Webhooks delivered to a real HTTP receiver on 127.0.0.1: signed with the endpoint's secret and a
timestamp, retried with backoff, logged, and replayable from the admin page."""

import http.server
import json
import threading
import time

import pytest
from django.utils import timezone

from api import webhooks
from api.models import WebhookDelivery, WebhookEndpoint
from care.models import CheckIn
from risk.models import Flag
from risk.services import flag_resolve
from tests.care.factories import CheckInFactory, SessionFactory
from tests.risk.factories import FlagFactory

pytestmark = pytest.mark.django_db


class Receiver:
    """A local HTTP server that records each request and answers with the next scripted status."""

    def __init__(self, statuses=()):
        self.requests: list[dict] = []
        self.statuses = list(statuses)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append({"headers": dict(self.headers), "body": body, "at": time.time()})
                self.send_response(outer.statuses.pop(0) if outer.statuses else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.API_WEBHOOKS_ALLOW_PRIVATE = True
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def endpoint(clinic_setup, receiver):
    return WebhookEndpoint.objects.create(
        clinic=clinic_setup["clinic"],
        url=receiver.url,
        secret=webhooks.new_secret(),
        events=list(WebhookEndpoint.Event.values),
    )


def test_a_raised_flag_is_delivered_signed_with_ids_and_levels_only(
    clinic_setup, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        flag = FlagFactory(episode=clinic_setup["episode"], level=Flag.Level.RED)
    FlagFactory(episode=clinic_setup["other_episode"])  # another clinic's flag: not ours to hear
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert webhooks.verify(endpoint.secret, request["headers"]["Attune-Signature"], request["body"])
    assert not webhooks.verify("whsec_wrong", request["headers"]["Attune-Signature"], request["body"])
    assert not webhooks.verify(
        endpoint.secret, request["headers"]["Attune-Signature"], request["body"] + b" "
    )
    payload = json.loads(request["body"])
    assert payload["event"] == "flag.raised" == request["headers"]["Attune-Event"]
    assert payload["data"] == {
        "flag_id": flag.pk,
        "episode_id": flag.episode_id,
        "appointment_id": None,
        "pillar": "relationship",
        "level": "red",
        "status": "open",
    }
    assert "Alliance" not in request["body"].decode()  # no reasons, no free text
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)


def test_an_old_signature_is_refused_by_verify(endpoint):
    body = b'{"event":"flag.raised"}'
    header = webhooks.sign(endpoint.secret, 1_000_000, body)
    assert webhooks.verify(endpoint.secret, header, body, now=1_000_100)
    assert not webhooks.verify(endpoint.secret, header, body, now=1_000_000 + 301)


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(
    clinic_setup, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500, 503]
    with django_capture_on_commit_callbacks(execute=True):
        FlagFactory(episode=clinic_setup["episode"])
    assert len(receiver.requests) == 3  # eager Celery runs each retry at once; a worker waits backoff_seconds
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 204)
    assert [webhooks.backoff_seconds(n) for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def test_a_receiver_that_never_answers_ends_failed_after_the_last_attempt(
    clinic_setup, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500] * webhooks.MAX_ATTEMPTS
    with django_capture_on_commit_callbacks(execute=True):
        FlagFactory(episode=clinic_setup["episode"])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", webhooks.MAX_ATTEMPTS)
    assert len(receiver.requests) == webhooks.MAX_ATTEMPTS


def test_the_admin_replays_a_delivery(
    client, clinic_setup, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500] * webhooks.MAX_ATTEMPTS
    with django_capture_on_commit_callbacks(execute=True):
        FlagFactory(episode=clinic_setup["episode"])
    failed = WebhookDelivery.objects.get()
    client.force_login(clinic_setup["admin"])
    page = client.get("/api/webhooks/").content.decode()
    assert "Failed" in page and "flag.raised" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/webhooks/deliveries/{failed.pk}/replay/").status_code == 302
    again = WebhookDelivery.objects.exclude(pk=failed.pk).get()
    assert again.status == "delivered" and again.payload == failed.payload
    assert json.loads(receiver.requests[-1]["body"]) == failed.payload
    client.force_login(clinic_setup["clinician"].user)
    assert client.post(f"/api/webhooks/deliveries/{failed.pk}/replay/").status_code == 404


def test_resolved_flags_and_completed_checkins_are_heard(
    clinic_setup, endpoint, receiver, django_capture_on_commit_callbacks
):
    flag = FlagFactory(episode=clinic_setup["episode"])
    session = SessionFactory(episode=clinic_setup["episode"], number=1)
    checkin = CheckInFactory(session=session)
    receiver.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        flag_resolve(flag=flag, actor=None, reason="Recovered")
        checkin.status, checkin.submitted_at = CheckIn.Status.SUBMITTED, timezone.now()
        checkin.save(update_fields=["status", "submitted_at"])
    events = [json.loads(r["body"]) for r in receiver.requests]
    assert [e["event"] for e in events] == ["flag.resolved", "checkin.completed"]
    assert events[1]["data"] == {
        "checkin_id": checkin.pk,
        "appointment_id": session.pk,
        "episode_id": session.episode_id,
    }


def test_an_endpoint_listens_only_to_its_events(
    clinic_setup, endpoint, receiver, django_capture_on_commit_callbacks
):
    endpoint.events = ["checkin.completed"]
    endpoint.save()
    with django_capture_on_commit_callbacks(execute=True):
        FlagFactory(episode=clinic_setup["episode"])
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_the_admin_adds_an_endpoint_and_sees_its_secret_once(client, clinic_setup, receiver, settings):
    client.force_login(clinic_setup["admin"])
    response = client.post("/api/webhooks/new/", {"url": receiver.url, "events": ["flag.raised"]})
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in client.get("/api/webhooks/").content.decode()
    settings.API_WEBHOOKS_ALLOW_PRIVATE = False
    refused = client.post("/api/webhooks/new/", {"url": receiver.url, "events": ["flag.raised"]})
    assert refused.status_code == 400 and "https" in refused.content.decode()
    with pytest.raises(webhooks.EndpointRefused):
        webhooks.check_url("https://127.0.0.1/hooks")


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://example.org/x",
        "https://",
        "https://example.org:99999/x",
        "https://exa mple.org/",
        "http://[::1",
    ],
)
def test_odd_endpoint_addresses_are_refused_with_a_message(client, clinic_setup, url):
    client.force_login(clinic_setup["admin"])
    response = client.post("/api/webhooks/new/", {"url": url, "events": ["flag.raised"]})
    assert response.status_code == 400
    assert not WebhookEndpoint.objects.exists()
