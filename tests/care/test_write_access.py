"""Every service that writes a client's data asks care.access itself, whatever view (or task, or shell)
calls it: the clinician who holds the episode succeeds; their supervisor, who may see the episode,
gets PermissionDenied and nothing is written — no row, no audit event, no request to the risk engine."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from alliance.models import ClinicianRating
from alliance.services import clinician_rating_record
from care.access import episodes_visible_to
from care.models import AccessLink, AuditEvent, CheckIn, Episode, Session
from checkin.attendance import session_record_attendance
from checkin.services import checkin_link_resend
from readiness.models import Goal
from readiness.services import goal_achieve, goal_add, goal_set_endorsement
from regimen.models import PlanRevision
from regimen.services import plan_revise
from tests.care.factories import CheckInFactory, SessionFactory
from tests.readiness.factories import GoalFactory

pytestmark = pytest.mark.django_db

RATING = {"heard": 7, "goals": 6, "approach": 8, "overall": 7, "belief": 8}
PLAN = {
    "diagnosis_code": "F33.1",
    "diagnosis_label": "Recurrent depression, moderate",
    "modality": "cbt",
    "frequency": "weekly",
    "container": "individual",
}


@dataclass(frozen=True)
class Write:
    # Sets the scene on the owner's episode; returns what `call` needs.
    given: Callable[[Episode], Any]
    # The service call, as `actor`.
    call: Callable[[Any, Any], Any]
    # What the write changes, read back from the database.
    state: Callable[[Any], Any]


def _session(episode: Episode, **fields) -> Session:
    return SessionFactory(episode=episode, number=1, **fields)


def _goal(episode: Episode) -> Goal:
    return GoalFactory(episode=episode)


WRITES = {
    "attendance": Write(
        given=lambda e: _session(e, attendance=Session.Attendance.SCHEDULED),
        call=lambda actor, s: session_record_attendance(
            actor=actor, session=s, attendance=Session.Attendance.ATTENDED
        ),
        state=lambda s: (
            Session.objects.get(pk=s.pk).attendance,
            CheckIn.objects.filter(session=s).count(),
            AccessLink.objects.count(),
        ),
    ),
    "check-in link": Write(
        given=lambda e: CheckInFactory(session=_session(e)).session,
        call=lambda actor, s: checkin_link_resend(actor=actor, session=s, email=False),
        state=lambda s: AccessLink.objects.filter(checkin__session=s).count(),
    ),
    "clinician rating": Write(
        given=_session,
        call=lambda actor, s: clinician_rating_record(
            actor=actor, session=s, answers=RATING, rupture_noticed=False
        ),
        state=lambda s: ClinicianRating.objects.filter(session=s).count(),
    ),
    "goal add": Write(
        given=lambda e: e,
        call=lambda actor, e: goal_add(actor=actor, episode=e, text="Go back to work part-time"),
        state=lambda e: Goal.objects.filter(episode=e).count(),
    ),
    "goal endorsement": Write(
        given=_goal,
        call=lambda actor, g: goal_set_endorsement(actor=actor, goal=g, endorsed=False),
        state=lambda g: Goal.objects.get(pk=g.pk).endorsed_by_client,
    ),
    "goal achieved": Write(
        given=_goal,
        call=lambda actor, g: goal_achieve(actor=actor, goal=g),
        state=lambda g: Goal.objects.get(pk=g.pk).achieved_on,
    ),
    "plan revision": Write(
        given=lambda e: e,
        call=lambda actor, e: plan_revise(actor=actor, episode=e, **PLAN),
        state=lambda e: PlanRevision.objects.filter(episode=e).count(),
    ),
}


def _written(write: Write, target, episode: Episode):
    episode.refresh_from_db()
    return (write.state(target), AuditEvent.objects.count(), episode.evaluation_due_at)


@pytest.mark.parametrize("name", WRITES)
def test_the_clinician_who_holds_the_episode_writes(personas, name):
    write, episode = WRITES[name], personas["owner_episode"]
    target = write.given(episode)
    before = _written(write, target, episode)
    write.call(personas["owner"].user, target)
    after = _written(write, target, episode)
    assert after[0] != before[0], "the write happened"
    assert after[1] > before[1], "and was audited"


@pytest.mark.parametrize("name", WRITES)
@pytest.mark.parametrize("who", ["supervisor", "colleague", "outsider", "admin"])
def test_anyone_else_is_refused_by_the_service_itself_and_nothing_is_written(personas, name, who):
    write, episode = WRITES[name], personas["owner_episode"]
    user = personas[who] if who == "admin" else personas[who].user
    if who == "supervisor":
        assert episodes_visible_to(user).filter(pk=episode.pk).exists(), "the supervisor may see it"
    target = write.given(episode)
    before = _written(write, target, episode)
    with pytest.raises(PermissionDenied):
        write.call(user, target)
    assert _written(write, target, episode) == before


def test_attendance_from_a_system_caller_names_no_actor(personas, django_capture_on_commit_callbacks):
    """An EHR or calendar import, the demo generator and tests setting the scene pass actor=None."""
    session = _session(personas["owner_episode"], attendance=Session.Attendance.SCHEDULED)
    with django_capture_on_commit_callbacks(execute=True):
        session_record_attendance(actor=None, session=session, attendance=Session.Attendance.ATTENDED)
    assert CheckIn.objects.filter(session=session).exists()
    event = AuditEvent.objects.get(object_type="care.Session", action="update")
    assert event.actor is None
