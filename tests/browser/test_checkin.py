"""A client's check-in in a real browser: by touch on a phone, by keyboard only, in Spanish, from a
tablet code, and with links that are expired, reused or edited. Every client page is scanned by axe."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from alliance.models import ClinicianRating
from care.links import link_issue
from care.models import AccessLink, CheckIn, Client, Session
from checkin.attendance import session_record_attendance
from checkin.services import checkin_link_resend
from risk.models import Flag
from tests.alliance.factories import ClinicianRatingFactory
from tests.browser.conftest import screenshot, serious_accessibility_violations, sign_in
from tests.care.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def shoot(page, name: str) -> None:
    """docs/screenshots/checkin-<name>-<width>.png, with the one switch (ATTUNE_SCREENSHOTS=1)."""
    screenshot(page, f"checkin-{name}")


@pytest.fixture(autouse=True)
def cache_table(transactional_db):
    call_command("createcachetable", verbosity=0)


@pytest.fixture
def checkin_link(personas):
    """An attended first session with its check-in open; returns (session, token)."""
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
    return session, token


def assert_accessible(page) -> None:
    assert serious_accessibility_violations(page) == []


def current_step(page):
    return page.locator("section.step:not([hidden])")


def test_a_phone_completes_a_checkin_by_touch(phone_page, live_server, checkin_link):
    page = phone_page
    session, token = checkin_link
    page.goto(f"{live_server.url}/c/{token}/")
    assert page.locator(".progress-text").inner_text() == "Step 1 of 6"
    assert_accessible(page)
    shoot(page, "form")

    # Next without answering says what is missing and stays on the step.
    page.get_by_role("button", name="Next").tap()
    assert page.locator(".field-error:visible").first.inner_text() == "Please answer this question."
    assert page.locator(".progress-text").inner_text() == "Step 1 of 6"
    shoot(page, "form-missing")

    while True:
        step = current_step(page)
        for slider in step.locator("input.slider").all():
            box = slider.bounding_box()
            page.touchscreen.tap(box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2)
        for fieldset in step.locator("fieldset.q-choice:visible, fieldset.q-yesno:visible").all():
            fieldset.locator("label.choice").last.tap()
        send = step.get_by_role("button", name="Send my answers")
        if send.count():
            step.locator("textarea").first.tap()
            page.keyboard.type("Thank you for today.")
            send.tap()
            break
        step.get_by_role("button", name="Next").tap()

    page.get_by_role("heading", name="Thank you").wait_for()
    assert_accessible(page)
    shoot(page, "thanks")
    checkin = CheckIn.objects.get(session=session)
    assert checkin.status == CheckIn.Status.SUBMITTED
    assert checkin.answers["relationship"]["heard"] == 8, "tapping 80% along a 0–10 slider gives 8"
    assert checkin.answers["closing"]["note"] == "Thank you for today."


def test_a_checkin_completed_with_the_keyboard_only(page, live_server, checkin_link):
    session, token = checkin_link
    page.goto(f"{live_server.url}/c/{token}/")

    def tab_to(selector: str) -> None:
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    while True:
        step = current_step(page)
        for fieldset in step.locator("fieldset.q:visible").all():
            field_id = fieldset.get_attribute("id")
            if "q-scale" in fieldset.get_attribute("class"):
                tab_to(f"#{field_id}-slider")
                page.keyboard.press("End")  # 10
                page.keyboard.press("ArrowLeft")  # 9
            else:
                tab_to(f"#{field_id} input[type=radio]")
                page.keyboard.press("Space")  # the first answer offered
        if step.get_by_role("button", name="Send my answers").count():
            tab_to("button.send")
            page.keyboard.press("Enter")
            break
        tab_to("section.step:not([hidden]) button.next")
        page.keyboard.press("Enter")
        # The new step's heading takes focus so a screen reader announces it.
        assert page.evaluate("document.activeElement.tagName") == "H2"

    page.get_by_role("heading", name="Thank you").wait_for()
    answers = CheckIn.objects.get(session=session).answers
    assert answers["relationship"]["heard"] == 9 and answers["reliability"]["present"] == 9
    assert answers["regimen"]["frequency"] == 0  # first option offered, "Too little"


@pytest.mark.parametrize("fixture_name", ["phone_page", "page"])
def test_the_spanish_form_renders_and_switches_back(request, live_server, checkin_link, fixture_name):
    page = request.getfixturevalue(fixture_name)
    session, token = checkin_link
    Client.objects.filter(pk=session.episode.client_id).update(preferred_language="es")
    page.goto(f"{live_server.url}/c/{token}/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_role("heading", name="¿Cómo fue su sesión?").wait_for()
    assert page.locator(".progress-text").inner_text() == "Paso 1 de 6"
    assert page.get_by_text("Me sentí escuchado/a, comprendido/a y respetado/a.").is_visible()
    assert_accessible(page)
    shoot(page, "form-es")
    page.get_by_role("link", name="English").click()
    page.get_by_role("heading", name="How was your session?").wait_for()


def test_server_errors_keep_answers_and_are_accessible(page, live_server, checkin_link):
    """With the script off the whole form shows at once; a missing answer comes back explained, with
    what was already chosen still chosen. With the script on, the error page opens at that step."""
    _session, token = checkin_link
    context = page.context.browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    plain = context.new_page()
    plain.set_default_timeout(10_000)
    plain.goto(f"{live_server.url}/c/{token}/")
    plain.locator("input[name='relationship.heard'][value='7'] + span").click()
    plain.get_by_role("button", name="Send my answers").click()
    plain.locator("#error-summary").wait_for()
    assert plain.locator("input[name='relationship.heard'][value='7']").is_checked()
    assert plain.locator(".field-error:visible").count() > 5
    context.close()

    page.goto(f"{live_server.url}/c/{token}/")
    page.locator("#q-relationship-heard-slider").focus()
    page.keyboard.press("Home")
    page.evaluate("document.querySelector('form.checkin').submit()")  # skip the script's own checks
    page.locator("#error-summary").wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator(".progress-text").inner_text() == "Step 1 of 6"
    assert page.locator("#q-relationship-heard-slider").input_value() == "0", "the answer is kept"
    assert_accessible(page)
    shoot(page, "form-errors")
    # A summary link to a question on a later step opens that step at the question.
    page.locator("#error-summary a[href='#q-reliability-present']").click()
    assert page.locator(".progress-text").inner_text() == "Step 5 of 6"
    assert page.evaluate("document.activeElement.id") == "q-reliability-present-slider"


def test_a_tablet_code_then_the_crisis_page(phone_page, live_server, personas, checkin_link):
    page = phone_page
    session, _token = checkin_link
    clinic = session.episode.client.clinic
    clinic.measure_schedule = {"phq9": 1}
    clinic.save()
    checkin = CheckIn.objects.get(session=session)
    checkin.instrument_versions = {**checkin.instrument_versions, "phq9": "1"}
    checkin.save()
    _link, _t, code = checkin_link_resend(actor=personas["owner"].user, session=session, email=False)

    page.goto(f"{live_server.url}/c/")
    assert_accessible(page)
    shoot(page, "code")
    page.get_by_label("Code").fill("NOT A CODE")
    page.get_by_role("button", name="Start").tap()
    page.get_by_text("That code didn't work").wait_for()
    assert_accessible(page)
    page.get_by_label("Code").fill(code.lower())
    page.get_by_role("button", name="Start").tap()
    page.get_by_role("heading", name="How was your session?").wait_for()

    # Answer every step; the PHQ-9's last options are the highest ("Nearly every day").
    while True:
        step = current_step(page)
        for slider in step.locator("input.slider").all():
            slider.focus()
            page.keyboard.press("End")
        for fieldset in step.locator("fieldset.q-choice:visible, fieldset.q-yesno:visible").all():
            fieldset.locator("label.choice").last.tap()
        if step.get_by_role("button", name="Send my answers").count():
            step.get_by_role("button", name="Send my answers").tap()
            break
        step.get_by_role("button", name="Next").tap()

    page.get_by_role("heading", name="Thank you for telling us. Help is available now.").wait_for()
    assert page.get_by_text(clinic.crisis_instructions).is_visible()
    assert_accessible(page)
    shoot(page, "crisis")
    assert Flag.objects.get(rule="phq9_item9_safety").level == "red"


@pytest.mark.parametrize("fixture_name", ["phone_page", "page"])
def test_expired_used_and_edited_links_get_kind_accessible_pages(
    request, live_server, checkin_link, fixture_name
):
    page = request.getfixturevalue(fixture_name)
    session, token = checkin_link
    # Edited: one character changed.
    page.goto(f"{live_server.url}/c/{token[:-2]}xx/")
    page.get_by_role("heading", name="We can't open this link").wait_for()
    assert page.locator("form.checkin").count() == 0
    assert_accessible(page)
    shoot(page, "link-unknown")

    # Used: after answering, the same link says thank you and shows no form.
    CheckIn.objects.filter(session=session).update(
        status=CheckIn.Status.SUBMITTED, submitted_at=timezone.now()
    )
    AccessLink.objects.filter(checkin__session=session).update(used_at=timezone.now())
    page.goto(f"{live_server.url}/c/{token}/")
    page.get_by_text("Your answers are already saved").wait_for()
    assert page.locator("form.checkin").count() == 0
    assert_accessible(page)

    # Expired.
    AccessLink.objects.filter(checkin__session=session).update(
        used_at=None,
        created_at=timezone.now() - dt.timedelta(days=5),
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    response = page.goto(f"{live_server.url}/c/{token}/")
    assert response.status == 410
    page.get_by_role("heading", name="This link has expired").wait_for()
    assert_accessible(page)
    shoot(page, "link-expired")


@pytest.mark.parametrize("fixture_name", ["phone_page", "page"])
def test_the_clinicians_session_page_and_rating(request, live_server, personas, checkin_link, fixture_name):
    page = request.getfixturevalue(fixture_name)
    session, _token = checkin_link
    sign_in(page, live_server, "owner")
    page.wait_for_url("**/caseload/**")
    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    page.get_by_role("button", name="Show a tablet code").click()
    page.locator(".tablet-code").wait_for()
    assert len(page.locator(".tablet-code .code").inner_text().replace(" ", "")) == 8
    for slider in page.locator("input.slider").all():
        slider.focus()
        page.keyboard.press("End")
    page.get_by_label("I noticed a rupture").check()
    page.get_by_label("What happened (optional)").fill("Went quiet after homework came up.")
    assert_accessible(page)
    shoot(page, "session-page")
    page.get_by_role("button", name="Save my rating").click()
    page.get_by_text("Saved", exact=False).first.wait_for()
    shoot(page, "session-page-rated")
    rating = ClinicianRating.objects.get(session=session)
    assert rating.answers["heard"] == 10 and rating.rupture_noticed


def test_a_supervisor_reads_the_session_page(page, live_server, personas, checkin_link):
    """The supervisor sees the same cards, read-only: no forms, the clinician's rating as answers."""
    session, _token = checkin_link
    ClinicianRatingFactory(
        session=session,
        rated_by=personas["owner"].user,
        answers={"heard": 7, "goals": 6, "approach": 8, "overall": 7, "belief": 8},
        rupture_noticed=True,
        rupture_note="Went quiet after homework came up.",
    )
    sign_in(page, live_server, "supervisor")
    page.wait_for_url("**/supervision/**")
    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    # headed with the clinician's name, not "Your rating"
    page.get_by_role(
        "heading", name=f"{personas['owner'].user.first_name}'s rating of the session"
    ).wait_for()
    assert page.locator("main form").count() == 0
    assert page.locator("dl.answers dd").all_inner_texts() == ["7", "6", "8", "7", "8"]
    assert page.get_by_text("Went quiet after homework came up.").is_visible()
    assert_accessible(page)
    shoot(page, "session-page-supervisor")
