"""The integration views' common ground: key authentication and scopes, the rate limit, JSON only, the
error catalogue, Idempotency-Key on POST and If-Match on updates."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import ApiKeyAuthentication, HasScope, KeyPrincipal, KeyRateThrottle
from api.errors import ApiError, exception_handler
from api.models import IdempotencyRecord
from api.representations import etag_of


class IntegrationView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [KeyRateThrottle]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    required_scope = ""

    def get_exception_handler(self) -> Callable[..., Response]:
        return exception_handler

    @staticmethod
    def principal(request: Request) -> KeyPrincipal:
        principal = request.user
        assert isinstance(principal, KeyPrincipal)  # HasScope let only a key through
        return principal

    @staticmethod
    def body(request: Request) -> dict[str, Any]:
        data = request.data
        if not isinstance(data, dict):
            raise ApiError("invalid", "The body must be a JSON object.")
        return data


def with_etag(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status=status, headers={"ETag": etag_of(body), **(headers or {})})


def _request_hash(request: Request, data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def idempotent(request: Request, work: Callable[[], Response]) -> Response:
    """Run a POST once per Idempotency-Key. The record is inserted in the same transaction as the work:
    a concurrent retry waits on the unique index, then finds the stored answer and replays it. Only a
    successful answer is kept; an error rolls back, so a corrected retry may reuse the key."""
    key = request.headers.get("Idempotency-Key", "")
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise ApiError("idempotency_key_required", field="Idempotency-Key")
    principal = request.user
    assert isinstance(principal, KeyPrincipal)
    digest = _request_hash(request, request.data)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    clinic_id=principal.clinic_id, key=key, request_hash=digest, status_code=0, body={}
                )
        except IntegrityError:
            stored = IdempotencyRecord.objects.get(clinic_id=principal.clinic_id, key=key)
            if stored.request_hash != digest:
                raise ApiError("idempotency_key_reused", field="Idempotency-Key") from None
            return Response(
                stored.body,
                status=stored.status_code,
                headers={**stored.headers, "Idempotent-Replayed": "true"},
            )
        response = work()
        if response.status_code >= 300:
            transaction.set_rollback(True)
            return response
        record.status_code = response.status_code
        record.body = response.data
        record.headers = {k: v for k, v in response.items() if k in ("ETag", "Location")}
        record.save(update_fields=["status_code", "body", "headers"])
    return response
