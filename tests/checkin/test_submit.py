"""Submitting the form: strict server-side validation, errors that keep answers, one check-in only,
and the safety flag raised in the same transaction."""

import datetime as dt

import pytest
from django.core import mail

from care.links import link_find
from care.models import AccessLink, CheckIn, Client, Score
from checkin import services as checkins
from checkin.services import CheckInInvalid, checkin_submit
from instruments.library import get_instrument
from risk.models import Flag
from tests.checkin.factories import GOOD, good_answers

pytestmark = pytest.mark.django_db


def test_good_answers_are_stored_scored_and_thanked(client, opened):
    session, token = opened
    response = client.post(f"/c/{token}/", GOOD)
    assert response.status_code == 200
    assert b"Your answers are saved" in response.content
    assert b"/me/" in response.content, "a link to the client's own page"
    portal = AccessLink.objects.get(purpose=AccessLink.Purpose.PORTAL, client=session.episode.client)
    assert portal.expires_at - portal.created_at > dt.timedelta(days=6), "as long as any portal link"
    checkin = CheckIn.objects.get(session=session)
    assert checkin.status == CheckIn.Status.SUBMITTED
    assert checkin.answers["relationship"]["heard"] == 8
    assert checkin.answers["closing"] == {}
    total = Score.objects.get(checkin=checkin, instrument="relationship", scale="total")
    assert (total.value, total.minimum, total.maximum) == (32, 0, 40)
    episode = session.episode
    episode.refresh_from_db()
    assert episode.evaluated_at is not None, "the risk engine looked at the episode"


def test_a_replayed_post_stores_nothing_more_and_issues_no_second_portal_link(client, opened):
    session, token = opened
    first = client.post(f"/c/{token}/", GOOD)
    replay = client.post(f"/c/{token}/", {**GOOD, "relationship.heard": "0"})
    assert first.status_code == replay.status_code == 200
    assert b"already saved" in replay.content and b"/me/" not in replay.content
    checkin = CheckIn.objects.get(session=session)
    assert checkin.answers["relationship"]["heard"] == 8
    assert Score.objects.filter(checkin=checkin, scale="total", instrument="relationship").count() == 1
    assert AccessLink.objects.filter(purpose="portal").count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("relationship.heard", "11"),
        ("relationship.heard", "２０"),
        ("relationship.heard", "8.0"),
        ("regimen.frequency", "7"),
        ("relationship.heard", ""),
    ],
)
def test_a_bad_answer_gets_a_clear_error_keeps_the_other_answers_and_stores_nothing(
    client, opened, field, value
):
    session, token = opened
    response = client.post(f"/c/{token}/", {**GOOD, field: value})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'class="field-error"' in html
    # What the client already chose is still chosen.
    assert 'name="reliability.present" value="10" checked' in html
    assert 'name="stage.stage" value="3" checked' in html
    checkin = CheckIn.objects.get(session=session)
    assert checkin.status != CheckIn.Status.SUBMITTED and not Score.objects.exists()
    assert link_find(purpose="checkin", token=token) is not None, "the link still works for a retry"


def test_errors_are_in_spanish_on_the_spanish_form(client, opened):
    _session, token = opened
    response = client.post(f"/c/{token}/", {**GOOD, "relationship.heard": "", "lang": "es"})
    assert response.status_code == 400
    assert "Por favor, responda esta pregunta." in response.content.decode()


def test_the_free_text_is_stored_raw_and_shown_escaped(client, opened):
    session, token = opened
    words = "<script>alert(1)</script> & thanks"
    response = client.post(f"/c/{token}/", {**GOOD, "relationship.heard": "", "closing.note": words})
    assert response.status_code == 400
    assert "<script>alert(1)" not in response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; thanks" in response.content.decode()
    client.post(f"/c/{token}/", {**GOOD, "closing.note": words})
    assert CheckIn.objects.get(session=session).answers["closing"]["note"] == words


@pytest.fixture
def with_phq9(opened):
    get_instrument("phq9")  # the shipped definition
    session, _token = opened
    clinic = session.episode.client.clinic
    clinic.measure_schedule = {"phq9": 1}
    clinic.crisis_instructions_es = "Si está en peligro ahora, llame al 988."
    clinic.save()
    checkin = CheckIn.objects.get(session=session)
    checkin.instrument_versions = {**checkin.instrument_versions, "phq9": "1"}
    checkin.save()
    return opened


def phq9_form(item9: int) -> dict:
    return {
        **GOOD,
        **{f"phq9.item{i}": "1" for i in range(1, 9)},
        "phq9.item9": str(item9),
        "phq9.difficulty": "1",
    }


def test_phq9_item9_above_zero_raises_a_red_flag_and_shows_crisis_instructions(client, with_phq9):
    session, token = with_phq9
    response = client.post(f"/c/{token}/", phq9_form(2))
    assert response.status_code == 200
    assert b"Help is available now" in response.content
    assert session.episode.client.clinic.crisis_instructions.encode() in response.content
    flag = Flag.objects.get(episode=session.episode, rule="phq9_item9_safety")
    assert (flag.level, flag.pillar, flag.session_id) == ("red", "safety", session.pk)
    assert flag.reasons[0]["evidence"]["answer"] == 2
    assert "item 9" in flag.reasons[0]["text"]


def test_crisis_instructions_in_spanish_for_a_spanish_speaking_client(client, with_phq9):
    session, token = with_phq9
    Client.objects.filter(pk=session.episode.client_id).update(preferred_language="es")
    response = client.post(f"/c/{token}/", phq9_form(1))
    assert "Si está en peligro ahora, llame al 988." in response.content.decode()


def test_phq9_item9_zero_raises_no_safety_flag(client, with_phq9):
    session, token = with_phq9
    response = client.post(f"/c/{token}/", phq9_form(0))
    assert b"Your answers are saved" in response.content
    assert not Flag.objects.filter(rule="phq9_item9_safety").exists()
    assert Score.objects.filter(checkin__session=session, instrument="phq9", scale="total").exists()


def test_the_safety_flag_and_the_answers_commit_together_or_not_at_all(with_phq9, monkeypatch):
    session, token = with_phq9
    link = link_find(purpose="checkin", token=token)

    def fail_late(**kwargs):
        raise RuntimeError("the server stopped half-way")

    # A failure after the flag is written, still inside the submit's transaction:
    monkeypatch.setattr(checkins, "audit_record", fail_late)
    answers = good_answers() | {"phq9": {**{f"item{i}": 1 for i in range(1, 9)}, "item9": 3, "difficulty": 1}}
    with pytest.raises(RuntimeError):
        checkin_submit(link=link, answers=answers)
    assert not Flag.objects.exists(), "no flag without the check-in"
    assert CheckIn.objects.get(session=session).status != CheckIn.Status.SUBMITTED
    assert link_find(purpose="checkin", token=token) is not None

    monkeypatch.undo()
    outcome = checkin_submit(link=link, answers=answers)
    assert outcome.safety_concern and Flag.objects.filter(rule="phq9_item9_safety").count() == 1


def test_an_unknown_section_is_refused(opened):
    _session, token = opened
    link = link_find(purpose="checkin", token=token)
    with pytest.raises(CheckInInvalid) as refused:
        checkin_submit(link=link, answers=good_answers() | {"wai_sr": {"item1": 3}})
    assert "not part of the form" in refused.value.errors["wai_sr"]["__all__"]
    assert mail.outbox  # (the link email from opening, nothing new)
