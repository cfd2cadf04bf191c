"""The bulk seeder (demo/bulk.py, `seed_demo --checkins`): COPY-written rows the models accept, scored as
the live check-in scores them, that the reports then count; and a clear refusal on SQLite."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from care.models import CheckIn, Client, Episode, Score, Session
from demo.bulk import seed_bulk
from instruments.library import instruments_for_session
from instruments.scoring import score_answers
from regimen.models import PlanRevision
from reports import facts
from reports.filters import ReportFilters
from reports.models import EpisodeFact
from reports.selectors import clinic_report
from risk.models import Flag

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")


def _keys() -> set[tuple[str, str]]:
    """Every foreign key and index on the tables the seeder loads."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text LIKE ANY(ARRAY['care_%', 'regimen_%', 'risk_%']) "
            "UNION SELECT tablename, indexdef FROM pg_indexes WHERE tablename LIKE ANY(ARRAY['care_%', "
            "'regimen_%', 'risk_%'])"
        )
        return set(cursor.fetchall())


@pytest.fixture
def bulk(transactional_db):
    keys = _keys()
    summary = seed_bulk(checkins=2000, seed=5, now=NOW)
    return summary, keys


def test_the_rows_are_ones_the_models_accept(bulk):
    summary, keys_before = bulk
    assert CheckIn.objects.filter(status=CheckIn.Status.SUBMITTED).count() == summary.checkins >= 2000
    assert summary.counts["scores"] == Score.objects.count() > 2000 * 4
    # The foreign keys and indexes dropped for the load are all back (re-adding them checked every row).
    assert _keys() == keys_before
    # Each model's own validation (choices, lengths, check and unique constraints) on a spread of rows.
    for model in (Client, Episode, Session, CheckIn, Score, PlanRevision, Flag):
        rows = list(model.objects.order_by("?")[:40])
        assert rows, model
        for row in rows:
            # An unanswered check-in's answers are {} (as the ORM demo writes them), which full_clean
            # calls blank.
            unanswered = model is CheckIn and row.status != CheckIn.Status.SUBMITTED
            row.full_clean(exclude=["answers"] if unanswered else None)
    # The identity sequences moved past the copied ids: the ORM can add rows after the load.
    checkin = CheckIn.objects.filter(status=CheckIn.Status.SUBMITTED).first()
    Score.objects.create(
        checkin=checkin, instrument="x", version="1", scale="t", value=1, minimum=0, maximum=2
    )


def test_the_data_spans_three_years_with_what_the_measures_read(bulk):
    summary, _keys_before = bulk
    opened = Episode.objects.order_by("opened_on").values_list("opened_on", flat=True)
    assert (opened.last() - opened.first()).days > 2 * 365
    assert set(Episode.objects.values_list("end_reason", flat=True)) >= {"", "mutual", "client_stopped"}
    assert not Episode.objects.filter(payer="").exists()
    assert not Episode.objects.filter(referred_on__isnull=True).exists()
    codes = set(PlanRevision.objects.values_list("diagnosis_code", flat=True))
    assert {"F33.1", "F32.1", "F31.81"} <= codes
    attendance = set(Session.objects.values_list("attendance", flat=True))
    assert {"attended", "no_show", "cancelled_client", "scheduled"} <= attendance
    assert Flag.objects.filter(session__number__lte=3).exists()
    assert Score.objects.filter(instrument="phq9", scale="total").count() > 100


def test_scores_are_what_the_check_in_would_have_stored(bulk):
    summary, _keys_before = bulk
    checkins = CheckIn.objects.filter(status="submitted").select_related("session").order_by("?")[:60]
    for checkin in checkins:
        chosen = instruments_for_session(clinic=summary.clinic, session_number=checkin.session.number)
        assert checkin.instrument_versions == {i.key: i.version for i in chosen}
        expected = {(s.instrument, s.scale, s.value) for s in score_answers(chosen, checkin.answers)}
        stored = set(checkin.scores.values_list("instrument", "scale", "value"))
        assert stored == expected


def test_the_reports_count_the_bulk_data(bulk):
    summary, _keys_before = bulk
    assert facts.refresh(summary.clinic) == Episode.objects.count()
    assert EpisodeFact.objects.filter(depression=True).exists()
    assert EpisodeFact.objects.exclude(exclusion="").exists()
    today = NOW.date()
    report = clinic_report(summary.clinic, ReportFilters(start=dt.date(2023, 1, 1), end=today), as_of=today)
    denominators = {f.measure.key: f.denominator for f in report.figures}
    for key in (
        "depression_remission_6m",
        "hedis_follow_up",
        "reliable_improvement",
        "recovery",
        "checkin_completion",
        "early_dropout",
        "relationship_low",
        "early_risk",
        "repair_rate",
        "days_to_first_session",
        "days_between_sessions",
    ):
        assert denominators[key] > 0, key


def test_on_sqlite_the_command_says_copy_needs_postgresql(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--checkins", "100"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "PostgreSQL's COPY" in done.stderr
    assert not (tmp_path / "demo.sqlite3").exists() or (tmp_path / "demo.sqlite3").stat().st_size == 0
