"""The admin's instrument page in a real browser: loads a licensed file, reads well on a phone."""

import pytest
import yaml

from instruments.models import InstrumentDefinition
from tests.browser.conftest import screenshot, serious_accessibility_violations, sign_in

LICENSED = {
    "key": "srs",
    "version": "2026",
    "kind": "pillar",
    "title": {"en": "Session Rating Scale"},
    "items": [{"key": f"s{n}", "type": "scale", "text": {"en": f"Licensed item {n}"}} for n in range(1, 5)],
    "scales": [{"key": "total", "label": {"en": "Total"}, "items": ["s1", "s2", "s3", "s4"]}],
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fixture_name", ["page", "phone_page"])
def test_admin_loads_a_definition_in_the_browser(request, live_server, personas, tmp_path, fixture_name):
    page = request.getfixturevalue(fixture_name)
    path = tmp_path / "srs.yaml"
    path.write_text(yaml.safe_dump(LICENSED))
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/clinic/instruments/")
    # A bad file first: the error is shown on the page, not a crash
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"resourceType": "Questionnaire", "status": "draft", "item": [{"linkId": "a", "type": "choice", "answerValueSet": "http://x/vs"}]}'
    )
    page.get_by_label("Definition file").set_input_files(str(bad))
    page.get_by_role("button", name="Load").click()
    assert page.get_by_role("alert").inner_text().count("not inside this file") == 1
    screenshot(page, "instruments-error")
    # Then the licensed file
    page.get_by_label("Definition file").set_input_files(str(path))
    page.get_by_role("button", name="Load").click()
    page.get_by_text("Loaded srs version 2026.").wait_for()
    assert InstrumentDefinition.objects.filter(key="srs", version="2026", active=True).exists()
    screenshot(page, "instruments-list")
    assert serious_accessibility_violations(page) == []
