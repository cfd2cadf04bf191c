"""Database helpers for the engine tests: sessions and submitted check-ins scored like the real submit."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from care.models import CheckIn, Score, Session
from instruments.library import get_instrument
from instruments.scoring import score_answers
from risk import engine as risk
from tests import factories

GOOD = {"heard": 10, "goals": 10, "approach": 10, "overall": 10, "belief": 9, "misunderstood": 0}


def rel(**items) -> dict:
    return {"relationship": {**GOOD, **items}}


def add_session(episode, number: int, *, days_ago: float = 1, attendance=Session.Attendance.ATTENDED, **kw):
    start = timezone.now() - dt.timedelta(days=days_ago)
    return factories.SessionFactory(
        episode=episode, number=number, scheduled_start=start, attendance=attendance, **kw
    )


def submit(session: Session, answers: dict, *, evaluate: bool = False) -> CheckIn:
    """Store answers and scores the way the check-in submit does, and mark the episode due."""
    with transaction.atomic():
        checkin = CheckIn.objects.filter(session=session).first() or CheckIn(
            session=session, sent_at=timezone.now()
        )
        checkin.answers = answers
        checkin.status = CheckIn.Status.SUBMITTED
        checkin.submitted_at = timezone.now()
        checkin.save()
        instruments = [get_instrument(k) for k in answers]
        Score.objects.bulk_create(
            Score(checkin=checkin, **r.model_dump()) for r in score_answers(instruments, answers)
        )
        risk.request_evaluation(session.episode_id)
    if evaluate:
        risk.evaluate_episode(session.episode_id)
    return checkin
