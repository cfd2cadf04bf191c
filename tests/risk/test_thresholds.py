"""Clinic risk thresholds: validated against the registered rules before they are stored, read through
one function by rules and pages, and a bad value already stored never loops the engine."""

import datetime as dt
import logging

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from care.models import CheckIn, Clinic, Episode
from risk import engine as risk
from risk.admin import ClinicForm
from risk.models import Flag
from risk.rules import all_rules
from risk.thresholds import ThresholdsError, rule_params, thresholds_problems, validate_thresholds
from tests.alliance.factories import rel
from tests.care.factories import ClinicFactory, EpisodeFactory, SessionFactory, UserFactory
from tests.checkin.factories import submit

VALID = [
    pytest.param({}, {}, id="empty"),
    pytest.param(None, {}, id="null"),
    pytest.param({"relationship.low_total": {"fraction": 0.85}}, None, id="fraction"),
    pytest.param(
        {"relationship.low_total": {"fraction": 1}},
        {"relationship.low_total": {"fraction": 1.0}},
        id="1 is 1.0",
    ),
    pytest.param({"relationship.low_total": {"fraction": 0}}, None, id="fraction at 0"),
    pytest.param({"relationship.drop": {"enabled": False}}, None, id="switch off"),
    pytest.param({"reliability.no_checkin": {"hours": 72}}, None, id="hours"),
    pytest.param({"reliability.no_rebooking": {"days": 365}}, None, id="days at most"),
    pytest.param({"regimen.plan": {"at_most": 0}}, None, id="declared range from 0"),
    pytest.param(
        {"relationship.discrepancy": {"mean_gap": 3}},
        {"relationship.discrepancy": {"mean_gap": 3.0}},
        id="whole number for a number",
    ),
]

INVALID = [
    # (thresholds, the message's telling part)
    pytest.param(
        {"relationship.low_totl": {"fraction": 0.8}},
        '"relationship.low_totl" is not a risk rule. Did you mean "relationship.low_total"?',
        id="unknown rule",
    ),
    pytest.param(
        {"relationship.low_total": {"fractoin": 0.8}},
        'relationship.low_total: "fractoin" is not a setting of this rule (its settings: "enabled", "fraction", "red_fraction").',
        id="unknown key",
    ),
    pytest.param(
        {"relationship.low_total": {"fraction": "0.85"}},
        'relationship.low_total: "fraction" must be a number, not the text "0.85".',
        id="text for a number",
    ),
    pytest.param(
        {"reliability.no_checkin": {"hours": True}},
        'reliability.no_checkin: "hours" must be a whole number, not true.',
        id="bool for a count",
    ),
    pytest.param(
        {"relationship.low_total": {"fraction": False}},
        'relationship.low_total: "fraction" must be a number, not false.',
        id="bool for a number",
    ),
    pytest.param(
        {"reliability.no_checkin": {"hours": 48.5}},
        'reliability.no_checkin: "hours" must be a whole number, not 48.5.',
        id="fraction of an hour",
    ),
    pytest.param(
        {"relationship.drop": {"enabled": "no"}},
        'relationship.drop: "enabled" must be true or false, not the text "no".',
        id="text for a switch",
    ),
    pytest.param(
        {"relationship.drop": {"enabled": 0}},
        'relationship.drop: "enabled" must be true or false, not 0.',
        id="0 for a switch",
    ),
    pytest.param(
        {"relationship.low_total": {"fraction": 1.5}},
        'relationship.low_total: "fraction" must be between 0 and 1, not 1.5.',
        id="fraction above 1",
    ),
    pytest.param(
        {"relationship.low_relative": {"bottom_share": -0.1}},
        'relationship.low_relative: "bottom_share" must be between 0 and 1, not -0.1.',
        id="negative share",
    ),
    pytest.param(
        {"reliability.no_rebooking": {"days": 0}},
        'reliability.no_rebooking: "days" must be between 1 and 365, not 0.',
        id="zero days",
    ),
    pytest.param(
        {"reliability.no_checkin": {"hours": -48}},
        'reliability.no_checkin: "hours" must be between 1 and 720, not -48.',
        id="negative hours",
    ),
    pytest.param(
        {"reliability.clinician_disruption": {"late_minutes": 600}},
        'reliability.clinician_disruption: "late_minutes" must be between 1 and 240, not 600.',
        id="minutes too many",
    ),
    pytest.param(
        {"relationship.persistent_low": {"from_session": 0}},
        'relationship.persistent_low: "from_session" must be between 1 and 100, not 0.',
        id="session 0",
    ),
    pytest.param(
        {"relationship.low_item": {"at_most": 11}},
        'relationship.low_item: "at_most" must be between 0 and 10, not 11.',
        id="declared range",
    ),
    pytest.param(
        {"relationship.low_relative": {"min_ratings": 5}},
        'relationship.low_relative: "min_ratings" must be between 20 and 100000, not 5.',
        id="too few ratings",
    ),
    pytest.param(
        {"relationship.low_total": 0.85},
        'relationship.low_total: expected an object of settings, e.g. {"enabled": false}, not 0.85.',
        id="value not an object",
    ),
    pytest.param(
        ["relationship.low_total"], "Risk thresholds must be an object keyed by rule id", id="not an object"
    ),
    pytest.param(
        {"phq9_item9_safety": {"enabled": False}},
        'phq9_item9_safety: "enabled" is not a setting of this rule (its settings: none: this rule cannot be changed).',
        id="safety cannot be switched off",
    ),
]


@pytest.mark.parametrize(("given", "stored"), VALID)
def test_valid_thresholds_are_kept_as_given(given, stored):
    assert validate_thresholds(given) == (given if stored is None else stored)


@pytest.mark.parametrize(("given", "message"), INVALID)
def test_invalid_thresholds_are_refused_with_a_message_naming_rule_and_key(given, message):
    with pytest.raises(ThresholdsError) as refused:
        validate_thresholds(given)
    assert any(message in m for m in refused.value.messages), refused.value.messages


def test_every_problem_is_reported_at_once():
    with pytest.raises(ThresholdsError) as refused:
        validate_thresholds({"relationship.low_total": {"fraction": "0.9", "red_fraction": 2}, "nope": {}})
    assert len(refused.value.messages) == 3


def test_every_rules_defaults_validate():
    # Each numeric default has a range (by its name or declared by its rule), and sits inside it.
    defaults = {r.id: dict(r.defaults) for r in all_rules() if r.defaults}
    assert validate_thresholds(defaults) == defaults


@pytest.mark.django_db
def test_rule_params_merge_the_clinics_overrides_over_the_defaults():
    clinic = ClinicFactory(risk_thresholds={"relationship.low_total": {"fraction": 0.85}})
    assert rule_params(clinic, "relationship.low_total") == {
        "enabled": True,
        "fraction": 0.85,
        "red_fraction": 0.75,
    }
    assert rule_params(clinic, "relationship.low_item") == {"enabled": True, "at_most": 6}
    clinic.risk_thresholds = {"relationship.low_total": {"fraction": "0.85"}}
    with pytest.raises(ThresholdsError):
        rule_params(clinic, "relationship.low_item")


# The admin form ---------------------------------------------------------------------------------------


def clinic_form_data(clinic: Clinic, thresholds: str) -> dict:
    return {
        "name": clinic.name,
        "time_zone": clinic.time_zone,
        "crisis_instructions": clinic.crisis_instructions,
        "crisis_instructions_es": "",
        "checkin_link_ttl_hours": clinic.checkin_link_ttl_hours,
        "checkin_reminder_after_hours": clinic.checkin_reminder_after_hours,
        "flag_stale_after_hours": clinic.flag_stale_after_hours,
        "risk_thresholds": thresholds,
        "measure_schedule": "{}",
    }


@pytest.mark.django_db
def test_the_clinic_form_refuses_bad_thresholds_with_the_message():
    clinic = ClinicFactory()
    form = ClinicForm(
        data=clinic_form_data(clinic, '{"relationship.low_total": {"fraction": "0.85"}}'), instance=clinic
    )
    assert not form.is_valid()
    assert form.errors["risk_thresholds"] == [
        'relationship.low_total: "fraction" must be a number, not the text "0.85".'
    ]


@pytest.mark.django_db
def test_the_admin_saves_nothing_when_thresholds_are_bad_and_saves_good_ones(client):
    assert (
        isinstance(admin.site._registry[Clinic].form, type)
        and admin.site._registry[Clinic].form is ClinicForm
    )
    clinic = ClinicFactory(risk_thresholds={"relationship.drop": {"enabled": False}})
    root = UserFactory(clinic=clinic, is_staff=True, is_superuser=True)
    client.force_login(root)
    url = reverse("admin:care_clinic_change", args=[clinic.pk])
    # Given a value typed as text, when the admin saves
    response = client.post(url, clinic_form_data(clinic, '{"relationship.low_total": {"fraction": "0.85"}}'))
    # Then the form comes back with the message and nothing is stored
    assert response.status_code == 200
    assert "must be a number, not the text" in response.content.decode()
    clinic.refresh_from_db()
    assert clinic.risk_thresholds == {"relationship.drop": {"enabled": False}}
    # A good value is stored
    response = client.post(url, clinic_form_data(clinic, '{"relationship.low_total": {"fraction": 0.85}}'))
    assert response.status_code == 302
    clinic.refresh_from_db()
    assert clinic.risk_thresholds == {"relationship.low_total": {"fraction": 0.85}}


# A bad value already stored ---------------------------------------------------------------------------


@pytest.fixture
def bad_clinic_episode(db):
    episode = EpisodeFactory()
    Clinic.objects.filter(pk=episode.client.clinic_id).update(
        risk_thresholds={"relationship.low_total": {"fraction": "0.85"}}
    )
    return episode


def test_a_stored_bad_value_skips_the_episode_with_one_logged_error_and_no_loop(bad_clinic_episode, caplog):
    episode = bad_clinic_episode
    other = EpisodeFactory(clinician=episode.clinician)  # same clinic
    submit(SessionFactory(episode=episode, number=1), rel(heard=3))
    submit(SessionFactory(episode=other, number=1), rel(heard=3))
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    Episode.objects.filter(pk__in=[episode.pk, other.pk]).update(evaluation_due_at=long_ago)
    CheckIn.objects.update(submitted_at=long_ago)
    # When the sweep comes round, twice
    with caplog.at_level(logging.ERROR, logger="risk.engine"):
        first = risk.sweep_due(enqueue=False)
        second = risk.sweep_due(enqueue=False)
    # Then both episodes were skipped, the outbox is done (the sweep does not pick them up again)
    assert {episode.pk, other.pk} <= set(first)
    assert not {episode.pk, other.pk} & set(second)
    assert not Episode.objects.filter(pk__in=[episode.pk, other.pk], evaluation_due_at__isnull=False).exists()
    assert not CheckIn.objects.filter(evaluated_at__isnull=True).exists()
    # no flag was raised on stale or guessed thresholds, and the problem was logged once for the clinic
    assert not Flag.objects.filter(episode__in=[episode, other]).exists()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert 'relationship.low_total: "fraction" must be a number' in errors[0].getMessage()
    # and evaluating again (a new check-in, a retry) does not log it again
    with caplog.at_level(logging.ERROR, logger="risk.engine"):
        again = risk.evaluate_episode(episode.pk)
    assert again.skipped and again.problems
    assert len([r for r in caplog.records if r.levelno == logging.ERROR]) == 1


def test_once_fixed_the_clinics_episodes_are_evaluated_again(bad_clinic_episode):
    submit(SessionFactory(episode=bad_clinic_episode, number=1), rel(heard=3))
    assert risk.evaluate_episode(bad_clinic_episode.pk).skipped
    Clinic.objects.filter(pk=bad_clinic_episode.client.clinic_id).update(
        risk_thresholds={"relationship.low_total": {"fraction": 0.85}}
    )
    result = risk.evaluate_episode(bad_clinic_episode.pk)
    assert not result.skipped and "relationship.low_item" in result.raised


def test_the_clinic_page_shows_the_problem_to_the_clinic_admin(client, bad_clinic_episode):
    clinic = bad_clinic_episode.client.clinic
    client.force_login(UserFactory(clinic=clinic, role="admin"))
    body = client.get(reverse("clinic-overview")).content.decode()
    assert "Risk flags are paused for this clinic" in body
    assert (
        "relationship.low_total: &quot;fraction&quot; must be a number, not the text &quot;0.85&quot;."
        in body
    )
    # and nothing is said when all is well
    Clinic.objects.filter(pk=clinic.pk).update(risk_thresholds={})
    assert "Risk flags are paused" not in client.get(reverse("clinic-overview")).content.decode()
    assert thresholds_problems(Clinic.objects.get(pk=clinic.pk)) == []
