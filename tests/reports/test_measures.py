"""Each measure on a hand-built cohort, its expected figure worked out by hand beside it.

The day the report is read is fixed (AS_OF), so every window edge below is a known date."""

import datetime as dt

import pytest

from reports import facts
from reports.filters import ReportFilters
from reports.models import EpisodeFact
from reports.selectors import measure_figures
from tests.clinicians.factories import ClinicianFactory
from tests.reports.factories import course

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 30)
D = dt.date
EVERYTHING = ReportFilters(start=D(2024, 1, 1), end=D(2026, 6, 30))


def figures(clinic, filters=EVERYTHING) -> dict:
    facts.refresh(clinic, today=AS_OF)
    return {
        f.measure.key: (f.numerator, f.denominator) for f in measure_figures(clinic, filters, as_of=AS_OF)
    }


@pytest.fixture
def depression_cohort():
    """Index (first PHQ-9) dates and later scores chosen to sit on each window's edges.

    12-month window closed by AS_OF: index on or before 2025-05-01. 6-month: on or before 2025-11-01.
    HEDIS (120–240 days): on or before 2025-11-02."""
    clinician = ClinicianFactory()
    # E1: 12-month target 2026-01-10; a 4 exactly 60 days after it (2026-03-11) is inside: remission.
    course(clinician, opened=D(2025, 1, 3), phq9=[(D(2025, 1, 10), 15), (D(2026, 3, 11), 4)])
    # E2: the 4 is 61 days after (outside); the latest score inside the window is a 12: no remission.
    course(
        clinician,
        opened=D(2025, 1, 3),
        phq9=[(D(2025, 1, 10), 15), (D(2025, 12, 1), 12), (D(2026, 3, 12), 4)],
    )
    # E3: index PHQ-9 of 8 is not above 9: in no depression denominator.
    course(clinician, opened=D(2025, 2, 1), phq9=[(D(2025, 2, 1), 8), (D(2026, 2, 1), 2)])
    # E4: bipolar disorder on the plan: excluded.
    course(clinician, opened=D(2025, 2, 1), diagnosis="F31.1", phq9=[(D(2025, 2, 1), 20), (D(2026, 2, 1), 2)])
    # E5: eleven at the start: too young for the measures.
    course(
        clinician, opened=D(2025, 3, 1), born=D(2013, 6, 1), phq9=[(D(2025, 3, 1), 14), (D(2026, 3, 1), 2)]
    )
    # E6: a 9 after 153 days: inside the 6-month window (2025-08-02 … 2025-11-30) and HEDIS's; 9 is
    # exactly half of 18 (response) but not below 5 (no remission). Nothing near 12 months.
    course(clinician, opened=D(2025, 4, 1), phq9=[(D(2025, 4, 1), 18), (D(2025, 9, 1), 9)])
    # E7: index too recent for the 12-month window; a 3 exactly 120 days after the index: HEDIS
    # remission, but outside the 6-month window (2025-10-02 … 2026-01-30).
    course(clinician, opened=D(2025, 6, 1), phq9=[(D(2025, 6, 1), 16), (D(2025, 9, 29), 3)])
    # E8: scores 119 and 241 days after the index: both outside HEDIS's window; the second is exactly
    # 60 days after the 6-month target (2025-07-20): remission and response at 6 months.
    course(
        clinician,
        opened=D(2025, 1, 20),
        phq9=[(D(2025, 1, 20), 12), (D(2025, 5, 19), 2), (D(2025, 9, 18), 2)],
    )
    return clinician.clinic


@pytest.mark.parametrize(
    ("measure", "expected", "why"),
    [
        (
            "depression_remission_12m",
            (1, 4),
            "E1 of E1, E2, E6, E8 (E3 index ≤ 9, E4 bipolar, E5 aged 11, E7 open)",
        ),
        ("depression_response_12m", (1, 4), "E1 (4 ≤ 7.5); E2's latest in window is 12"),
        ("depression_remission_6m", (1, 5), "E8 (2 on the window's last day) of E1, E2, E6, E7, E8"),
        ("depression_response_6m", (2, 5), "E6 (9 ≤ 9) and E8"),
        ("hedis_follow_up", (2, 5), "E6 (day 153) and E7 (day 120); E8's days 119 and 241 miss"),
        ("hedis_remission", (1, 5), "E7's 3"),
        ("hedis_response", (2, 5), "E6 (9 ≤ 9) and E7 (3 ≤ 8)"),
    ],
)
def test_depression_measures(depression_cohort, measure, expected, why):
    assert figures(depression_cohort)[measure] == expected, why


def test_e8_6_month_score_is_on_the_window_edge(depression_cohort):
    """The edges themselves, in the facts: 2025-09-18 is the 6-month target (2025-07-20) + 60 days, and
    the index (2025-01-20) + 241 days: inside one window, one day past the other."""
    facts.refresh(depression_cohort, today=AS_OF)
    e8 = EpisodeFact.objects.get(phq9_first_on=D(2025, 1, 20))
    assert e8.phq9_at_6m == 2
    assert e8.phq9_hedis is None


def test_window_is_a_parameter(depression_cohort):
    """With the older ± 30-day window, E1's score 60 days after the target no longer counts."""
    facts.refresh(depression_cohort, today=AS_OF)
    e1 = EpisodeFact.objects.get(phq9_first_on=D(2025, 1, 10), phq9_last=4, phq9_count=2)
    records = facts.load_records([e1.episode_id])[0]
    narrow, _months = facts.episode_facts(records, today=AS_OF, cutoff=36, window_days=30)
    wide, _months = facts.episode_facts(records, today=AS_OF, cutoff=36, window_days=60)
    assert (narrow.phq9_at_12m, wide.phq9_at_12m) == (None, 4)


def test_age_filter_gives_each_stratum(depression_cohort):
    clinician = depression_cohort.clinicians.get()
    # A 15-year-old in remission at 12 months: only the adolescent stratum sees them.
    course(
        clinician, opened=D(2025, 2, 1), born=D(2010, 1, 1), phq9=[(D(2025, 2, 1), 14), (D(2026, 2, 1), 3)]
    )
    adults = ReportFilters(start=EVERYTHING.start, end=EVERYTHING.end, age="adult")
    adolescents = ReportFilters(start=EVERYTHING.start, end=EVERYTHING.end, age="adolescent")
    assert figures(depression_cohort, adults)["depression_remission_12m"] == (1, 4)
    assert figures(depression_cohort, adolescents)["depression_remission_12m"] == (1, 1)


@pytest.fixture
def finished_courses():
    clinician = ClinicianFactory()
    closed = {"closed": D(2026, 3, 1), "end_reason": "mutual"}
    start, end = D(2025, 10, 1), D(2026, 2, 20)
    # N1: PHQ-9 down 7 (reliable), GAD-7 9 at the end (still a case): improvement, no recovery.
    course(clinician, opened=start, phq9=[(start, 15), (end, 8)], gad7=[(start, 10), (end, 9)], **closed)
    # N2: both down and below caseness: improvement, recovery, reliable recovery.
    course(clinician, opened=start, phq9=[(start, 12), (end, 5)], gad7=[(start, 9), (end, 3)], **closed)
    # N3: PHQ-9 up 7: deterioration; not a case at the start (6 and 5), so not in recovery's denominator.
    course(clinician, opened=start, phq9=[(start, 6), (end, 13)], gad7=[(start, 5), (end, 6)], **closed)
    # N4: still attending (a session booked soon after): not a finished course.
    course(
        clinician,
        opened=start,
        phq9=[(start, 15), (D(2026, 6, 20), 3)],
        gad7=[(start, 10), (D(2026, 6, 20), 2)],
    )
    # N5: a single GAD-7: not paired on both scales.
    course(clinician, opened=start, phq9=[(start, 15), (end, 3)], gad7=[(start, 10)], **closed)
    return clinician.clinic


@pytest.mark.parametrize(
    ("measure", "expected", "why"),
    [
        ("reliable_improvement", (2, 3), "N1, N2 of N1–N3 (N4 open, N5 unpaired)"),
        ("reliable_deterioration", (1, 3), "N3"),
        ("recovery", (1, 2), "N2 of N1, N2 (N3 not a case at the start)"),
        ("reliable_recovery", (1, 2), "N2"),
        ("anxiety_reliable_improvement", (1, 3), "N2 (9 → 3) of N1–N3 (N4 open, N5 one GAD-7)"),
        ("anxiety_recovery", (1, 2), "N2 of N1 and N2 (GAD-7 8 or more at the start)"),
    ],
)
def test_talking_therapies_measures(finished_courses, measure, expected, why):
    assert figures(finished_courses)[measure] == expected, why


def test_engagement_and_access():
    clinician = ClinicianFactory()
    # A: referred 2026-01-01, sessions on Jan 15, 22 and Feb 5 (check-ins on two), then planned ending.
    course(
        clinician,
        opened=D(2026, 1, 10),
        referred=D(2026, 1, 1),
        relationship=[(D(2026, 1, 15), 38), (D(2026, 1, 22), 30)],
        attended=[D(2026, 2, 5)],
        closed=D(2026, 2, 10),
        end_reason="mutual",
    )
    # B: one session on 2026-03-02, then nothing for months and nothing booked: dropped out early.
    course(clinician, opened=D(2026, 3, 1), referred=D(2026, 2, 20), attended=[D(2026, 3, 2)])
    # C: opened ten days before the report is read: too new to count for dropout.
    course(clinician, opened=D(2026, 6, 20), attended=[D(2026, 6, 22)])
    got = figures(clinician.clinic)
    assert got["checkin_completion"] == (2, 5)  # 2 check-ins over 5 attended sessions
    assert got["relationship_low"] == (1, 2)  # the 30 is below the default line of 36
    assert got["early_dropout"] == (1, 2)  # B of A and B
    assert got["days_to_first_session"] == (14 + 10, 2)  # A: 14 days, B: 10 days; C has no referral
    assert got["days_between_sessions"] == (7 + 14, 2)  # A's two gaps


def test_small_denominators_are_marked(finished_courses):
    facts.refresh(finished_courses, today=AS_OF)
    improvement = next(
        f
        for f in measure_figures(finished_courses, EVERYTHING, as_of=AS_OF)
        if f.measure.key == "reliable_improvement"
    )
    assert improvement.small and improvement.value == pytest.approx(66.7)


def test_outcomes_are_withheld_for_one_clinician(finished_courses):
    clinician = finished_courses.clinicians.get()
    facts.refresh(finished_courses, today=AS_OF)
    one = ReportFilters(start=EVERYTHING.start, end=EVERYTHING.end, clinician_id=clinician.pk)
    shown = {f.measure.key: f for f in measure_figures(finished_courses, one, as_of=AS_OF)}
    assert shown["reliable_improvement"].withheld
    assert not shown["checkin_completion"].withheld


def test_refresh_is_idempotent_and_only_rebuilds_what_changed(finished_courses):
    assert facts.refresh(finished_courses, today=AS_OF) == 5
    first = sorted(EpisodeFact.objects.values_list("episode_id", "phq9_last", "gad7_last"))
    # Closed episodes are not rebuilt again; the open one (N4) is, as time alone may end it.
    assert facts.refresh(finished_courses, today=AS_OF) == 1
    assert sorted(EpisodeFact.objects.values_list("episode_id", "phq9_last", "gad7_last")) == first


def test_window_measures_sit_where_their_window_ends(depression_cohort):
    """A year's report counts the 12-month windows that closed in it, not the index dates inside it."""
    closing = ReportFilters(start=D(2026, 1, 1), end=D(2026, 6, 30))  # E1, E2, E6, E8's windows end here
    indexed = ReportFilters(start=D(2025, 1, 1), end=D(2025, 6, 30))  # their index dates are here
    assert figures(depression_cohort, closing)["depression_remission_12m"] == (1, 4)
    assert figures(depression_cohort, indexed)["depression_remission_12m"] == (0, 0)
