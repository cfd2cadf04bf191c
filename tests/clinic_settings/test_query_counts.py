"""The people page reads the same number of queries with 3 staff as with 30 (programs, invitations and
clinician records included); so do the supervision and programs pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic_settings.invitations import staff_invite
from tests.care.factories import EpisodeFactory, ProgramFactory
from tests.clinicians.factories import ClinicianFactory, SupervisionFactory

pytestmark = pytest.mark.django_db


def _grow(clinic, admin, n: int) -> None:
    programs = [ProgramFactory(clinic=clinic) for _ in range(2)]
    for i in range(n):
        clinician = ClinicianFactory(user__clinic=clinic)
        clinician.programs.set(programs)
        SupervisionFactory(supervisor__user__clinic=clinic, supervisee=clinician)
        EpisodeFactory(clinician=clinician, program=programs[i % 2])
        staff_invite(actor=admin, email=f"new{clinic.pk}-{i}@example.org", role="clinician")


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/clinic/settings/people/",
        "/clinic/settings/supervision/",
        "/clinic/settings/programs/",
        "/clinic/settings/instruments/",
    ],
)
def test_queries_do_not_grow_with_the_staff(client, personas, url):
    clinic, admin = personas["clinic"], personas["admin"]
    client.force_login(admin)
    _grow(clinic, admin, 2)
    few = _queries(client, url)
    _grow(clinic, admin, 12)
    many = _queries(client, url)
    assert many == few, f"{url}: {few} queries with few staff, {many} with more"
    assert many <= 12
