"""The FHIR endpoints under /api/v1/ for API keys with fhir:read.

Each URL answers two callers: a signed-in member of staff (a session, no `Authorization` header) goes to
the staff view in instruments.api unchanged (care.access scoping); anyone else is an integration call (the
key's clinic, its scope, its rate limit, the error catalogue; 401 without a key)."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import IntegrationView
from api.docs_schema import responses
from api.errors import ApiError
from api.services import api_audit
from care.models import CheckIn, Client, Episode
from instruments import api as staff_fhir
from instruments import fhir
from instruments.library import get_instrument

FHIR_JSON = OpenApiResponse(OpenApiTypes.OBJECT, description="FHIR R4 JSON")
FHIR_OK = {(200, "application/fhir+json"): FHIR_JSON}


def _fhir(bundle: dict) -> Response:
    return Response(bundle, content_type="application/fhir+json", headers={"Cache-Control": "no-store"})


class FhirQuestionnaireApi(IntegrationView):
    required_scope = "fhir:read"

    @extend_schema(
        operation_id="fhir_questionnaire",
        tags=["fhir"],
        parameters=[OpenApiParameter("version", str)],
        responses=responses(FHIR_OK, 404),
        summary="An instrument as a FHIR Questionnaire",
    )
    def get(self, request: Request, key: str) -> Response:
        try:
            instrument = get_instrument(
                key, request.query_params.get("version") or None, clinic_id=self.principal(request).clinic_id
            )
        except LookupError:
            raise ApiError("not_found") from None
        return _fhir(fhir.instrument_to_questionnaire(instrument))


class FhirCheckInApi(IntegrationView):
    required_scope = "fhir:read"

    @extend_schema(operation_id="fhir_checkin_bundle", tags=["fhir"], responses=responses(FHIR_OK, 404, 409))
    def get(self, request: Request, checkin_id: int) -> Response:
        principal = self.principal(request)
        checkin = (
            CheckIn.objects.select_related("session__episode__client__clinic")
            .filter(pk=checkin_id, session__episode__client__clinic_id=principal.clinic_id)
            .first()
        )
        if checkin is None:
            raise ApiError("not_found")
        bundle = _build(lambda: fhir.checkin_to_questionnaire_response(checkin))
        api_audit(
            principal, "export", checkin, checkin.session.episode.client_id, {"format": "fhir-r4-bundle"}
        )
        return _fhir(bundle)


class FhirEpisodeApi(IntegrationView):
    required_scope = "fhir:read"

    @extend_schema(operation_id="fhir_episode_bundle", tags=["fhir"], responses=responses(FHIR_OK, 404, 409))
    def get(self, request: Request, episode_id: int) -> Response:
        principal = self.principal(request)
        episode = (
            Episode.objects.select_related("client__clinic")
            .filter(pk=episode_id, client__clinic_id=principal.clinic_id)
            .first()
        )
        if episode is None:
            raise ApiError("not_found")
        checkins = list(CheckIn.objects.filter(session__episode=episode, status=CheckIn.Status.SUBMITTED))
        bundle = _build(lambda: fhir.episode_to_bundle(episode, checkins))
        api_audit(principal, "export", episode, episode.client_id, {"format": "fhir-r4-bundle"})
        return _fhir(bundle)


class FhirClientApi(IntegrationView):
    required_scope = "fhir:read"

    @extend_schema(operation_id="fhir_client_bundle", tags=["fhir"], responses=responses(FHIR_OK, 404, 409))
    def get(self, request: Request, client_id: int) -> Response:
        principal = self.principal(request)
        client = (
            Client.objects.select_related("clinic")
            .filter(pk=client_id, clinic_id=principal.clinic_id)
            .first()
        )
        if client is None:
            raise ApiError("not_found")
        checkins = list(
            CheckIn.objects.filter(session__episode__client=client, status=CheckIn.Status.SUBMITTED)
        )
        bundle = _build(lambda: fhir.client_to_bundle(client, checkins))
        api_audit(principal, "export", client, client.pk, {"format": "fhir-r4-bundle"})
        return _fhir(bundle)


def _build(build: Callable[[], dict]) -> dict:
    try:
        return build()
    except LookupError:
        raise ApiError("conflict", "A check-in's instrument definition is no longer available.") from None


def _either(key_view: type[IntegrationView], staff_view: type[APIView]) -> Callable[..., HttpResponse]:
    """One URL, two callers: see the module docstring."""
    as_key, as_staff = key_view.as_view(), staff_view.as_view()

    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        user = getattr(request, "user", None)
        if "HTTP_AUTHORIZATION" not in request.META and user is not None and user.is_authenticated:
            return as_staff(request, **kwargs)
        return as_key(request, **kwargs)  # a key, or nobody: the catalogue's 401

    # drf-spectacular documents the integration operation (api.docs_schema.drop_shadowed drops the other).
    view.cls = key_view  # type: ignore[attr-defined]
    view.initkwargs = {}  # type: ignore[attr-defined]
    view.csrf_exempt = True  # type: ignore[attr-defined]
    return view


questionnaire = _either(FhirQuestionnaireApi, staff_fhir.InstrumentQuestionnaireApi)
checkin_bundle = _either(FhirCheckInApi, staff_fhir.CheckInBundleApi)
episode_bundle = _either(FhirEpisodeApi, staff_fhir.EpisodeBundleApi)
client_bundle = _either(FhirClientApi, staff_fhir.ClientBundleApi)
