"""The clinician's weekly wellbeing pulse: the form, its strict reading, its scoring and the team figure.

Loaded by the instrument engine like any instrument (supervision/definitions/, or a clinic's own file
under the same key). Private to the clinician unless they share it with their supervisor; a team figure
only from at least MIN_RESPONDENTS people, so no one's answer can be read off it."""

import datetime as dt
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from care.audit import audit_record
from care.models import AuditEvent, User
from clinicians.models import Clinician
from instruments.library import get_instrument
from instruments.schemas import Instrument
from instruments.scoring import AnswerError, score, validate_answers
from supervision.models import PulseResponse

WEEKLY = "pulse"
MONTHLY = "cbi_work"
MIN_RESPONDENTS = 5
BURNOUT_AT = 3  # on the 1–5 item, 3 or more suggests symptoms of burnout
_DIGITS = re.compile(r"[0-9]{1,3}")


class PulseError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class PulseForm:
    clinician: Clinician
    week_start: dt.date
    instruments: tuple[Instrument, ...]
    current: PulseResponse | None


def _clinician(user: User) -> Clinician:
    clinician = Clinician.objects.select_related("clinic").filter(user=user).first()
    if clinician is None or user.role == User.Role.ADMIN:
        raise Http404("Not found")
    return clinician


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def monthly_due(last_monthly: dt.date | None, this_week: dt.date) -> bool:
    """The work scale is asked once a calendar month: when none was answered in this week's month."""
    return last_monthly is None or (last_monthly.year, last_monthly.month) != (
        this_week.year,
        this_week.month,
    )


def pulse_form_read(user: User) -> PulseForm:
    clinician = _clinician(user)
    this_week = week_start(timezone.localdate())
    mine = PulseResponse.objects.filter(clinician=clinician)
    current = mine.filter(week_start=this_week).first()
    last_monthly = (
        mine.filter(scores__has_key=f"{MONTHLY}.total")
        .exclude(week_start=this_week)
        .values_list("week_start", flat=True)
        .first()
    )
    keys = [WEEKLY] + ([MONTHLY] if monthly_due(last_monthly, this_week) else [])
    instruments = tuple(get_instrument(k, clinic_id=clinician.clinic_id) for k in keys)
    return PulseForm(clinician, this_week, instruments, current)


def read_answers(instruments: Sequence[Instrument], raw: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """Form fields named "<instrument>.<item>" → clean answers; ASCII digits only, every problem named."""
    answers: dict[str, dict[str, int]] = {}
    errors: dict[str, str] = {}
    for instrument in instruments:
        given: dict[str, Any] = {}
        for item in instrument.items:
            value = raw.get(f"{instrument.key}.{item.key}", "")
            if value == "":
                continue
            if not isinstance(value, str) or not _DIGITS.fullmatch(value):
                errors[f"{instrument.key}.{item.key}"] = "Choose one of the answers offered."
                continue
            given[item.key] = int(value)
        try:
            answers[instrument.key] = validate_answers(instrument, given)
        except AnswerError as problem:
            errors |= {f"{instrument.key}.{k}": v for k, v in problem.errors.items()}
    if errors:
        raise PulseError(errors)
    return answers


def pulse_submit(*, actor: User, raw: Mapping[str, Any]) -> PulseResponse:
    """This week's pulse, answered again replaces the week's earlier answers."""
    form = pulse_form_read(actor)
    answers = read_answers(form.instruments, raw)
    scores = {
        f"{result.instrument}.{result.scale}": result.value
        for instrument in form.instruments
        for result in score(instrument, answers[instrument.key])
    }
    with transaction.atomic():
        pulse, _ = PulseResponse.objects.update_or_create(
            clinician=form.clinician,
            week_start=form.week_start,
            defaults={
                "submitted_at": timezone.now(),
                "instrument_versions": {i.key: i.version for i in form.instruments},
                "answers": answers,
                "scores": scores,
                "burnout": answers[WEEKLY]["burnout"],
            },
        )
        # The pulse is not client data; the event records that it was written, never what it says.
        audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=pulse)
    return pulse


@dataclass(frozen=True)
class TeamPulse:
    respondents: int
    median_burnout: float
    share_burnout: float  # share answering 3 or more


def team_pulse(burnout_answers: Sequence[int]) -> TeamPulse | None:
    """A team's figure from the latest answers, or None under MIN_RESPONDENTS respondents."""
    if len(burnout_answers) < MIN_RESPONDENTS:
        return None
    return TeamPulse(
        respondents=len(burnout_answers),
        median_burnout=float(statistics.median(burnout_answers)),
        share_burnout=sum(1 for b in burnout_answers if b >= BURNOUT_AT) / len(burnout_answers),
    )


def team_pulse_read(clinician_ids: Sequence[int], *, since: dt.date) -> TeamPulse | None:
    """Each clinician's latest answer since `since`, pooled (one query); shared or not, never named."""
    rows = (
        PulseResponse.objects.filter(clinician_id__in=clinician_ids, week_start__gte=since)
        .order_by("clinician_id", "-week_start")
        .values_list("clinician_id", "burnout")
    )
    latest: dict[int, int] = {}
    for clinician_id, burnout in rows:  # a few weeks per clinician at most
        latest.setdefault(clinician_id, burnout)
    return team_pulse(list(latest.values()))
