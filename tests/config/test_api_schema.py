"""The OpenAPI description of the API is valid and warning-free, so an EHR team can generate a client."""

import pytest
import yaml
from django.core.management import call_command


@pytest.mark.django_db
def test_the_openapi_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target), "--validate", "--fail-on-warn")
    schema = yaml.safe_load(target.read_text())
    assert schema["info"]["title"] == "Attune API"
    assert any(path.startswith("/api/v1/") for path in schema["paths"])
