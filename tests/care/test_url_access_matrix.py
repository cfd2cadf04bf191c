"""Every URL that names a client's object, for every role: only the owner (and the owner's supervisor)
gets through; a colleague, an admin and another clinic's clinician get the same 404 as for an object that
does not exist.

The URL list is read from the resolver, so a new URL is covered the day it is added; a new kind of id in a
URL fails here until it is added to OBJECTS below."""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from care.models import User
from demo.models import DemoMail
from instruments.library import get_instrument
from instruments.models import InstrumentDefinition
from tests.care.factories import CheckInFactory, SessionFactory, UserFactory
from tests.readiness.factories import GoalFactory
from tests.regimen.factories import PlanRevisionFactory
from tests.risk.factories import FlagFactory

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("admin/", "api/schema", "api/docs")
# Ids of the clinic's configuration rather than of a client: only that clinic's admin gets through.
CONFIGURATION_IDS = {"definition_id", "staff_id", "supervision_id", "program_id"}


def _routes(patterns=None, prefix: str = ""):
    """(route template, converters) for every URL pattern in the project."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, dict(entry.pattern.converters)


def _is_configuration(route: str) -> bool:
    return any(f"<int:{name}>" in route for name in CONFIGURATION_IDS)


def _object_routes(*, configuration: bool = False) -> list[str]:
    routes = []
    for route, converters in _routes():
        if route.startswith(SKIPPED_PREFIXES) or not converters:
            continue
        if any(type(c).__name__ != "IntConverter" for c in converters.values()):
            continue  # token URLs (str) are for clients and are tested with the links
        if _is_configuration(route) == configuration:
            routes.append(route)
    return sorted(set(routes))


@pytest.fixture
def objects(personas):
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
    return {
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
