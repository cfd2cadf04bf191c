"""The published schema: OpenAPI 3.1, every integration operation with its error answers, the key as its
security, and Idempotency-Key on every POST."""

import pytest

pytestmark = pytest.mark.django_db


def test_every_operation_documents_the_catalogue_and_its_headers(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["openapi"] == "3.1.0"
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    ref = schema["components"]["schemas"]["ErrorEntry"]["properties"]["code"]["$ref"].rsplit("/", 1)[-1]
    assert "idempotency_key_reused" in schema["components"]["schemas"][ref]["enum"]
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/") and path != "/api/v1/instruments/"
        for method, op in item.items()
    ]
    assert len(operations) >= 20
    for path, method, op in operations:
        assert {"401", "403", "429"} <= set(op["responses"]), (method, path)
        assert {"apiKey": []} in op["security"], (method, path)
        headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        if method == "post":
            assert "Idempotency-Key" in headers, path
        if method in ("put", "patch"):
            assert "If-Match" in headers, path
