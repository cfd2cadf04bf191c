"""The clinic's "languages offered" (Settings › Clinic) decide the check-in's languages: a language the
clinic does not offer is neither shown nor switched to, whatever the client or the browser prefers."""

import pytest

from care.models import Client, Session
from tests.care.factories import SessionFactory
from tests.checkin.factories import attend

pytestmark = pytest.mark.django_db


@pytest.fixture
def spanish_speaker(client, personas, django_capture_on_commit_callbacks):
    episode = personas["owner_episode"]
    Client.objects.filter(pk=episode.client_id).update(preferred_language="es")
    session = SessionFactory(episode=episode, number=1, attendance=Session.Attendance.SCHEDULED)
    token = attend(session, personas["owner"].user, django_capture_on_commit_callbacks)
    return episode.client.clinic, token


@pytest.mark.parametrize(("offered", "spanish"), [([], True), (["en", "es"], True), (["en"], False)])
def test_only_offered_languages_are_used_and_shown(client, spanish_speaker, offered, spanish):
    clinic, token = spanish_speaker
    clinic.languages = offered
    clinic.save(update_fields=["languages"])
    page = client.get(f"/c/{token}/", HTTP_ACCEPT_LANGUAGE="es")
    assert page["Content-Language"] == ("es" if spanish else "en")
    switched = client.get(f"/c/{token}/?lang=es")
    assert switched["Content-Language"] == ("es" if spanish else "en")
    assert ('hreflang="es"' in client.get(f"/c/{token}/?lang=en").content.decode()) is spanish
