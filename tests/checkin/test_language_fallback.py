"""The form is in the client's language where the definition has it, and says so where it falls back to
English."""

import pytest

from care.models import Client
from instruments.models import InstrumentDefinition
from tests.care.factories import SessionFactory
from tests.checkin.factories import attend

pytestmark = pytest.mark.django_db

NOTICE_ES = "Estas preguntas aún no están disponibles en su idioma"
ENGLISH_ONLY = {
    "key": "mood_check",
    "version": "clinic-1",
    "kind": "wellbeing",
    "title": {"en": "Mood check"},
    "items": [{"key": "mood", "type": "scale", "text": {"en": "How is your mood today?"}}],
}


def open_form(client, personas, django_capture_on_commit_callbacks, schedule: dict, language: str):
    clinic = personas["clinic"]
    clinic.measure_schedule = schedule
    clinic.save()
    Client.objects.filter(pk=personas["owner_episode"].client_id).update(preferred_language=language)
    session = SessionFactory(episode=personas["owner_episode"], number=1, attendance="scheduled")
    token = attend(session, personas["owner"].user, django_capture_on_commit_callbacks)
    response = client.get(f"/c/{token}/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_english_only_definition_on_a_spanish_form_says_it_is_in_english(
    client, personas, django_capture_on_commit_callbacks
):
    InstrumentDefinition.objects.create(
        clinic=personas["clinic"], key="mood_check", version="clinic-1", definition=ENGLISH_ONLY
    )
    html = open_form(client, personas, django_capture_on_commit_callbacks, {"mood_check": 1}, "es")
    section = html[html.index('id="step-mood_check"') :]
    section = section[: section.index("</section>")]
    assert '<h2 id="title-mood_check" tabindex="-1" lang="en">' in section, (
        "English text is marked as English"
    )
    english = section[section.index('<div lang="en">') :]
    assert NOTICE_ES in section and "How is your mood today?" in english
    # Sections the definitions have in Spanish carry no notice.
    assert html.count(NOTICE_ES) == 1


def test_shipped_measures_in_spanish_need_no_notice(client, personas, django_capture_on_commit_callbacks):
    html = open_form(client, personas, django_capture_on_commit_callbacks, {"phq9": 1, "gad7": 1}, "es")
    assert "Poco interés o placer en hacer cosas" in html
    assert NOTICE_ES not in html


def test_no_notice_on_an_english_form(client, personas, django_capture_on_commit_callbacks):
    InstrumentDefinition.objects.create(
        clinic=personas["clinic"], key="mood_check", version="clinic-1", definition=ENGLISH_ONLY
    )
    html = open_form(client, personas, django_capture_on_commit_callbacks, {"mood_check": 1}, "en")
    assert "not available in your language" not in html
