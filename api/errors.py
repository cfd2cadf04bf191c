"""One catalogue of API errors. Every error answer is JSON:

    {"errors": [{"code": "invalid", "message": "Must be an integer.", "field": "late_minutes"}]}

`field` is the JSON path of the offending value ("scheduled_start", "payer"), or null. The codes below
are the whole catalogue; the schema lists them (api.schema) and docs/api.md explains each."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger("attune.api")

CATALOGUE: dict[str, tuple[int, str]] = {
    "invalid": (400, "A value is missing or not valid."),
    "malformed_json": (400, "The body is not valid JSON."),
    "idempotency_key_required": (400, "Every POST needs an Idempotency-Key header (1–255 characters)."),
    "unauthenticated": (401, "Send a live API key as 'Authorization: Bearer <key>'."),
    "insufficient_scope": (403, "This key does not have the permission this operation needs."),
    "not_found": (404, "Not found."),
    "method_not_allowed": (405, "This method is not allowed here."),
    "not_acceptable": (406, "This API answers JSON only."),
    "conflict": (409, "The request conflicts with the current state of the resource."),
    "precondition_failed": (
        412,
        "The resource changed since you read it (If-Match does not match its ETag).",
    ),
    "unsupported_media_type": (415, "Send JSON (Content-Type: application/json)."),
    "idempotency_key_reused": (422, "This Idempotency-Key was used with a different request."),
    "rate_limited": (429, "Too many requests for this key; wait and try again."),
    "server_error": (500, "Something went wrong on our side; the request was not applied."),
}


class ApiError(exceptions.APIException):
    """An error from the catalogue, with an optional field and a more specific message."""

    def __init__(self, code: str, message: str = "", field: str | None = None):
        self.status_code, default = CATALOGUE[code]
        self.code, self.message, self.field = code, message or default, field
        super().__init__(self.message, code)


def error_body(code: str, message: str = "", field: str | None = None) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message or CATALOGUE[code][1], "field": field}]}


def _flatten(detail: Any, path: str = "") -> list[dict[str, Any]]:
    """DRF's nested validation detail as a flat list of catalogue entries with JSON paths."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            out += _flatten(value, f"{path}.{name}" if path and name else (name or path))
        return out
    if isinstance(detail, list):
        if all(not isinstance(d, (dict, list)) for d in detail):
            return [{"code": "invalid", "message": str(d), "field": path or None} for d in detail]
        out = []
        for index, value in enumerate(detail):
            out += _flatten(value, f"{path}[{index}]")
        return out
    return [{"code": "invalid", "message": str(detail), "field": path or None}]


def _simple(exc: exceptions.APIException) -> tuple[str, str]:
    mapping: list[tuple[type, str]] = [
        (exceptions.ParseError, "malformed_json"),
        (exceptions.NotAuthenticated, "unauthenticated"),
        (exceptions.AuthenticationFailed, "unauthenticated"),
        (exceptions.PermissionDenied, "insufficient_scope"),
        (exceptions.NotFound, "not_found"),
        (exceptions.MethodNotAllowed, "method_not_allowed"),
        (exceptions.NotAcceptable, "not_acceptable"),
        (exceptions.UnsupportedMediaType, "unsupported_media_type"),
        (exceptions.Throttled, "rate_limited"),
    ]
    for cls, code in mapping:
        if isinstance(exc, cls):
            return code, CATALOGUE[code][1]
    return "invalid", str(exc.detail)


def exception_handler(exc: Exception, context: dict) -> Response:
    """Every failure of an integration view as a catalogue entry; never an HTML page, never a bare 500."""
    headers: dict[str, str] = {}
    if isinstance(exc, Http404):
        exc = ApiError("not_found")
    elif isinstance(exc, PermissionDenied):
        exc = ApiError("insufficient_scope")
    elif isinstance(exc, RecursionError):
        exc = ApiError("malformed_json", "The JSON body is nested too deeply.")
    if isinstance(exc, ApiError):
        body = error_body(exc.code, exc.message, exc.field)
        code_status = exc.status_code
    elif isinstance(exc, exceptions.ValidationError):
        body, code_status = {"errors": _flatten(exc.detail)}, status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.APIException):
        code, message = _simple(exc)
        body, code_status = error_body(code, message), exc.status_code
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait:
            headers["Retry-After"] = str(int(wait) + 1)
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            headers["WWW-Authenticate"] = 'Bearer realm="attune"'
            code_status = 401
    else:
        logger.exception("Unhandled API error", exc_info=exc)
        body, code_status = error_body("server_error"), 500
    set_rollback()  # an error answer never leaves half a write behind (ATOMIC_REQUESTS or not)
    return Response(body, status=code_status, headers=headers)
