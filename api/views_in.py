"""In: clients, episodes and appointments from the clinic's EHR. One view per operation; thin: parse
strictly, call api.services, answer with the resource and its ETag."""

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers as s
from api import services
from api.base import IntegrationView, idempotent, with_etag
from api.docs_schema import IDEMPOTENCY_KEY, IF_MATCH, responses
from api.errors import ApiError
from api.representations import appointment_body, client_body, episode_body
from care.models import Client, Episode, Session

WRITE = "schedule:write"
EXTERNAL_ID_PARAM = OpenApiParameter(
    "external_id",
    str,
    OpenApiParameter.PATH,
    pattern=s.EXTERNAL_ID,
    description="The client's id in your EHR.",
)


def ensure_owned(model: type[Episode] | type[Session], pk: int, request: Request) -> None:
    """404 for an object of another clinic (or none) before anything else is looked at: a key learns
    nothing about another clinic's ids from the shape of its errors."""
    clinic_id = IntegrationView.principal(request).clinic_id
    lookup = "client__clinic_id" if model is Episode else "episode__client__clinic_id"
    if not model.objects.filter(pk=pk, **{lookup: clinic_id}).exists():
        raise ApiError("not_found")


def parsed(serializer_class: type[s.StrictSerializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=IntegrationView.body(request))
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ClientApi(IntegrationView):
    """A client, by your EHR's id."""

    required_scope = WRITE

    @extend_schema(
        operation_id="client_get",
        tags=["clients"],
        parameters=[EXTERNAL_ID_PARAM],
        responses=responses({200: s.ClientOut}, 404),
        summary="Read a client by your EHR's id",
    )
    def get(self, request: Request, external_id: str) -> Response:
        client = Client.objects.filter(
            clinic_id=self.principal(request).clinic_id, external_id=external_id
        ).first()
        if client is None:
            raise ApiError("not_found")
        services.api_audit(self.principal(request), "read", client, client.pk, {})
        return with_etag(client_body(client))

    @extend_schema(
        operation_id="client_upsert",
        tags=["clients"],
        parameters=[EXTERNAL_ID_PARAM, IF_MATCH],
        request=s.ClientIn,
        responses=responses({200: s.ClientOut, 201: s.ClientOut}, 400, 404, 409, 412, 415),
        summary="Create or update a client by your EHR's id",
        description="Creates the client if no client of your clinic has this external id (given_name and "
        "family_name required), else updates the fields sent. Send If-Match to refuse a lost update.",
        examples=[
            OpenApiExample(
                "New client",
                request_only=True,
                value={
                    "given_name": "Ana",
                    "family_name": "Ruiz",
                    "email": "ana@example.org",
                    "preferred_language": "es",
                    "date_of_birth": "1990-04-02",
                },
            )
        ],
    )
    def put(self, request: Request, external_id: str) -> Response:
        if not _valid_external_id(external_id):
            raise ApiError("invalid", "Use 1–64 letters, digits, '.', '_', ':' or '-'.", field="external_id")
        data = parsed(s.ClientIn, request)
        client, created = services.client_upsert(
            principal=self.principal(request),
            external_id=external_id,
            data=data,
            if_match=request.headers.get("If-Match"),
        )
        return with_etag(client_body(client), status=201 if created else 200)


def _valid_external_id(value: str) -> bool:
    return 1 <= len(value) <= 64 and all(ch.isascii() and (ch.isalnum() or ch in "._:-") for ch in value)


class EpisodeOpenApi(IntegrationView):
    required_scope = WRITE

    @extend_schema(
        operation_id="episode_open",
        tags=["episodes"],
        parameters=[IDEMPOTENCY_KEY],
        request=s.EpisodeOpenIn,
        responses=responses({201: s.EpisodeOut}, 400, 404, 409, 415, 422),
        summary="Open an episode of care",
        examples=[
            OpenApiExample(
                "Open",
                request_only=True,
                value={
                    "client_external_id": "MRN-1042",
                    "clinician_id": 7,
                    "program_id": 2,
                    "opened_on": "2026-11-30",
                    "payer": "Aetna",
                    "referred_on": "2026-11-12",
                    "intake_on": "2026-11-20",
                    "external_id": "EP-88",
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        def work() -> Response:
            episode = services.episode_open(
                principal=self.principal(request), data=parsed(s.EpisodeOpenIn, request)
            )
            return with_etag(episode_body(episode), status=201)

        return idempotent(request, work)


class EpisodeApi(IntegrationView):
    required_scope = WRITE

    @extend_schema(
        operation_id="episode_get", tags=["episodes"], responses=responses({200: s.EpisodeOut}, 404)
    )
    def get(self, request: Request, episode_id: int) -> Response:
        episode = Episode.objects.filter(
            pk=episode_id, client__clinic_id=self.principal(request).clinic_id
        ).first()
        if episode is None:
            raise ApiError("not_found")
        services.api_audit(self.principal(request), "read", episode, episode.client_id, {})
        return with_etag(episode_body(episode))

    @extend_schema(
        operation_id="episode_update",
        tags=["episodes"],
        parameters=[IF_MATCH],
        request=s.EpisodeUpdateIn,
        responses=responses({200: s.EpisodeOut}, 400, 404, 412, 415),
        summary="Change an episode's clinician, program, payer or dates",
    )
    def patch(self, request: Request, episode_id: int) -> Response:
        ensure_owned(Episode, episode_id, request)
        data = parsed(s.EpisodeUpdateIn, request)
        episode = services.episode_update(
            principal=self.principal(request),
            episode_id=episode_id,
            data=data,
            if_match=request.headers.get("If-Match"),
        )
        return with_etag(episode_body(episode))


class EpisodeCloseApi(IntegrationView):
    required_scope = WRITE

    @extend_schema(
        operation_id="episode_close",
        tags=["episodes"],
        parameters=[IDEMPOTENCY_KEY, IF_MATCH],
        request=s.EpisodeCloseIn,
        responses=responses({200: s.EpisodeOut}, 400, 404, 409, 412, 415, 422),
        summary="Close an episode with its reason",
        examples=[
            OpenApiExample(
                "Planned ending", request_only=True, value={"closed_on": "2027-03-01", "end_reason": "mutual"}
            )
        ],
    )
    def post(self, request: Request, episode_id: int) -> Response:
        ensure_owned(Episode, episode_id, request)

        def work() -> Response:
            data = parsed(s.EpisodeCloseIn, request)
            episode = services.episode_close(
                principal=self.principal(request),
                episode_id=episode_id,
                if_match=request.headers.get("If-Match"),
                **data,
            )
            return with_etag(episode_body(episode))

        return idempotent(request, work)


def _appointment(session: Session, status: int = 200) -> Response:
    return with_etag(appointment_body(session, services.checkin_status(session)), status=status)


class AppointmentCreateApi(IntegrationView):
    required_scope = WRITE

    @extend_schema(
        operation_id="appointment_create",
        tags=["appointments"],
        parameters=[IDEMPOTENCY_KEY],
        request=s.AppointmentIn,
        responses=responses({201: s.AppointmentOut}, 400, 404, 409, 415, 422),
        summary="Book an appointment in an episode",
        examples=[
            OpenApiExample(
                "Book",
                request_only=True,
                value={
                    "episode_id": 31,
                    "scheduled_start": "2026-12-07T10:00:00-05:00",
                    "scheduled_end": "2026-12-07T10:50:00-05:00",
                    "external_id": "APPT-5531",
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        def work() -> Response:
            session = services.appointment_create(
                principal=self.principal(request), data=parsed(s.AppointmentIn, request)
            )
            return _appointment(session, 201)

        return idempotent(request, work)


class AppointmentApi(IntegrationView):
    required_scope = WRITE

    @extend_schema(
        operation_id="appointment_get",
        tags=["appointments"],
        responses=responses({200: s.AppointmentOut}, 404),
    )
    def get(self, request: Request, appointment_id: int) -> Response:
        session = (
            Session.objects.select_related("episode")
            .filter(pk=appointment_id, episode__client__clinic_id=self.principal(request).clinic_id)
            .first()
        )
        if session is None:
            raise ApiError("not_found")
        services.api_audit(self.principal(request), "read", session, session.episode.client_id, {})
        return _appointment(session)

    @extend_schema(
        operation_id="appointment_reschedule",
        tags=["appointments"],
        parameters=[IF_MATCH],
        request=s.RescheduleIn,
        responses=responses({200: s.AppointmentOut}, 400, 404, 409, 412, 415),
        summary="Move an appointment",
    )
    def patch(self, request: Request, appointment_id: int) -> Response:
        ensure_owned(Session, appointment_id, request)
        session = services.appointment_reschedule(
            principal=self.principal(request),
            appointment_id=appointment_id,
            data=parsed(s.RescheduleIn, request),
            if_match=request.headers.get("If-Match"),
        )
        return _appointment(session)


class AppointmentCancelApi(IntegrationView):
    required_scope = WRITE

    @extend_schema(
        operation_id="appointment_cancel",
        tags=["appointments"],
        parameters=[IDEMPOTENCY_KEY],
        request=s.CancelIn,
        responses=responses({200: s.AppointmentOut}, 400, 404, 409, 415, 422),
        summary="Cancel an appointment, saying who cancelled",
        examples=[OpenApiExample("By the client", request_only=True, value={"cancelled_by": "client"})],
    )
    def post(self, request: Request, appointment_id: int) -> Response:
        ensure_owned(Session, appointment_id, request)

        def work() -> Response:
            data = parsed(s.CancelIn, request)
            session = services.appointment_attendance(
                principal=self.principal(request),
                appointment_id=appointment_id,
                attendance=services.CANCELLED_BY[data["cancelled_by"]],
            )
            return _appointment(session)

        return idempotent(request, work)


class AppointmentAttendanceApi(IntegrationView):
    required_scope = WRITE

    @extend_schema(
        operation_id="appointment_attendance",
        tags=["appointments"],
        parameters=[IDEMPOTENCY_KEY],
        request=s.AttendanceIn,
        responses=responses({200: s.AppointmentOut}, 400, 404, 409, 415, 422),
        summary="Record attendance",
        description="As on the session page: an attended session opens the client's check-in and sends its "
        "link, and the risk engine looks at the episode again. `late_minutes` (1–240) only with `late_start`.",
        examples=[
            OpenApiExample(
                "Late start",
                request_only=True,
                value={"attendance": "late_start", "late_minutes": 12, "next_session_booked": True},
            )
        ],
    )
    def post(self, request: Request, appointment_id: int) -> Response:
        ensure_owned(Session, appointment_id, request)

        def work() -> Response:
            data = parsed(s.AttendanceIn, request)
            session = services.appointment_attendance(
                principal=self.principal(request), appointment_id=appointment_id, **data
            )
            return _appointment(session)

        return idempotent(request, work)


class AppointmentCheckInLinkApi(IntegrationView):
    required_scope = WRITE

    @extend_schema(
        operation_id="appointment_checkin_link",
        tags=["appointments"],
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses=responses({201: s.CheckInLinkOut}, 404, 409, 422),
        summary="A fresh check-in link, for an EHR that sends its own SMS",
        description="Nothing is emailed. The link and the tablet code are shown in this answer only (and in "
        "its replay for 24 hours, under the same Idempotency-Key).",
    )
    def post(self, request: Request, appointment_id: int) -> Response:
        ensure_owned(Session, appointment_id, request)

        def work() -> Response:
            body = services.appointment_checkin_link(
                principal=self.principal(request), appointment_id=appointment_id
            )
            return Response(body, status=201, headers={"Cache-Control": "no-store"})

        return idempotent(request, work)
