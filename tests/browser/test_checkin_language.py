"""A Spanish client's check-in with a clinic's English-only questionnaire: that step is in English and
says so, at phone and desktop widths, and stays accessible."""

import datetime as dt

import pytest
from django.core.management import call_command

from care.links import link_issue
from care.models import AccessLink, CheckIn, Client, Session
from checkin.attendance import session_record_attendance
from instruments.models import InstrumentDefinition
from tests.browser.conftest import screenshot, serious_accessibility_violations
from tests.care.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)

ENGLISH_ONLY = {
    "key": "mood_check",
    "version": "clinic-1",
    "kind": "wellbeing",
    "title": {"en": "Mood check"},
    "items": [{"key": "mood", "type": "scale", "text": {"en": "How is your mood today?"}}],
}


def test_a_step_without_spanish_says_it_is_shown_in_english(phone_page, live_server, personas):
    call_command("createcachetable", verbosity=0)
    page = phone_page
    clinic = personas["clinic"]
    clinic.measure_schedule = {"mood_check": 1}
    clinic.save()
    InstrumentDefinition.objects.create(
        clinic=clinic, key="mood_check", version="clinic-1", definition=ENGLISH_ONLY
    )
    Client.objects.filter(pk=personas["owner_episode"].client_id).update(preferred_language="es")
    session = SessionFactory(
        episode=personas["owner_episode"], number=1, attendance=Session.Attendance.SCHEDULED
    )
    session_record_attendance(
        actor=personas["owner"].user, session=session, attendance=Session.Attendance.ATTENDED
    )
    checkin = CheckIn.objects.get(session=session)
    _link, token, _code = link_issue(
        purpose=AccessLink.Purpose.CHECKIN,
        client=session.episode.client,
        checkin=checkin,
        ttl=dt.timedelta(hours=4),
    )
    page.goto(f"{live_server.url}/c/{token}/")
    while not page.locator("#step-mood_check:not([hidden])").count():
        step = page.locator("section.step:not([hidden])")
        for slider in step.locator("input.slider").all():
            box = slider.bounding_box()
            page.touchscreen.tap(box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2)
        for fieldset in step.locator("fieldset.q-choice:visible, fieldset.q-yesno:visible").all():
            fieldset.locator("label.choice").last.tap()
        step.get_by_role("button", name="Siguiente").tap()
    notice = page.locator("#step-mood_check .language-fallback")
    assert notice.is_visible() and "se muestran en inglés" in notice.inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "checkin-language-fallback", widths=(390, 1280))
