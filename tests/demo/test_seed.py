"""The demo clinic: the same clinic for a seed, in every process; the command seeds every role and
believable courses of care, once."""

import datetime as dt
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from care.models import CheckIn, Client, Episode, Score, Session, User
from clinicians.models import Clinician, Supervision
from demo import seed as demo
from demo.history import REFERENCE_PREFIX as PAST
from demo.people import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


def _fingerprint() -> list[tuple]:
    """Everything that makes the demo what it is, without database ids."""
    return list(
        Session.objects.order_by("episode__client__reference", "number").values_list(
            "episode__client__reference",
            "episode__client__given_name",
            "episode__clinician__user__username",
            "number",
            "attendance",
            "scheduled_start",
            "checkin__answers",
        )
    )


@pytest.mark.django_db
def test_the_demo_is_deterministic_for_a_seed():
    runs = []
    for _ in range(2):
        with transaction.atomic():
            demo.seed_clinic(seed=3, clients=12, now=NOW, evaluate=False)
            runs.append(_fingerprint())
            transaction.set_rollback(True)
    with transaction.atomic():
        demo.seed_clinic(seed=4, clients=12, now=NOW, evaluate=False)
        other = _fingerprint()
        transaction.set_rollback(True)

    assert runs[0] == runs[1]
    assert runs[0] != other
    assert len(runs[0]) > 12


def test_the_demo_draws_the_same_attendance_whatever_the_hash_seed():
    # Iterating a set follows Python's per-process hash seed; a draw from one would make the same
    # --seed give a different clinic in each process.
    script = (
        "import random, django; django.setup()\n"
        "from demo.batch import _attendance\n"
        "from demo.courses import COURSES\n"
        "course = next(c for c in COURSES if c.clinician_unreliable)\n"
        "rng = random.Random(3)\n"
        "print([str(_attendance(rng, course, 1, stopped=False)[0]) for _ in range(200)])\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    outputs = set()
    for hash_seed in range(6):
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**env, "PYTHONHASHSEED": str(hash_seed)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        outputs.add(result.stdout)
    assert len(outputs) == 1
    drawn = outputs.pop()
    assert "cancelled_clinician" in drawn and "rescheduled_clinician" in drawn


@pytest.mark.django_db
def test_the_demo_command_seeds_every_role_and_believable_courses():
    out = StringIO()
    call_command("seed_demo", "--clients", "60", stdout=out)

    assert User.objects.filter(role=User.Role.SUPERVISOR).count() >= 2
    assert User.objects.filter(role=User.Role.CLINICIAN).count() >= 8
    assert User.objects.filter(role=User.Role.ADMIN).count() == 1
    # Besides the clinic's past (demo.history: finished episodes, tests/demo/test_history.py).
    assert Client.objects.exclude(reference__startswith=PAST).count() == 60
    supervisees = Supervision.objects.values_list("supervisee", flat=True)
    assert Clinician.objects.filter(user__role=User.Role.CLINICIAN).exclude(pk__in=supervisees).count() == 0
    # Courses of care, not uniform noise: sessions from 1 up to many; dropouts and mutual endings.
    counts = [e.sessions.count() for e in Episode.objects.all()]
    assert min(counts) <= 2 and max(counts) >= 8
    assert Episode.objects.filter(end_reason=Episode.EndReason.CLIENT_STOPPED).exists()
    assert Session.objects.filter(attendance=Session.Attendance.NO_SHOW).exists()
    assert Session.objects.filter(attendance__in=Session.CLINICIAN_INITIATED).exists()
    # Early ruptures are reported in the client's words.
    assert CheckIn.objects.filter(answers__relationship__misunderstood=1).exists()
    # Every submitted check-in is scored, and each score lies in its range (the database checks too).
    submitted = CheckIn.objects.filter(status=CheckIn.Status.SUBMITTED)
    assert submitted.exists()
    assert not submitted.filter(scores__isnull=True).exists()
    assert Score.objects.filter(instrument="relationship", scale="total").count() == submitted.count()
    text = out.getvalue()
    assert "clinician1" in text and "supervisor1" in text and "admin" in text
    # every login by role, one line each, not just the first of each
    assert "supervisor1, supervisor2 — supervisors" in text
    assert "clinician1–clinician8" in text
    assert DEMO_PASSWORD in text
    assert User.objects.get(username="clinician1").check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_the_demo_command_refuses_to_seed_twice_but_if_empty_is_harmless():
    call_command("seed_demo", "--clients", "5", "--no-evaluate", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "already exists" in out.getvalue()
    assert Client.objects.exclude(reference__startswith=PAST).count() == 5


@pytest.mark.django_db
def test_episodes_seeded_without_evaluation_are_left_due_for_the_risk_engine():
    with transaction.atomic():
        demo.seed_clinic(seed=1, clients=8, now=timezone.now(), evaluate=False)
    # The past's episodes (demo.history) closed long ago: nothing in them for the engine.
    current = Episode.objects.exclude(client__reference__startswith=PAST)
    assert current.filter(evaluation_due_at__isnull=True).count() == 0
