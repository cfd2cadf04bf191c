"""Out: flags and scores, paged by cursor with `updated_since`; the clinic's clinicians and programs (the
ids an episode needs)."""

import datetime as dt

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers as s
from api.base import IntegrationView
from api.docs_schema import responses
from api.errors import ApiError
from api.representations import flag_body, score_body
from api.selectors import PAGE_DEFAULT, PAGE_MAX, flags_page, scores_page
from api.services import api_list_read
from care.models import Program
from clinicians.models import Clinician
from risk.models import Flag

PAGING = [
    OpenApiParameter(
        "updated_since",
        str,
        description="ISO 8601 date-time with offset: only rows changed at or after it.",
        examples=[OpenApiExample("since", value="2026-12-01T00:00:00Z")],
    ),
    OpenApiParameter("cursor", str, description="`next_cursor` from the previous page."),
    OpenApiParameter("limit", int, description=f"Rows per page, 1–{PAGE_MAX} (default {PAGE_DEFAULT})."),
]


def _since(request: Request) -> dt.datetime | None:
    raw = request.query_params.get("updated_since")
    if raw is None:
        return None
    try:
        when = dt.datetime.fromisoformat(raw)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None or not 1900 <= when.year <= 2100:
        raise ApiError("invalid", "Give an ISO 8601 date-time with its offset.", field="updated_since")
    return when


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", str(PAGE_DEFAULT))
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4 and 1 <= int(raw) <= PAGE_MAX):
        raise ApiError("invalid", f"Give a whole number from 1 to {PAGE_MAX}.", field="limit")
    return int(raw)


def _cursor(request: Request) -> str | None:
    raw = request.query_params.get("cursor")
    if raw is not None and len(raw) > 200:
        raise ApiError("invalid", "This cursor is not one we gave out.", field="cursor")
    return raw or None


def _choice(request: Request, name: str, choices: list[str]) -> str | None:
    raw = request.query_params.get(name)
    if raw is not None and raw not in choices:
        raise ApiError("invalid", "Choose one of: " + ", ".join(choices) + ".", field=name)
    return raw


class FlagListApi(IntegrationView):
    required_scope = "flags:read"

    @extend_schema(
        operation_id="flag_list",
        tags=["flags"],
        parameters=[*PAGING, OpenApiParameter("status", str, enum=list(Flag.Status.values))],
        responses=responses({200: s.FlagPage}, 400),
        summary="Flags, oldest change first",
        description="Ordered by (changed_at, id). A flag that changes while you page moves to the end, so "
        "follow `next_cursor` until `has_more` is false; keep the last cursor to ask again later.",
    )
    def get(self, request: Request) -> Response:
        rows, cursor, more = flags_page(
            clinic_id=self.principal(request).clinic_id,
            cursor=_cursor(request),
            since=_since(request),
            limit=_limit(request),
            status=_choice(request, "status", list(Flag.Status.values)),
        )
        results = [flag_body(f) for f in rows]
        if results:
            api_list_read(self.principal(request), "risk.Flag", [r["client_id"] for r in results])
        return Response({"results": results, "next_cursor": cursor, "has_more": more})


class ScoreListApi(IntegrationView):
    required_scope = "scores:read"

    @extend_schema(
        operation_id="score_list",
        tags=["scores"],
        parameters=[*PAGING, OpenApiParameter("instrument", str, pattern=r"^[a-z0-9_]{1,64}$")],
        responses=responses({200: s.ScorePage}, 400),
        summary="Scores of submitted check-ins",
    )
    def get(self, request: Request) -> Response:
        instrument = request.query_params.get("instrument")
        if instrument is not None and not (len(instrument) <= 64 and instrument.replace("_", "a").isalnum()):
            raise ApiError(
                "invalid", "An instrument key: lower-case letters, digits and _.", field="instrument"
            )
        rows, cursor, more = scores_page(
            clinic_id=self.principal(request).clinic_id,
            cursor=_cursor(request),
            since=_since(request),
            limit=_limit(request),
            instrument=instrument,
        )
        results = [score_body(x) for x in rows]
        if results:
            api_list_read(self.principal(request), "care.Score", [r["client_id"] for r in results])
        return Response({"results": results, "next_cursor": cursor, "has_more": more})


class ClinicianListApi(IntegrationView):
    required_scope = "schedule:write"

    @extend_schema(
        operation_id="clinician_list",
        tags=["directory"],
        responses=responses({200: s.DirectoryEntry(many=True)}),
    )
    def get(self, request: Request) -> Response:
        rows = Clinician.objects.filter(clinic_id=self.principal(request).clinic_id).select_related("user")
        return Response([{"id": c.pk, "name": str(c)} for c in rows])


class ProgramListApi(IntegrationView):
    required_scope = "schedule:write"

    @extend_schema(
        operation_id="program_list",
        tags=["directory"],
        responses=responses({200: s.DirectoryEntry(many=True)}),
    )
    def get(self, request: Request) -> Response:
        rows = Program.objects.filter(clinic_id=self.principal(request).clinic_id)
        return Response([{"id": p.pk, "name": p.name} for p in rows])
