"""Measures per program (Settings › Measures): a program that switched measures on asks those alone, at
the clinic schedule's frequency; a program with none follows the clinic's schedule; the check-in opened
for a session of that program's episode asks exactly that."""

import pytest

from care.models import CheckIn, Session
from checkin.attendance import session_record_attendance
from instruments.library import instruments_for_session
from instruments.models import ProgramMeasure
from tests.care.factories import ProgramFactory, SessionFactory

pytestmark = pytest.mark.django_db

OUTCOMES = {"phq9", "gad7"}


def outcome_keys(clinic, number, program=None) -> set[str]:
    chosen = instruments_for_session(clinic=clinic, session_number=number, program_id=program and program.pk)
    return {i.key for i in chosen} & OUTCOMES


def test_a_program_asks_the_measures_it_switched_on(clinic):
    clinic.measure_schedule = {"phq9": 4}
    clinic.save()
    anxiety, untouched = ProgramFactory(clinic=clinic), ProgramFactory(clinic=clinic)
    ProgramMeasure.objects.create(program=anxiety, key="gad7")
    assert outcome_keys(clinic, 1, untouched) == outcome_keys(clinic, 1) == {"phq9"}
    assert outcome_keys(clinic, 1, anxiety) == {"gad7"}  # the schedule's PHQ-9 is not this program's
    assert outcome_keys(clinic, 2, anxiety) == set()  # every 4th session, as the schedule does not say
    assert outcome_keys(clinic, 5, anxiety) == {"gad7"}
    ProgramMeasure.objects.create(program=anxiety, key="phq9")
    assert outcome_keys(clinic, 5, anxiety) == {"gad7", "phq9"}


def test_the_check_in_of_a_programs_session_asks_its_measures(personas, django_capture_on_commit_callbacks):
    episode = personas["owner_episode"]
    ProgramMeasure.objects.create(program=episode.program, key="gad7")
    session = SessionFactory(episode=episode, number=1, attendance=Session.Attendance.SCHEDULED)
    with django_capture_on_commit_callbacks(execute=True):
        session_record_attendance(
            actor=personas["owner"].user, session=session, attendance=Session.Attendance.ATTENDED
        )
    asked = set(CheckIn.objects.get(session=session).instrument_versions)
    assert asked & OUTCOMES == {"gad7"}
