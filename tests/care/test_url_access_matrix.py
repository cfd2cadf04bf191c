"""Every URL that names a client's object, for every role: only the owner (and the owner's supervisor)
gets through; a colleague, an admin and another clinic's clinician get the same 404 as for an object that
does not exist.

The URL list is read from the resolver, so a new URL is covered the day it is added; a new kind of id in a
URL fails here until it is added to OBJECTS below."""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from api.base import IntegrationView
from api.keys import key_issue
from api.models import ApiKey, WebhookDelivery, WebhookEndpoint
from care.models import User
from demo.models import DemoMail
from instruments.library import get_instrument
from instruments.models import InstrumentDefinition
from reports.filters import ReportFilters
from reports.jobs import job_run
from reports.models import ReportJob
from tests.care.factories import CheckInFactory, SessionFactory, UserFactory
from tests.readiness.factories import GoalFactory
from tests.regimen.factories import PlanRevisionFactory
from tests.risk.factories import FlagFactory

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("admin/", "api/schema", "api/docs")
# Ids of the clinic's configuration rather than of a client: only that clinic's admin gets through.
CONFIGURATION_IDS = {
    "definition_id",
    "staff_id",
    "supervision_id",
    "program_id",
    "key_id",
    "endpoint_id",
    "delivery_id",
    "job_id",  # a report export of the clinic (reports.export_views)
}


def _routes(patterns=None, prefix: str = ""):
    """(route template, converters) for every URL pattern in the project."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, dict(entry.pattern.converters)


def _is_integration(callback) -> bool:
    """An integration API view (api.base.IntegrationView): API keys only, never a staff session. The FHIR
    URLs that answer both (a plain function dispatching on Authorization) stay in the staff matrix."""
    view_class = getattr(callback, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, IntegrationView)


def _integration_routes():
    """(route, callback) for every integration API URL, whether it answers keys only or keys and staff."""
    for route, _converters, callback in _routes_with_callbacks():
        if (
            route.startswith("api/v1/")
            and hasattr(callback, "cls")
            and issubclass(callback.cls, IntegrationView)
        ):
            yield route, callback


def _routes_with_callbacks(patterns=None, prefix: str = ""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes_with_callbacks(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, dict(entry.pattern.converters), entry.callback


def _is_configuration(route: str) -> bool:
    return any(f"<int:{name}>" in route for name in CONFIGURATION_IDS)


def _object_routes(*, configuration: bool = False) -> list[str]:
    routes = []
    integration = {route for route, _c, callback in _routes_with_callbacks() if _is_integration(callback)}
    for route, converters in _routes():
        if route.startswith(SKIPPED_PREFIXES) or not converters or route in integration:
            continue
        if any(type(c).__name__ != "IntConverter" for c in converters.values()):
            continue  # token URLs (str) are for clients and are tested with the links
        if _is_configuration(route) == configuration:
            routes.append(route)
    return sorted(set(routes))


@pytest.fixture
def objects(personas, settings, tmp_path):
    """One of each kind of object, all on the owner's episode (or in the owner's clinic)."""
    episode = personas["owner_episode"]
    session = SessionFactory(episode=episode, number=1)
    checkin = CheckInFactory(session=session)
    flag = FlagFactory(episode=episode, session=session)
    goal = GoalFactory(episode=episode)
    plan = PlanRevisionFactory(
        episode=episode,
        diagnosis_code="F41.1",
        diagnosis_label="Generalized anxiety disorder",
        revised_at=timezone.now() - dt.timedelta(days=1),
    )
    definition = InstrumentDefinition.objects.create(
        clinic=personas["clinic"],
        key="phq9",
        version="local-1",
        definition=get_instrument("phq9").model_dump(mode="json") | {"version": "local-1"},
    )
    # A message in the demo mailbox, to the owner's client (the URLs exist in demo mode only).
    kept = DemoMail.objects.create(
        to="client@example.org", subject="Check-in", body="", client=episode.client
    )
    key, _secret = key_issue(
        actor=personas["admin"], clinic=personas["clinic"], name="EHR", scopes=["fhir:read"]
    )
    endpoint = WebhookEndpoint.objects.create(
        clinic=personas["clinic"],
        url="https://ehr.example.org/hooks",
        events=["flag.raised"],
        secret="whsec_x",
    )
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="flag.raised", payload={})
    # A finished export of the clinic's report, its file in a folder of this test's own.
    settings.REPORTS_EXPORT_DIR = tmp_path
    job = ReportJob.objects.create(
        clinic=personas["clinic"],
        requested_by=personas["admin"],
        kind="summary",
        format="csv",
        params=ReportFilters.last_twelve_months(timezone.localdate()).as_params(),
    )
    job_run(job.pk)
    return {
        "job_id": job.pk,
        "key_id": key.pk,
        "endpoint_id": endpoint.pk,
        "delivery_id": delivery.pk,
        "appointment_id": session.pk,
        "mail_id": kept.pk,
        "definition_id": definition.pk,
        # the clinic settings' own objects: a member of staff, a supervision pair, a program
        "staff_id": personas["colleague"].user_id,
        "supervision_id": personas["owner"].supervisions_received.get().pk,
        "program_id": episode.program_id,
        "client_id": episode.client_id,
        "episode_id": episode.pk,
        "session_id": session.pk,
        "checkin_id": checkin.pk,
        "flag_id": flag.pk,
        "goal_id": goal.pk,
        "revision_id": plan.pk,
        "plan_id": plan.pk,
        "clinician_id": personas["owner"].pk,  # a clinician's indicators: theirs and their supervisor's
    }


def _url(route: str, ids: dict[str, int]) -> str:
    url = "/" + route
    for name in sorted(ids, key=len, reverse=True):
        url = url.replace(f"<int:{name}>", str(ids[name]))
    return url


def test_every_object_url_is_known_to_this_matrix(objects):
    routes = _object_routes() + _object_routes(configuration=True)
    unknown = [r for r in routes if "<int:" in _url(r, objects)]
    assert routes, "no object URLs found"
    assert unknown == [], f"add these ids to the matrix's objects: {unknown}"


@pytest.mark.parametrize("viewer", ["colleague", "outsider", "admin"])
def test_nobody_but_the_owner_reaches_the_owners_objects(client, personas, objects, viewer):
    user = personas[viewer] if isinstance(personas[viewer], User) else personas[viewer].user
    client.force_login(user)
    leaks = []
    for route in _object_routes():
        url = _url(route, objects)
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code not in (404, 405):
                leaks.append((method.__name__.upper(), url, response.status_code))
    assert leaks == []


@pytest.mark.parametrize("viewer", ["owner", "supervisor"])
def test_the_owner_and_their_supervisor_get_through(client, personas, objects, viewer):
    client.force_login(personas[viewer].user)
    refused = []
    for route in _object_routes():
        url = _url(route, objects)
        response = client.get(url)
        if response.status_code == 404:
            refused.append(url)
    assert refused == []


def test_signed_out_visitors_are_sent_to_sign_in_or_refused(client, objects):
    for route in _object_routes():
        response = client.get(_url(route, objects))
        assert response.status_code in (302, 401, 403, 404, 405), route
        if response.status_code == 302:
            assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("viewer", ["owner", "supervisor", "other_admin"])
def test_only_the_clinics_admin_reaches_its_configuration(client, personas, objects, viewer):
    if viewer == "other_admin":
        user = UserFactory(clinic=personas["outsider"].clinic, role=User.Role.ADMIN)
    else:
        user = personas[viewer].user
    client.force_login(user)
    leaks = []
    for route in _object_routes(configuration=True):
        url = _url(route, objects)
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code not in (404, 405):
                leaks.append((method.__name__.upper(), url, response.status_code))
    assert leaks == []


SETTINGS_PREFIX = "clinic/settings/"


@pytest.mark.parametrize("viewer", ["owner", "colleague", "supervisor"])
def test_clinicians_and_supervisors_get_404_on_every_clinic_settings_url(client, personas, objects, viewer):
    """Object or not: the settings pages are the clinic admin's alone (the sign-up link, a token URL for
    someone not yet signed in, aside)."""
    client.force_login(personas[viewer].user)
    routes = [r for r, _ in _routes() if r.startswith(SETTINGS_PREFIX) and "<str:token>" not in r]
    assert len(routes) >= 12
    leaks = []
    for route in routes:
        url = _url(route, objects)
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code not in (404, 405):
                leaks.append((method.__name__.upper(), url, response.status_code))
    assert leaks == []


def test_the_clinics_admin_gets_through_to_its_configuration(client, personas, objects):
    client.force_login(personas["admin"])
    for route in _object_routes(configuration=True):
        assert client.get(_url(route, objects)).status_code != 404, route


# The integration API: keys, not sessions -----------------------------------------------------------------

EXTERNAL_IDS = {"external_id": "MRN-OWNER"}


def _key_for(clinic, scopes) -> str:
    admin = UserFactory(clinic=clinic, role=User.Role.ADMIN)
    return key_issue(actor=admin, clinic=clinic, name="EHR", scopes=scopes)[1]


def _integration_calls(objects):
    """(method, url) for every operation of every integration URL, with the owner's ids."""
    ids = {**objects, **EXTERNAL_IDS}
    for route, callback in _integration_routes():
        url = _url(route, ids).replace("<extid:external_id>", ids["external_id"])
        url = url.replace("<slug:key>", "phq9")
        assert "<" not in url, f"add this URL's ids to the integration matrix: {route}"
        for method in ("get", "put", "patch", "post"):
            if hasattr(callback.cls, method):
                yield method, url, callback.cls.required_scope


def _call(client, method: str, url: str, secret: str):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_IDEMPOTENCY_KEY": "matrix"}
    if method == "get":
        return client.get(url, **headers)
    return getattr(client, method)(url, "{}", content_type="application/json", **headers)


def test_a_key_without_the_operations_scope_gets_403_everywhere(client, personas, objects):
    calls = list(_integration_calls(objects))
    assert calls, "no integration URLs found"
    wrong = []
    for scope in ApiKey.Scope.values:
        secret = _key_for(personas["clinic"], [s for s in ApiKey.Scope.values if s != scope])
        for method, url, needed in calls:
            if needed == scope and (code := _call(client, method, url, secret).status_code) != 403:
                wrong.append((scope, method.upper(), url, code))
    assert wrong == []


def test_another_clinics_key_gets_404_for_the_owners_objects(client, personas, objects):
    personas["owner_episode"].client.external_id = EXTERNAL_IDS["external_id"]
    personas["owner_episode"].client.save()
    secret = _key_for(personas["outsider"].clinic, list(ApiKey.Scope.values))
    leaks = []
    for method, url, _scope in _integration_calls(objects):
        if url.count("/") <= 4 or (method == "put" and "/clients/" in url) or "/questionnaire/" in url:
            continue  # a list, a create, an upsert or a shipped instrument: the key acts on its own clinic
        if (code := _call(client, method, url, secret).status_code) != 404:
            leaks.append((method.upper(), url, code))
    assert leaks == []


def test_the_owners_clinic_key_gets_through(client, personas, objects):
    personas["owner_episode"].client.external_id = EXTERNAL_IDS["external_id"]
    personas["owner_episode"].client.save()
    secret = _key_for(personas["clinic"], list(ApiKey.Scope.values))
    refused = [
        url
        for method, url, _s in _integration_calls(objects)
        if method == "get" and _call(client, method, url, secret).status_code in (401, 403, 404)
    ]
    assert refused == []
