"""schemathesis against every integration operation with a valid key: no server error, and every answer
conforms to the schema (status code, content type, body). Bounded (a few examples per operation) so the
suite stays fast; `ATTUNE_SCHEMATHESIS_EXAMPLES` raises it for a deeper run."""

import datetime as dt
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiKey
from tests.api.conftest import make_api
from tests.care.factories import CheckInFactory, SessionFactory
from tests.risk.factories import FlagFactory

EXAMPLES = int(os.environ.get("ATTUNE_SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# Loaded once, through the WSGI app (the schema view reads no database). The integration API: every
# /api/v1/ operation but the staff-only definition upload (multipart).
schema = (
    schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    .include(path_regex=r"^/api/v1/")
    .exclude(path="/api/v1/instruments/", method="POST")
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: the handler must not close the test's connection (and its
    transaction) at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def secret(clinic_setup):
    """A key with every scope over a clinic with an appointment, a check-in and a flag (ids 1… are
    likely to hit real rows as well as missing ones)."""
    episode = clinic_setup["episode"]
    session = SessionFactory(episode=episode, number=1, scheduled_start=timezone.now() - dt.timedelta(days=1))
    CheckInFactory(session=session)
    FlagFactory(episode=episode, session=session)
    api = make_api(clinic_setup)
    ApiKey.objects.update(rate_per_minute=1_000_000)
    return api.secret


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_conforms_to_its_schema(case, secret):
    case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)
