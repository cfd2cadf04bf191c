import os

import pytest
from django.core.management import call_command

from alliance.facts import clear_totals_cache
from care.models import User
from tests.care.factories import ClinicFactory, EpisodeFactory, UserFactory
from tests.clinicians.factories import ClinicianFactory, SupervisionFactory, SupervisorFactory


def require_service(name: str, available: bool) -> None:
    """Skip when a real service is missing, or fail when the run demands it (CI)."""
    if available:
        return
    if os.environ.get("ATTUNE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} is required for this run but is not available")
    pytest.skip(f"{name} is not available")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database also gets the cache table that throttles and lockouts live in."""
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_relationship_totals():
    """The relationship pillar caches each clinic's totals per session number for the engine; a test
    starts without another test's totals."""
    clear_totals_cache()


@pytest.fixture
def clinic(db):
    return ClinicFactory()


@pytest.fixture
def personas(db):
    """Two clinicians in one clinic (owner and colleague), a supervisor of the owner, an admin, and a
    clinician in another clinic (outsider) — each with one client episode."""
    clinic = ClinicFactory(name="Riverside")
    other_clinic = ClinicFactory(name="Elsewhere")
    owner = ClinicianFactory(user__clinic=clinic, user__username="owner")
    colleague = ClinicianFactory(user__clinic=clinic, user__username="colleague")
    supervisor = SupervisorFactory(user__clinic=clinic, user__username="supervisor")
    SupervisionFactory(supervisor=supervisor, supervisee=owner)
    outsider = ClinicianFactory(user__clinic=other_clinic, user__username="outsider")
    admin = UserFactory(clinic=clinic, role=User.Role.ADMIN, username="admin")
    return {
        "clinic": clinic,
        "owner": owner,
        "colleague": colleague,
        "supervisor": supervisor,
        "outsider": outsider,
        "admin": admin,
        "owner_episode": EpisodeFactory(clinician=owner),
        "colleague_episode": EpisodeFactory(clinician=colleague),
        "outsider_episode": EpisodeFactory(clinician=outsider),
    }
