"""The risk thresholds page: every rule with its default, its meaning and its figures; a change is
validated (a clear message on the field, nothing saved, nothing typed lost), audited, and used by the real
risk engine on the next evaluation of the clinic's open episodes — a flag appears or disappears."""

import pytest

from care.models import AuditEvent, Clinic
from clinic_settings.rule_notes import NOTES, SETTING_LABELS
from clinic_settings.threshold_form import threshold_rows
from risk import engine
from risk.models import Flag
from risk.rules import all_rules
from tests.alliance.factories import rel
from tests.care.factories import EpisodeFactory, SessionFactory
from tests.checkin.factories import submit

pytestmark = pytest.mark.django_db

URL = "/clinic/settings/thresholds/"


def form_data(clinic: Clinic, **changes: str) -> dict[str, str]:
    """The form as the page shows it for `clinic`, with `changes` typed in ("rule:key" → text)."""
    data = {}
    for row in threshold_rows(clinic):
        for s in row.settings:
            if s.kind == "switch":
                if s.value:
                    data[s.name] = "on"
            else:
                data[s.name] = str(s.value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_every_rule_and_setting_has_its_words():
    for rule in all_rules():
        assert rule.id in NOTES, f"say what {rule.id} means in clinic_settings/rule_notes.py"
        for key in rule.defaults:
            assert key in SETTING_LABELS, f"name the setting {key!r} in clinic_settings/rule_notes.py"


def test_the_page_lists_each_rule_with_default_meaning_and_figures(client, personas):
    client.force_login(personas["admin"])
    page = client.get(URL).content.decode()
    for rule in all_rules():
        assert f"<code>{rule.id}</code>" in page
    assert "Default 0.9 · from 0 to 1" in page  # relationship.low_total fraction
    assert "Cohort AUC 0.75 · 10.0 per 100 sessions" in page
    assert "below this fraction of the maximum" in page
    assert "This rule has no settings and cannot be switched off." in page  # the safety rule


def test_a_change_is_stored_as_an_override_and_audited(client, personas):
    clinic = personas["clinic"]
    client.force_login(personas["admin"])
    response = client.post(
        URL,
        form_data(
            clinic, **{"relationship.low_total:fraction": "0.85", "relationship.drop:informational": None}
        ),
    )
    assert response.status_code == 302
    clinic.refresh_from_db()
    assert clinic.risk_thresholds == {
        "relationship.low_total": {"fraction": 0.85},
        "relationship.drop": {"informational": False},
    }
    event = AuditEvent.objects.get(actor=personas["admin"], object_type="care.Clinic")
    assert event.detail["risk_thresholds"]["after"] == clinic.risk_thresholds
    # the page shows the stored value, marked as changed
    page = client.get(URL).content.decode()
    assert 'value="0.85"' in page and "changed" in page


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("relationship.low_total:fraction", "1.5", "Enter a number from 0 to 1."),
        ("relationship.low_total:fraction", "ninety", "Enter a number, such as 0.9."),
        ("relationship.low_total:fraction", "nan", "Enter a number, such as 0.9."),
        ("relationship.low_item:at_most", "5.5", "Enter a whole number, such as 6."),
        ("reliability.no_checkin:hours", "0", "Enter a number from 1 to 720."),
        ("relationship.low_relative:min_ratings", "9" * 30, "Enter at most 20 characters."),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_lost(client, personas, name, typed, message):
    clinic = personas["clinic"]
    client.force_login(personas["admin"])
    data = form_data(clinic, **{name: typed, "reliability.no_rebooking:days": "21"})
    response = client.post(URL, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "Nothing was saved" in page
    assert 'value="21"' in page  # the other change typed is kept for the next try
    clinic.refresh_from_db()
    assert clinic.risk_thresholds == {}
    assert not AuditEvent.objects.filter(object_type="care.Clinic").exists()


def test_paused_thresholds_are_shown_and_fixed_by_saving(client, personas):
    clinic = personas["clinic"]
    Clinic.objects.filter(pk=clinic.pk).update(
        risk_thresholds={"relationship.low_total": {"fraction": "0.85"}}
    )
    client.force_login(personas["admin"])
    page = client.get(URL).content.decode()
    assert "Risk flags are paused" in page and "must be a number" in page
    clinic.refresh_from_db()
    response = client.post(URL, form_data(clinic, **{"relationship.low_total:fraction": "0.85"}))
    assert response.status_code == 302
    clinic.refresh_from_db()
    assert clinic.risk_thresholds == {"relationship.low_total": {"fraction": 0.85}}


def _low_total_flag(episode):
    return Flag.objects.filter(
        episode=episode, findings__contains=[{"rule": "relationship.low_total"}]
    ).exclude(status=Flag.Status.RESOLVED)


def test_a_stricter_cutoff_raises_a_flag_on_the_next_evaluation(
    client, personas, django_capture_on_commit_callbacks
):
    # Given a clinic whose cutoff is 80% (32 of 40) and a client who rated session 1 at 34 of 40
    clinic = personas["clinic"]
    clinic.risk_thresholds = {"relationship.low_total": {"fraction": 0.8}}
    clinic.save(update_fields=["risk_thresholds"])
    episode = EpisodeFactory(clinician=personas["owner"])
    submit(
        SessionFactory(episode=episode, number=1), rel(heard=9, goals=9, approach=8, overall=8), evaluate=True
    )
    assert not _low_total_flag(episode).exists()
    # When the admin sets the cutoff back to 90% (36 of 40)
    client.force_login(personas["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data(clinic, **{"relationship.low_total:fraction": "0.9"}))
    assert response.status_code == 302
    # Then the engine looked again at the clinic's open episodes, and the flag is there
    flag = _low_total_flag(episode).get()
    assert "34 of 40" in flag.reasons[0]["text"]
    episode.refresh_from_db()
    assert episode.evaluation_due_at is None and episode.evaluated_at is not None


def test_a_looser_time_limit_makes_a_flag_disappear_on_the_next_evaluation(
    client, personas, django_capture_on_commit_callbacks
):
    # Given a session 3 days ago with no check-in, and a clinic where a missing check-in raises a flag
    clinic = personas["clinic"]
    clinic.risk_thresholds = {"reliability.no_checkin": {"informational": False}}
    clinic.save(update_fields=["risk_thresholds"])
    episode = EpisodeFactory(clinician=personas["owner"])
    SessionFactory(episode=episode, number=1, days_ago=3)
    engine.evaluate_episode(episode.pk)
    flagged = Flag.objects.filter(episode=episode, findings__contains=[{"rule": "reliability.no_checkin"}])
    assert flagged.exclude(status=Flag.Status.RESOLVED).exists()
    # When the admin allows 96 hours instead of 48
    client.force_login(personas["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form_data(clinic, **{"reliability.no_checkin:hours": "96"}))
    # Then the flag is resolved by the next evaluation
    assert not flagged.exclude(status=Flag.Status.RESOLVED).exists()


def test_an_unchanged_save_queues_nothing(client, personas, django_capture_on_commit_callbacks):
    episode = EpisodeFactory(clinician=personas["owner"])
    client.force_login(personas["admin"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(URL, form_data(personas["clinic"]))
    assert callbacks == []
    episode.refresh_from_db()
    assert episode.evaluation_due_at is None
