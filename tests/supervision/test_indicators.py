"""Every indicator's definition on small data, against figures worked out by hand.

The clock is fixed at Wednesday 25 November 2026, 15:00 in New York: this week starts Monday 23 November,
the 12 weeks start Monday 7 September. Week indexes run 0..11, this week being 11."""

import datetime as dt

import pytest

from care.models import Episode, Session
from risk.models import Flag
from supervision import queries
from supervision import signals as sig
from supervision.indicators import team_indicators
from supervision.models import SignalSettings
from supervision.weeks import weeks_ending
from tests.care.factories import EpisodeFactory
from tests.clinicians.factories import ClinicianFactory
from tests.risk.factories import FlagFactory
from tests.supervision.factories import NOW, local, scored_at, session_at

pytestmark = pytest.mark.django_db
A = Session.Attendance


@pytest.fixture
def clinician(clinic):
    return ClinicianFactory(user__clinic=clinic, caseload_target=2)


@pytest.fixture
def weeks(clinic):
    return weeks_ending(NOW, clinic.time_zone)


def test_the_weeks_run_monday_to_monday_in_the_clinics_time_zone(weeks):
    assert weeks.bounds[-2] == local(23, 0)
    assert weeks.bounds[0] == local(7, 0, month=9)
    assert len(weeks.bounds) == 13


def test_session_counts_by_week(clinician, weeks):
    """Declared hours 9:00–17:00, Monday to Friday."""
    ep = EpisodeFactory(clinician=clinician)
    rows = [
        (local(23, 10), A.ATTENDED, 0),  # in hours
        (local(23, 18), A.ATTENDED, 0),  # after hours: starts after 17:00
        (local(24, 16, 30), A.ATTENDED, 0),  # after hours: ends 17:20
        (local(24, 10), A.LATE_START, 12),  # late by 10+ minutes
        (local(24, 11), A.LATE_START, 5),  # late, but by less than 10
        (local(25, 9), A.CANCELLED_BY_CLINICIAN, 0),
        (local(25, 11), A.CANCELLED_BY_CLIENT, 0),
        (local(26, 10), A.SCHEDULED, 0),  # tomorrow: not due yet, not counted
        (local(21, 10), A.ATTENDED, 0),  # last week, a Saturday: after hours
        (local(20, 10), A.RESCHEDULED_BY_CLINICIAN, 0),  # last week
    ]
    for n, (start, attendance, late) in enumerate(rows, 1):
        session_at(ep, start, attendance, late=late, number=n)
    counts = queries.session_counts([clinician.pk], weeks)[clinician.pk]
    this_week, last_week = counts[11], counts[10]
    assert {k: this_week[k] for k in ("due", "attended", "late", "cancelled", "after_hours")} == {
        "due": 7,
        "attended": 5,
        "late": 1,
        "cancelled": 1,
        "after_hours": 2,
    }
    assert {k: last_week[k] for k in ("due", "attended", "late", "cancelled", "after_hours")} == {
        "due": 2,
        "attended": 1,
        "late": 0,
        "cancelled": 1,
        "after_hours": 1,
    }
    row = team_indicators([clinician], clinician.clinic, now=NOW).rows[0].by_key()
    # Last 4 weeks: 6 attended, 3 after hours (50%), 2 of 9 due cancelled by the clinician (22%),
    # 1 of 6 attended late by 10+ minutes (17%).
    assert row["after_hours"].value == "50%" and row["after_hours"].level == sig.AMBER
    assert row["cancellations"].value == "22%" and row["cancellations"].level == sig.AMBER
    assert row["late_starts"].value == "17%" and row["late_starts"].level == sig.INFO
    assert row["sessions_week"].value == "5 this week, 1 last week (per FTE)"
    assert row["sessions_week"].level == sig.NONE


def test_sessions_per_week_are_read_per_fte(clinician):
    clinician.fte = "0.50"
    clinician.save()
    ep = EpisodeFactory(clinician=clinician)
    for n in range(13):  # 13 sessions this week at half time = 26 per FTE
        session_at(ep, local(23, 9) + dt.timedelta(hours=n % 8, days=n // 8), number=n + 1)
    row = team_indicators([clinician], clinician.clinic, now=NOW).rows[0].by_key()
    assert row["sessions_week"].value.startswith("26 this week")
    assert row["sessions_week"].level == sig.AMBER


def test_caseload_at_the_end_of_each_week(clinician, weeks):
    today = dt.date(2026, 11, 25)
    # Weeks end on Sundays: week 8 on 8 November, 9 on the 15th, 10 on the 22nd; week 11 is today.
    EpisodeFactory(clinician=clinician, opened_on=dt.date(2026, 1, 5))
    EpisodeFactory(clinician=clinician, opened_on=dt.date(2026, 11, 10))  # open from week 9
    EpisodeFactory(  # closed Monday 16 November: open at the end of week 9, not of week 10
        clinician=clinician,
        opened_on=dt.date(2026, 1, 5),
        closed_on=dt.date(2026, 11, 16),
        end_reason=Episode.EndReason.MUTUAL,
    )
    by_week = queries.caseload_by_week([clinician.pk], weeks.last_days(today))[clinician.pk]
    assert [by_week[w] for w in (0, 7, 8, 9, 10, 11)] == [2, 2, 2, 3, 2, 2]
    row = team_indicators([clinician], clinician.clinic, now=NOW).rows[0].by_key()
    assert row["caseload"].value == "2 / 2 (100%)"
    assert row["caseload"].level == sig.AMBER  # 100% or more for 3 weeks running (150%, 100%, 100%)


def test_caseload_red_at_115_percent_and_a_clinic_can_move_the_line(clinician):
    for _ in range(3):
        EpisodeFactory(clinician=clinician, opened_on=dt.date(2026, 11, 2))
    assert (
        team_indicators([clinician], clinician.clinic, now=NOW).rows[0].by_key()["caseload"].level == sig.RED
    )
    SignalSettings.objects.create(clinic=clinician.clinic, overrides={"caseload": {"red": 1.6}})
    # 150% is under the clinic's own red line, and has held only 4 weeks: amber.
    assert (
        team_indicators([clinician], clinician.clinic, now=NOW).rows[0].by_key()["caseload"].level
        == sig.AMBER
    )


def test_median_days_between_sessions(clinician, weeks):
    a, b, c = (EpisodeFactory(clinician=clinician) for _ in range(3))
    for n, day in enumerate((2, 9, 16), 1):  # gaps of 7 and 7, ending in weeks 9 and 10
        session_at(a, local(day), number=n)
    session_at(b, local(3), number=1)
    session_at(b, local(17), number=2)  # a gap of 14, week 10
    session_at(b, local(18), A.NO_SHOW, number=3)  # not attended: no gap
    session_at(c, local(13), number=1)
    session_at(c, local(23), number=2)  # a gap of 10, week 11
    medians = queries.gap_medians([clinician.pk], weeks)[clinician.pk]
    assert medians[9] == (7.0, 1)
    assert medians[10] == (10.5, 2)  # (7 + 14) / 2
    assert medians[11] == (10.0, 1)
    assert medians[-1] == (8.5, 4)  # 7, 7, 10, 14 → (7 + 10) / 2
    assert (
        team_indicators([clinician], clinician.clinic, now=NOW).rows[0].by_key()["gap_days"].value
        == "8.5 days"
    )


def test_flags_waiting_and_median_hours_to_acknowledge(clinician, weeks):
    # One active flag per episode and pillar: each flag on an episode of its own.
    opened = local(16, 9)
    for hours in (2, 4, 30):
        FlagFactory(
            episode=EpisodeFactory(clinician=clinician),
            opened_at=opened,
            acknowledged_at=opened + dt.timedelta(hours=hours),
            status=Flag.Status.ACKNOWLEDGED,
        )
    ep = EpisodeFactory(clinician=clinician)
    FlagFactory(episode=ep, level=Flag.Level.RED, pillar="readiness", stale_at=local(20))
    FlagFactory(episode=ep, level=Flag.Level.AMBER, pillar="relationship")
    assert queries.ack_medians([clinician.pk], weeks)[clinician.pk][-1] == (4.0, 3)
    row = team_indicators([clinician], clinician.clinic, now=NOW).rows[0]
    assert row.by_key()["ack_hours"].value == "4 h"
    assert row.by_key()["flags"].value == "2 waiting, 1 stale"
    assert row.by_key()["flags"].level == sig.RED  # a red flag left stale
    assert [(g.pillar, g.level, g.waiting, g.stale) for g in row.flags] == [
        ("readiness", "red", 1, 1),
        ("relationship", "amber", 1, 0),
    ]


def test_the_caseloads_alliance_trend_and_its_drift(clinician, weeks):
    ep = EpisodeFactory(clinician=clinician)
    n = 0
    # Weeks 5–7 at a median of 36, weeks 9–11 at 33: 3 points down, over 5% of the 0–40 scale.
    for week, totals in (
        (5, (36, 35, 37)),
        (6, (36, 36, 36)),
        (7, (34, 36, 38)),
        (9, (33, 33, 30)),
        (10, (33, 34, 32)),
        (11, (33, 33, 33)),
    ):
        for total in totals:
            n += 1
            scored_at(ep, weeks.bounds[week] + dt.timedelta(days=1, hours=15, minutes=n), total)
    medians = queries.score_medians([clinician.pk], weeks, "relationship", "total")[clinician.pk]
    assert medians[9] == (33.0, 3) and medians[7] == (36.0, 3)
    alliance = team_indicators([clinician], clinician.clinic, now=NOW).rows[0].by_key()["alliance"]
    assert alliance.series[5:12] == (36.0, 36.0, 36.0, None, 33.0, 33.0, 33.0)
    assert alliance.level == sig.AMBER


def test_early_dropout(clinician):
    today = dt.date(2026, 11, 25)

    def episode(days_ago, attended, closed=None):
        ep = EpisodeFactory(
            clinician=clinician,
            opened_on=today - dt.timedelta(days=days_ago),
            closed_on=closed and today - dt.timedelta(days=1),
            end_reason=closed or "",
        )
        for n in range(attended):
            session_at(ep, local(1, 10, month=11) + dt.timedelta(days=n), number=n + 1)
        session_at(ep, local(2, 10, month=11), A.NO_SHOW, number=attended + 1)

    episode(60, 2, Episode.EndReason.CLIENT_STOPPED)  # ended before session 4: dropout
    episode(60, 3, Episode.EndReason.MUTUAL)  # ended after 3 attended: dropout too
    episode(30, 1, Episode.EndReason.TRANSFERRED)  # transferred: not a dropout
    episode(20, 1)  # still open
    episode(80, 5, Episode.EndReason.CLIENT_STOPPED)  # 4 or more attended
    episode(120, 1, Episode.EndReason.CLIENT_STOPPED)  # opened before the 90 days
    assert queries.early_dropout([clinician.pk], today, 90) == {clinician.pk: (5, 2)}
    dropout = team_indicators([clinician], clinician.clinic, now=NOW).rows[0].by_key()["dropout"]
    assert dropout.value == "40% of 5 started"
    assert dropout.level == sig.FEW  # fewer than 10 started: no signal


def test_below_the_relationship_cutoff(clinician):
    ep = EpisodeFactory(clinician=clinician)
    for day, total in ((16, 30), (17, 35.5), (18, 36), (19, 40)):  # the cutoff is 36 (90% of 40)
        scored_at(ep, local(day), total)
    team = team_indicators([clinician], clinician.clinic, now=NOW)
    assert team.cutoff == 36
    assert team.rows[0].below_cutoff == (4, 2)
