"""Schema pieces every operation shares: the error answers, the Idempotency-Key and If-Match headers, and
the bearer key as a security scheme."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from api.errors import CATALOGUE
from api.serializers import ErrorOut

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="Any unique string (1–255 characters) per intended write. The same key with the same body "
    "replays the first answer (with `Idempotent-Replayed: true`); with another body it is refused (422). "
    "Keys are kept for 24 hours.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag you read. When sent and the resource changed since, the update is refused (412).",
)


def _example(code: str) -> OpenApiExample:
    return OpenApiExample(
        code,
        value={"errors": [{"code": code, "message": CATALOGUE[code][1], "field": None}]},
        response_only=True,
        status_codes=[str(CATALOGUE[code][0])],
    )


def error_responses(*extra: int) -> dict[int, OpenApiResponse]:
    """401, 403, 406, 429 on every operation, plus the statuses named, each with its catalogue codes."""
    statuses = sorted({401, 403, 406, 429, *extra})
    out = {}
    for status in statuses:
        codes = [code for code, (s, _m) in CATALOGUE.items() if s == status]
        out[status] = OpenApiResponse(
            ErrorOut,
            description="Error codes: " + ", ".join(f"`{c}`" for c in codes),
            examples=[_example(c) for c in codes],
        )
    return out


def responses(ok: dict[Any, Any], *extra: int) -> dict[Any, Any]:
    return {**ok, **error_responses(*extra)}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A clinic API key (`atk_…`), made by the clinic admin at /api/keys/. "
            "Each operation names the scope it needs.",
        }


def drop_shadowed(endpoints: list[tuple]) -> list[tuple]:
    """Preprocessing hook: where the integration API serves a path the staff FHIR views also declare
    (the same URL answers both: a key, or a staff session), document the integration operation only."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for path, path_regex, method, callback in endpoints:
        if (path, method) in seen:
            continue
        seen.add((path, method))
        kept.append((path, path_regex, method, callback))
    return kept
