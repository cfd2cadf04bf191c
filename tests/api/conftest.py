"""Keys and a JSON client for the integration API."""

import json
import uuid

import pytest
from django.test import Client as HttpClient

from api.keys import key_issue
from api.models import ApiKey
from care.models import User
from tests.care.factories import ClinicFactory, EpisodeFactory, UserFactory
from tests.clinicians.factories import ClinicianFactory

ALL_SCOPES = list(ApiKey.Scope.values)


class Api:
    """A test client that sends a key and JSON, and an Idempotency-Key on POST unless told."""

    def __init__(self, secret: str):
        self.http = HttpClient()
        self.secret = secret

    def _headers(self, headers: dict | None) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}", **(headers or {})}

    def get(self, url: str, headers: dict | None = None, **params):
        return self.http.get(url, params, **self._headers(headers))

    def send(self, method: str, url: str, body=None, headers: dict | None = None, idem: str | None = "auto"):
        headers = self._headers(headers)
        if method == "post" and idem is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = uuid.uuid4().hex if idem == "auto" else idem
        data = body if isinstance(body, (str, bytes)) else json.dumps(body if body is not None else {})
        return getattr(self.http, method)(url, data, content_type="application/json", **headers)

    def post(self, url, body=None, **kw):
        return self.send("post", url, body, **kw)

    def put(self, url, body=None, **kw):
        return self.send("put", url, body, **kw)

    def patch(self, url, body=None, **kw):
        return self.send("patch", url, body, **kw)


@pytest.fixture
def clinic_setup(db):
    """A clinic with its admin, a clinician, one open episode; and a second clinic."""
    clinician = ClinicianFactory()
    clinic = clinician.clinic
    admin = UserFactory(clinic=clinic, role=User.Role.ADMIN, username="clinic-admin")
    episode = EpisodeFactory(clinician=clinician, client__external_id="MRN-1")
    other = ClinicianFactory(user__clinic=ClinicFactory(name="Elsewhere"))
    return {
        "clinic": clinic,
        "admin": admin,
        "clinician": clinician,
        "episode": episode,
        "other_episode": EpisodeFactory(clinician=other, client__external_id="MRN-1"),
    }


def make_api(clinic_setup, scopes=None, clinic=None) -> Api:
    _key, secret = key_issue(
        actor=clinic_setup["admin"],
        clinic=clinic or clinic_setup["clinic"],
        name="EHR",
        scopes=scopes or ALL_SCOPES,
    )
    return Api(secret)


@pytest.fixture
def api(clinic_setup) -> Api:
    return make_api(clinic_setup)
