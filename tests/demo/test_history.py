"""The demo clinic's past (demo/history.py): every report measure has a denominator, several clinicians
reach the comparison's 15 finished cases, and none of it reaches a current caseload or a flags inbox."""

import datetime as dt

import pytest

from care.models import CheckIn, Client, Episode, User
from dashboards.caseload import caseload_for
from demo import seed as demo
from demo.history import REFERENCE_PREFIX as PAST
from instruments.library import instruments_for_session
from instruments.scoring import score_answers
from reports.comparison import MIN_CASES
from reports.filters import ReportFilters
from reports.measures import MEASURES
from reports.models import EpisodeFact
from reports.selectors import clinic_report
from risk.models import Flag

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def demo_clinic(db):
    return demo.seed_clinic(seed=7, clients=120, now=NOW).clinic


def _denominators(clinic, filters) -> dict[str, float]:
    return {f.measure.key: f.denominator for f in clinic_report(clinic, filters, as_of=TODAY).figures}


def test_every_measure_has_a_denominator_over_the_demo_clinics_two_years(demo_clinic):
    # The seed fills the report tables itself: no refresh here.
    assert EpisodeFact.objects.filter(clinic=demo_clinic).count() == Episode.objects.count()
    denominators = _denominators(demo_clinic, ReportFilters(start=dt.date(2024, 11, 1), end=TODAY))
    assert set(denominators) == {m.key for m in MEASURES}
    assert {key for key, d in denominators.items() if not d} == set()


def test_the_default_twelve_months_show_every_measure_too(demo_clinic):
    # A window measure sits in the month its window ends (reports.measures), so the 6- and 12-month and
    # HEDIS measures of the past's long courses land in the report page's default period.
    denominators = _denominators(demo_clinic, ReportFilters.last_twelve_months(TODAY))
    assert {key for key, d in denominators.items() if not d} == set()


def test_several_clinicians_reach_the_comparisons_minimum(demo_clinic):
    comparison = clinic_report(demo_clinic, ReportFilters.last_twelve_months(TODAY), as_of=TODAY).comparison
    assert len(comparison.estimates) >= 5
    assert all(e.cases >= MIN_CASES for e in comparison.estimates)
    # Clinicians differ a little, so over two years the shrunk estimates do too.
    two_years = ReportFilters(start=dt.date(2024, 11, 1), end=TODAY)
    estimates = clinic_report(demo_clinic, two_years, as_of=TODAY).comparison.estimates
    assert max(e.estimate for e in estimates) - min(e.estimate for e in estimates) > 0.1


def test_the_past_is_closed_and_stays_off_caseloads_and_flag_inboxes(demo_clinic):
    past = Episode.objects.filter(client__reference__startswith=PAST)
    assert past.count() == 300
    assert not past.filter(closed_on__isnull=True).exists()
    assert not Flag.objects.filter(episode__in=past).exclude(status=Flag.Status.RESOLVED).exists()
    assert Flag.objects.filter(episode__in=past, repair_recorded_at__isnull=False).exists()
    assert past.filter(end_reason=Episode.EndReason.CLIENT_STOPPED).exists()
    assert past.filter(plan_revisions__diagnosis_code__startswith="F3").exists()
    for user in User.objects.filter(role__in=[User.Role.CLINICIAN, User.Role.SUPERVISOR]):
        rows = list(caseload_for(user, clinician_id=user.clinician.pk))
        assert not [e for e in rows if e.client.reference.startswith(PAST)], user.username
        assert len(rows) == Episode.objects.filter(clinician__user=user, closed_on__isnull=True).count()
    assert Client.objects.filter(reference__startswith=PAST).count() == 300


def test_past_scores_come_from_the_live_scoring(demo_clinic):
    checkins = CheckIn.objects.filter(
        session__episode__client__reference__startswith=PAST, status=CheckIn.Status.SUBMITTED
    ).select_related("session")
    assert checkins.filter(scores__instrument="phq9").count() > 300
    for checkin in checkins.order_by("?")[:40]:
        chosen = instruments_for_session(clinic=demo_clinic, session_number=checkin.session.number)
        expected = {(s.instrument, s.scale, s.value) for s in score_answers(chosen, checkin.answers)}
        assert set(checkin.scores.values_list("instrument", "scale", "value")) == expected
