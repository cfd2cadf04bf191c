"""Check-ins as a client completes them: a session attended (which emails the link), the form's answers,
and answers stored and scored the way the submit stores them."""

import re

from django.core import mail
from django.db import transaction
from django.utils import timezone

from care.models import CheckIn, Score, Session
from checkin.attendance import session_record_attendance
from instruments.library import get_instrument
from instruments.scoring import score_answers
from risk import engine as risk

LINK = re.compile(r"/c/([A-Za-z0-9_-]+)/")

# The check-in form filled in well, as the browser posts it.
GOOD = {
    "relationship.heard": "8",
    "relationship.goals": "7",
    "relationship.approach": "9",
    "relationship.overall": "8",
    "relationship.belief": "9",
    "relationship.misunderstood": "0",
    "readiness.importance": "9",
    "readiness.confidence": "6",
    "stage.stage": "3",
    "regimen.frequency": "1",
    "regimen.format": "1",
    "regimen.plan_understood": "2",
    "regimen.plan_agreed": "2",
    "reliability.on_time": "1",
    "reliability.present": "10",
    "reliability.safe_to_say": "8",
    "closing.note": "",
}


def good_answers() -> dict[str, dict]:
    """The same answers as GOOD, as the service takes them."""
    answers: dict[str, dict] = {}
    for name, value in GOOD.items():
        section, item = name.split(".")
        answers.setdefault(section, {})
        if value:
            answers[section][item] = int(value)
    return answers


def attend(session, actor, django_capture_on_commit_callbacks) -> str:
    """Mark the session attended (as the clinician would) and return the token from the emailed link."""
    sent_before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        session_record_attendance(actor=actor, session=session, attendance=Session.Attendance.ATTENDED)
    assert len(mail.outbox) == sent_before + 1
    return LINK.search(mail.outbox[-1].body)[1]


def submit(session: Session, answers: dict, *, evaluate: bool = False) -> CheckIn:
    """Store answers and scores the way the check-in submit does, and mark the episode due (and
    evaluate it at once when `evaluate`). No link, no form: for tests about what follows a check-in."""
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
