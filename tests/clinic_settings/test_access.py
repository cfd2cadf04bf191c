"""Only an active admin of the clinic reaches its settings: clinicians, supervisors, signed-out visitors
and another clinic's admin get the same 404 as for a page that does not exist (signed-out: sign in), on
every settings URL, for GET and POST. The services refuse too, whoever calls them."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, get_resolver

from care.models import Clinic, User
from clinic_settings.services import clinic_update, program_add
from clinicians.models import Supervision
from tests.care.factories import ProgramFactory

pytestmark = pytest.mark.django_db

SIGNUP = "join/<str:token>/"


def settings_routes() -> list[str]:
    """Every settings URL but the invited member's sign-up link, read from the resolver."""
    [include] = [p for p in get_resolver().url_patterns if str(p.pattern) == "clinic/settings/"]
    routes = [str(p.pattern) for p in include.url_patterns if isinstance(p, URLPattern)]
    return [r for r in routes if r != SIGNUP]


@pytest.fixture
def ids(personas):
    pair = Supervision.objects.get(supervisee=personas["owner"])
    program = ProgramFactory(clinic=personas["clinic"])
    return {"staff_id": personas["owner"].user.pk, "supervision_id": pair.pk, "program_id": program.pk}


def _url(route: str, ids: dict) -> str:
    url = "/clinic/settings/" + route
    for name, value in ids.items():
        url = url.replace(f"<int:{name}>", str(value))
    assert "<" not in url, f"add the id of {route} to this test"
    return url


def test_every_settings_url_is_listed():
    assert len(settings_routes()) >= 12


@pytest.mark.parametrize(
    "viewer", ["owner", "colleague", "supervisor", "outsider", "other_admin", "inactive_admin"]
)
def test_nobody_but_the_clinics_admin_gets_through(client, personas, ids, other_admin, viewer):
    routes = settings_routes()
    if viewer == "other_admin":
        # another clinic's admin has settings pages of their own, but none of this clinic's objects
        user = other_admin
        routes = [r for r in routes if "<int:" in r]
    elif viewer == "inactive_admin":
        user = personas["admin"]
        User.objects.filter(pk=user.pk).update(is_active=False)
    else:
        user = personas[viewer].user
    client.force_login(user)
    leaks = []
    for route in routes:
        url = _url(route, ids)
        for method in (client.get, client.post):
            response = method(url, {"name": "x", "active": "0", "ended_on": "2026-12-01"})
            if response.status_code not in (404, 405):
                leaks.append((method.__name__, url, response.status_code))
    # an inactive user is signed out by the auth middleware: sent to sign in rather than 404
    if viewer == "inactive_admin":
        leaks = [leak for leak in leaks if leak[2] != 302]
    assert leaks == []


def test_signed_out_visitors_are_sent_to_sign_in(client, ids):
    for route in settings_routes():
        response = client.get(_url(route, ids))
        assert response.status_code == 302 and response["Location"].startswith("/login/"), route


def test_the_clinics_admin_gets_through_every_page(client, personas, ids):
    client.force_login(personas["admin"])
    for route in settings_routes():
        url = _url(route, ids)
        response = client.get(url)
        assert response.status_code in (200, 405), url


def test_another_clinics_admin_sees_none_of_this_clinics_staff_or_programs(
    client, personas, ids, other_admin
):
    client.force_login(other_admin)
    people = client.get("/clinic/settings/people/").content.decode()
    programs = client.get("/clinic/settings/programs/").content.decode()
    assert "owner" not in people and "colleague" not in people and "other-admin" in people
    assert ProgramFactory._meta.model.objects.get(pk=ids["program_id"]).name not in programs


def test_another_clinics_admin_changes_nothing_here(client, personas, ids, other_admin):
    client.force_login(other_admin)
    client.post(_url("programs/<int:program_id>/", ids), {"name": "Taken over"})
    client.post(_url("people/<int:staff_id>/active/", ids), {"active": "0"})
    client.post(_url("supervision/<int:supervision_id>/end/", ids), {"ended_on": "2026-12-01"})
    personas["owner"].user.refresh_from_db()
    assert personas["owner"].user.is_active
    assert not personas["clinic"].programs.filter(name="Taken over").exists()
    assert Supervision.objects.get(pk=ids["supervision_id"]).ended_on is None


@pytest.mark.parametrize("role", [User.Role.CLINICIAN, User.Role.SUPERVISOR])
def test_the_services_refuse_anyone_but_an_admin(personas, role):
    actor = personas["owner"].user if role == User.Role.CLINICIAN else personas["supervisor"].user
    with pytest.raises(PermissionDenied):
        program_add(actor=actor, name="Sneaky")
    with pytest.raises(PermissionDenied):
        clinic_update(actor=actor, values={"crisis_phone": "555"})
    assert Clinic.objects.get(pk=personas["clinic"].pk).crisis_phone == ""


@pytest.mark.parametrize("viewer", ["owner", "supervisor"])
def test_only_the_admin_is_shown_the_settings_link(client, personas, viewer):
    client.force_login(personas[viewer].user)
    assert b'href="/clinic/settings/"' not in client.get("/").content
    client.force_login(personas["admin"])
    assert b'href="/clinic/settings/"' in client.get("/clinic/").content
