"""A page full of check-ins reads each instrument at the version it was answered with, in at most one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instruments.library import InstrumentResolver, get_instrument
from instruments.models import InstrumentDefinition
from tests.care.factories import ClinicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic_with_a_loaded_scale():
    clinic = ClinicFactory()
    relationship = get_instrument("relationship").model_dump(mode="json")
    for version, text in (("clinic-1", "Did you feel heard?"), ("clinic-2", "Did you feel heard today?")):
        items = [dict(i) for i in relationship["items"]]
        items[0]["text"] = {"en": text}
        InstrumentDefinition.objects.create(
            clinic=clinic,
            key="session_rating",
            version=version,
            definition=relationship | {"key": "session_rating", "version": version, "items": items},
        )
    return clinic


def test_built_in_versions_need_no_query(clinic_with_a_loaded_scale):
    resolver = InstrumentResolver(clinic_with_a_loaded_scale.pk)
    with CaptureQueriesContext(connection) as queries:
        assert resolver.get("phq9", "1").key == "phq9"
        assert resolver.get("relationship", "1").key == "relationship"
    assert len(queries) == 0


def test_a_clinics_loaded_versions_are_read_once_and_each_at_its_own_version(clinic_with_a_loaded_scale):
    resolver = InstrumentResolver(clinic_with_a_loaded_scale.pk)
    with CaptureQueriesContext(connection) as queries:
        first = [resolver.get("session_rating", "clinic-1") for _ in range(20)]
        second = resolver.get("session_rating", "clinic-2")
    assert len(queries) == 1
    assert first[0].items[0].text["en"] == "Did you feel heard?"
    assert second.items[0].text["en"] == "Did you feel heard today?"


def test_another_clinics_definitions_are_not_used(clinic_with_a_loaded_scale):
    resolver = InstrumentResolver(ClinicFactory().pk)
    assert resolver.get("session_rating", "clinic-1") is None
