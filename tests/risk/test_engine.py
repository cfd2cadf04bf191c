"""The engine against PostgreSQL: facts gathered, flags raised once, updated, resolved, never duplicated."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.facts import clear_totals_cache
from care.models import CheckIn, Episode
from risk import engine as risk
from risk.models import Flag, FlagEvent
from risk.schemas import FlagReason
from risk.services import flag_acknowledge, flag_raise, flag_resolve
from tests.alliance.factories import rel
from tests.care.factories import EpisodeFactory, SessionFactory
from tests.checkin.factories import submit
from tests.risk.factories import finding_of, flags_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode():
    return EpisodeFactory()


def active(episode, rule):
    """The episode's active flag carrying a finding of `rule` (one flag per pillar holds them all)."""
    return flags_with(episode, rule).exclude(status=Flag.Status.RESOLVED)


def test_low_check_in_raises_one_explained_flag_and_marks_evaluated(episode):
    # Given a first session the client rated 32/40
    s1 = SessionFactory(episode=episode, number=1)
    checkin = submit(s1, rel(heard=8, goals=8, approach=8, overall=8))
    # When the engine evaluates the episode
    result = risk.evaluate_episode(episode.pk)
    # Then a low-total flag carries the evidence, the rule version and a next step
    assert "relationship.low_total" in result.raised
    flag = active(episode, "relationship.low_total").get()
    assert flag.level == "amber" and flag.pillar == "relationship" and flag.rule_version == "2"
    assert flag.session_id == s1.pk
    assert flag.reasons[0]["text"].startswith(
        "After session 1 the client's relationship total was 32 of 40 (below 36"
    )
    assert flag.reasons[0]["evidence"]["threshold"] == 36.0
    assert "what felt off" in flag.suggested_action
    # and the outbox is cleared
    checkin.refresh_from_db()
    episode.refresh_from_db()
    assert checkin.evaluated_at is not None
    assert episode.evaluation_due_at is None and episode.evaluated_at is not None


def test_re_evaluating_the_same_evidence_changes_nothing(episode):
    submit(SessionFactory(episode=episode, number=1), rel(heard=5))
    risk.evaluate_episode(episode.pk)
    events = FlagEvent.objects.count()
    # When the task runs again (a retry, a duplicate message, the sweep)
    again = risk.evaluate_episode(episode.pk)
    # Then there is still one flag for the pillar, with both findings, and no new history
    assert again.raised == [] and again.updated == []
    flag = Flag.objects.get(episode=episode)
    assert [f["rule"] for f in flag.findings] == ["relationship.low_total", "relationship.low_item"]
    assert FlagEvent.objects.count() == events


def test_new_evidence_updates_the_open_flag_instead_of_duplicating(episode):
    # (low twice running would be a new finding, persistent_low, which re-opens: see the next test)
    clinic = episode.client.clinic
    clinic.risk_thresholds = {"relationship.persistent_low": {"enabled": False}}
    clinic.save(update_fields=["risk_thresholds"])
    submit(SessionFactory(episode=episode, number=1, days_ago=8), rel(heard=6, approach=5), evaluate=True)
    flag = active(episode, "relationship.low_item").get()
    flag_acknowledge(flag=flag, actor=episode.clinician.user)
    # When session 2 is rated low again by the same rules (heard recovered, approach still 5)
    submit(SessionFactory(episode=episode, number=2), rel(heard=9, approach=5), evaluate=True)
    # Then the same flag carries the new evidence, keeps its acknowledgement, and says it was updated
    flag.refresh_from_db()
    assert active(episode, "relationship.low_item").count() == 1
    [item] = finding_of(flag, "relationship.low_item")["reasons"]
    assert flag.status == Flag.Status.ACKNOWLEDGED and flag.new_findings == []
    assert "approach fits them" in item["text"] and "Session 2" in item["text"]
    assert list(flag.events.values_list("action", flat=True)) == ["raised", "acknowledged", "updated"]


def test_a_new_finding_on_an_acknowledged_flag_reopens_it_visibly(episode):
    # Given a low item after session 1, acknowledged by the clinician
    submit(SessionFactory(episode=episode, number=1, days_ago=8), rel(heard=6, approach=5), evaluate=True)
    flag = active(episode, "relationship.low_item").get()
    flag_acknowledge(flag=flag, actor=episode.clinician.user)
    # When session 2 is lower still: a new finding (low twice running) from the same pillar
    submit(SessionFactory(episode=episode, number=2), rel(heard=6, approach=4), evaluate=True)
    # Then the one flag opens again, red, saying which finding is new since the acknowledgement
    flag.refresh_from_db()
    assert Flag.objects.filter(episode=episode).count() == 1
    assert flag.status == Flag.Status.OPEN and flag.is_reopened and flag.reopened_at is not None
    assert flag.new_findings == ["relationship.persistent_low"]
    assert flag.level == "red" and flag.rule == "relationship.persistent_low"
    assert list(flag.events.values_list("action", flat=True)) == ["raised", "acknowledged", "reopened"]
    # and acknowledging it again acts once, on the whole flag
    flag_acknowledge(flag=flag, actor=episode.clinician.user)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.ACKNOWLEDGED and not flag.is_reopened


def test_later_check_in_that_recovers_resolves_the_flag(episode):
    submit(SessionFactory(episode=episode, number=1, days_ago=8), rel(goals=5), evaluate=True)
    flag = active(episode, "relationship.low_item").get()
    # When the next check-in is back to good
    submit(SessionFactory(episode=episode, number=2), rel(), evaluate=True)
    # Then the flag resolves by itself, with the reason, and no one as the actor
    flag.refresh_from_db()
    assert flag.status == Flag.Status.RESOLVED and flag.resolved_by is None
    assert flag.resolution == "Resolved automatically: the check-in after session 2 shows recovery."


def test_flag_stays_open_until_a_later_check_in_even_if_rule_quiet(episode):
    # Given a rupture flag the clinician noted, with no check-in yet after it
    flag = flag_raise(
        episode=episode,
        rule="relationship.low_item",
        rule_version="1",
        pillar="relationship",
        level="amber",
        reasons=[FlagReason(text="x")],
        suggested_action="y",
        session=SessionFactory(episode=episode, number=1),
    )
    # When the engine runs and the rule does not fire (there is no check-in at all)
    risk.evaluate_episode(episode.pk)
    # Then nothing shows recovery yet, so the flag stays open
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN


def test_condition_rule_resolves_when_condition_clears(episode):
    s1 = SessionFactory(episode=episode, number=1, days_ago=20)
    risk.evaluate_episode(episode.pk)
    assert active(episode, "reliability.no_rebooking").exists()
    # When the next session gets booked
    s1.next_session_booked = True
    s1.save(update_fields=["next_session_booked"])
    risk.evaluate_episode(episode.pk)
    # Then the flag closes by itself
    assert not active(episode, "reliability.no_rebooking").exists()
    # (the missing check-in still holds the pillar's flag open; the history says why the finding left)
    flag = flags_with(episode, "reliability.no_checkin").get()
    assert flag.events.last().note.startswith("Resolved automatically: no longer the case")


def loud(episode, *rule_ids):
    """The clinic has these informational rules raise flags of their own."""
    clinic = episode.client.clinic
    clinic.risk_thresholds = {rule_id: {"informational": False} for rule_id in rule_ids}
    clinic.save(update_fields=["risk_thresholds"])


def test_hand_resolved_flag_is_not_raised_again_for_the_same_evidence(episode):
    loud(episode, "relationship.rupture")
    submit(SessionFactory(episode=episode, number=1, days_ago=8), rel(misunderstood=1), evaluate=True)
    flag = active(episode, "relationship.rupture").get()
    flag_resolve(flag=flag, actor=episode.clinician.user, reason="Talked it through in session 2.")
    # When the engine runs again on the same facts
    risk.evaluate_episode(episode.pk)
    # Then it does not reopen what the clinician closed
    assert not active(episode, "relationship.rupture").exists()
    # But a new rupture after session 2 opens a new flag
    submit(
        SessionFactory(episode=episode, number=2),
        rel(misunderstood=1, misunderstood_words="Again rushed"),
        evaluate=True,
    )
    assert active(episode, "relationship.rupture").get().pk != flag.pk


@pytest.mark.parametrize("rule", ["phq9_item9_safety", "not.a.registered.rule"])
def test_safety_flag_from_the_check_in_is_left_alone(episode, rule):
    safety = flag_raise(
        episode=episode,
        rule=rule,
        rule_version="1",
        pillar="safety",
        level="red",
        reasons=[FlagReason(text="item 9")],
        suggested_action="call",
        session=SessionFactory(episode=episode, number=1, days_ago=8),
    )
    submit(SessionFactory(episode=episode, number=2), rel(), evaluate=True)
    safety.refresh_from_db()
    assert safety.status == Flag.Status.OPEN


def test_closed_episode_gets_no_new_flags_but_is_marked_evaluated(episode):
    submit(SessionFactory(episode=episode, number=1), rel(heard=2))
    Episode.objects.filter(pk=episode.pk).update(closed_on=timezone.localdate(), end_reason="mutual")
    risk.evaluate_episode(episode.pk)
    assert not Flag.objects.filter(episode=episode).exists()
    assert not CheckIn.objects.filter(session__episode=episode, evaluated_at__isnull=True).exists()


def test_an_informational_finding_alone_raises_no_flag_but_joins_one(episode):
    # Given a client who felt misunderstood but rated the session at the top (rupture is informational)
    submit(SessionFactory(episode=episode, number=1, days_ago=8), rel(misunderstood=1), evaluate=True)
    # Then no flag is raised for it alone
    assert not Flag.objects.filter(episode=episode).exists()
    # When the next session is also rated low, the rupture's words join the relationship flag
    submit(SessionFactory(episode=episode, number=2), rel(heard=5, misunderstood=1), evaluate=True)
    flag = Flag.objects.get(episode=episode)
    assert [f["rule"] for f in flag.findings] == [
        "relationship.low_total",
        "relationship.low_item",
        "relationship.drop",  # informational too: 40 → 35
        "relationship.rupture",
    ]
    assert flag.rule == "relationship.low_total"


def test_clinic_can_switch_a_rule_off(episode):
    clinic = episode.client.clinic
    clinic.risk_thresholds = {"relationship.low_item": {"enabled": False}}
    clinic.save(update_fields=["risk_thresholds"])
    submit(SessionFactory(episode=episode, number=1), rel(heard=5), evaluate=True)
    assert not flags_with(episode, "relationship.low_item").exists()
    assert flags_with(episode, "relationship.low_total").exists()


def test_relative_rule_uses_the_clinics_ratings_at_the_same_session_number(episode):
    # Given 200 session-1 ratings in the clinic, most at the top
    clinic = episode.client.clinic
    for i in range(200):
        other = EpisodeFactory(clinician=episode.clinician)
        submit(SessionFactory(episode=other, number=1), rel() if i >= 10 else rel(overall=9))
    # When this client rates session 1 at 39/40 (above the absolute cutoff, but in the bottom 5.5%)
    submit(SessionFactory(episode=episode, number=1), rel(overall=9), evaluate=True)
    flag = active(episode, "relationship.low_relative").get()
    assert "% of 201 session-1 ratings in this clinic are this low or lower" in flag.reasons[0]["text"]
    assert clinic.pk == flag.episode.client.clinic_id


def test_query_count_does_not_grow_with_sessions():
    def queries_for(n_sessions):
        ep = EpisodeFactory()
        for n in range(1, n_sessions + 1):
            submit(SessionFactory(episode=ep, number=n, days_ago=n_sessions - n + 1), rel())
        risk.evaluate_episode(ep.pk)  # warm: flags as they will stay
        clear_totals_cache()
        with CaptureQueriesContext(connection) as ctx:
            risk.evaluate_episode(ep.pk)
        return len(ctx.captured_queries)

    # episode lock, sessions+check-ins, scores, the relationship pillar's ratings and clinic totals, the
    # readiness pillar's goals and intake assessment, flags, 2 outbox updates, plus a savepoint and its
    # release — the same for 1 session as for 12. Two more than when the spine joined the clinician's
    # rating into the sessions query and the intake assessment into the lock: each pillar now loads its
    # own facts through the registry (a query per table, however many episodes: see test_pillar_facts).
    one = queries_for(1)
    assert one == 12
    assert queries_for(12) == one


def test_sweep_finds_lost_evaluations_and_never_evaluated_check_ins(episode):
    # Given a check-in whose task was lost (outbox still set, long ago)
    submit(SessionFactory(episode=episode, number=1), rel(heard=5))
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    Episode.objects.filter(pk=episode.pk).update(evaluation_due_at=long_ago)
    # and a check-in stored by something that forgot to mark the outbox at all
    other = EpisodeFactory()
    checkin = submit(SessionFactory(episode=other, number=1), rel())
    Episode.objects.filter(pk=other.pk).update(evaluation_due_at=None)
    CheckIn.objects.filter(pk=checkin.pk).update(submitted_at=long_ago)
    # When the sweep runs in-process
    ids = risk.sweep_due(enqueue=False)
    # Then both were evaluated
    assert {episode.pk, other.pk} <= set(ids)
    assert not CheckIn.objects.filter(evaluated_at__isnull=True).exists()
    assert active(episode, "relationship.low_item").exists()


def test_sweep_watches_time_based_rules_without_any_event(episode):
    loud(episode, "reliability.no_checkin")
    # Given an attended session 3 days ago, evaluated right after, and no check-in since
    SessionFactory(episode=episode, number=1, days_ago=3, next_session_booked=True)
    Episode.objects.filter(pk=episode.pk).update(evaluated_at=timezone.now() - dt.timedelta(days=3))
    # When the hourly watch comes round
    risk.sweep_due(enqueue=False)
    # Then the missing check-in is flagged
    flag = active(episode, "reliability.no_checkin").get()
    assert "No check-in came back within 48 hours of session 1" in flag.reasons[0]["text"]


def test_stale_flags_are_marked_once_after_the_clinics_time(episode):
    clinic = episode.client.clinic
    clinic.flag_stale_after_hours = 24
    clinic.save(update_fields=["flag_stale_after_hours"])
    submit(SessionFactory(episode=episode, number=1), rel(heard=5), evaluate=True)
    flags = Flag.objects.filter(episode=episode)
    # 23 hours: not yet; 25 hours: stale; again: nothing new
    assert risk.flags_mark_stale(now=timezone.now() + dt.timedelta(hours=23)) == 0
    assert risk.flags_mark_stale(now=timezone.now() + dt.timedelta(hours=25)) == flags.count()
    assert risk.flags_mark_stale(now=timezone.now() + dt.timedelta(hours=26)) == 0
    assert FlagEvent.objects.filter(action="marked_stale").count() == flags.count()
    # An acknowledged flag is never marked stale
    other = EpisodeFactory(clinician=episode.clinician)
    submit(SessionFactory(episode=other, number=1), rel(heard=5), evaluate=True)
    for f in Flag.objects.filter(episode=other):
        flag_acknowledge(flag=f, actor=other.clinician.user)
    assert risk.flags_mark_stale(now=timezone.now() + dt.timedelta(hours=30)) == 0


def test_sweep_command_evaluates_without_a_broker(episode):
    from io import StringIO

    from django.core.management import call_command

    # Given a check-in whose task never ran (the broker was down)
    submit(SessionFactory(episode=episode, number=1), rel(heard=4))
    out = StringIO()
    # When an operator (or cron) runs the sweep by hand
    call_command("sweep_risk", "--grace", "0", stdout=out)
    # Then it is evaluated in this process
    assert "1 episode(s) evaluated" in out.getvalue()
    assert active(episode, "relationship.low_item").exists()
