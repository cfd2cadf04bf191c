"""FHIR R4 over the JSON API: an instrument as a Questionnaire, a check-in or a whole episode as a Bundle.

One view per operation. Check-ins are found only through care.access (404 for missing and not-yours
alike), and every check-in read is audited."""

from collections.abc import Callable

from django.db.models import Model
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from care.access import checkins_visible_to, clients_visible_to, episodes_visible_to, load_visible
from care.audit import audit_record
from care.http import StaffApiRequest
from care.models import AuditEvent, CheckIn, User
from instruments import fhir
from instruments.library import DefinitionError, get_instrument
from instruments.services import MAX_DEFINITION_BYTES, instrument_definition_upload


class InstrumentQuestionnaireApi(APIView):
    """GET an instrument (the clinic's active version, or `?version=`) as a FHIR R4 Questionnaire."""

    @extend_schema(
        operation_id="instrument_questionnaire",
        parameters=[OpenApiParameter("version", str, required=False)],
        responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request: StaffApiRequest, key: str) -> Response:
        if not request.user.clinic_id:
            raise Http404("Not found")
        version = request.query_params.get("version") or None
        try:
            instrument = get_instrument(key, version, clinic_id=request.user.clinic_id)
        except LookupError as missing:
            raise Http404("Not found") from missing
        return Response(fhir.instrument_to_questionnaire(instrument))


class CheckInBundleApi(APIView):
    """GET a check-in as a FHIR Bundle: QuestionnaireResponses plus score Observations."""

    @extend_schema(
        operation_id="checkin_fhir_bundle", responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT}
    )
    def get(self, request: StaffApiRequest, checkin_id: int) -> Response:
        checkin = (
            checkins_visible_to(request.user)
            .select_related("session__episode__client__clinic")
            .filter(pk=checkin_id)
            .first()
        )
        if checkin is None:
            raise Http404("Not found")
        bundle = fhir.checkin_to_questionnaire_response(checkin)
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.EXPORT,
            obj=checkin,
            client=checkin.session.episode.client_id,
            detail={"format": "fhir-r4-bundle"},
        )
        return _fhir(bundle)


class EpisodeBundleApi(APIView):
    """GET a whole episode as one FHIR Bundle: the client as a Patient, every submitted check-in's
    QuestionnaireResponses and their score Observations."""

    @extend_schema(
        operation_id="episode_fhir_bundle",
        responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
    )
    def get(self, request: StaffApiRequest, episode_id: int) -> Response:
        episode = load_visible(episodes_visible_to(request.user).select_related("client__clinic"), episode_id)
        checkins = list(CheckIn.objects.filter(session__episode=episode, status=CheckIn.Status.SUBMITTED))
        return _export(
            request,
            obj=episode,
            client_id=episode.client_id,
            checkins=checkins,
            build=lambda: fhir.episode_to_bundle(episode, checkins),
        )


class ClientBundleApi(APIView):
    """GET a client's record as one FHIR Bundle: the Patient and every submitted check-in of the episodes
    the reader may see."""

    @extend_schema(
        operation_id="client_fhir_bundle",
        responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
    )
    def get(self, request: StaffApiRequest, client_id: int) -> Response:
        client = load_visible(clients_visible_to(request.user).select_related("clinic"), client_id)
        checkins = list(
            checkins_visible_to(request.user).filter(
                session__episode__client=client, status=CheckIn.Status.SUBMITTED
            )
        )
        return _export(
            request,
            obj=client,
            client_id=client.pk,
            checkins=checkins,
            build=lambda: fhir.client_to_bundle(client, checkins),
        )


def _export(
    request: StaffApiRequest, *, obj: Model, client_id: int, checkins: list, build: Callable[[], dict]
) -> Response:
    """Build a record-level Bundle, audit the export, and serve it; 409 when a check-in's pinned
    definition can no longer be read."""
    try:
        bundle = build()
    except LookupError:
        return Response({"detail": "A check-in's instrument definition is no longer available."}, status=409)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        obj=obj,
        client=client_id,
        detail={"format": "fhir-r4-bundle", "checkins": len(checkins)},
    )
    return _fhir(bundle)


def _fhir(bundle: dict) -> Response:
    response = Response(bundle, content_type="application/fhir+json")
    response["Cache-Control"] = "no-store"
    return response


UPLOAD_FORM = {
    "multipart/form-data": {
        "type": "object",
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "key": {"type": "string"},
            "version": {"type": "string"},
            "activate": {"type": "boolean"},
        },
        "required": ["file"],
    }
}


class InstrumentUploadApi(APIView):
    """POST a definition file (Attune YAML/JSON or a FHIR Questionnaire) for the clinic: the same checks,
    limit and refusals as the admin page and manage.py load_instrument. Clinic admins only (404 otherwise)."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="instrument_upload",
        request=UPLOAD_FORM,
        responses={201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def post(self, request: StaffApiRequest) -> Response:
        user = request.user
        if user.role != User.Role.ADMIN or not user.clinic_id:
            raise Http404("Not found")
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"errors": ["Choose a definition file to load."]}, status=400)
        try:
            row, warnings = instrument_definition_upload(
                actor=user,
                clinic=user.clinic,
                content=upload.read(MAX_DEFINITION_BYTES + 1),
                filename=upload.name or "",
                key=str(request.POST.get("key", "")).strip() or None,
                version=str(request.POST.get("version", "")).strip() or None,
                activate=str(request.POST.get("activate", "true")).lower() in {"1", "true", "yes"},
            )
        except DefinitionError as error:
            return Response({"errors": error.problems}, status=400)
        return Response({"key": row.key, "version": row.version, "warnings": warnings}, status=201)
