"""A realistic, deterministic demo clinic, built with bulk inserts so it scales to tens of thousands of
clients: staff (demo.people), clients following courses of care (demo.courses), written a batch at a
time (demo.batch), then the risk engine and the clinician's part in repaired ruptures."""

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from care.models import Clinic
from demo.batch import Builder, write_batch
from demo.courses import Course
from demo.history import EPISODES as PAST_EPISODES
from demo.history import seed_history
from demo.people import seed_staff
from demo.supervision import seed_supervision_story
from reports.facts import refresh as refresh_reports
from risk import engine as risk
from risk.models import Flag
from risk.services import flag_record_repair

CLINIC_NAME = "Riverbend Community Counseling"
BATCH = 1000  # clients per bulk batch: bounds memory however large the clinic
EVALUATE_UP_TO = 5000  # above this many clients, evaluation is left to the sweep
CRISIS_EN = (
    "If you are thinking about harming yourself, you are not alone and help is available now. "
    "Call or text 988 (Suicide & Crisis Lifeline), any time, day or night. If you are in immediate "
    "danger, call 911 or go to the nearest emergency room. You can also call the clinic's on-call "
    "clinician at (555) 010-2020."
)
CRISIS_ES = (
    "Si está pensando en hacerse daño, no está solo/a y hay ayuda disponible ahora. Llame o envíe un "
    "mensaje de texto al 988 (Línea de Prevención del Suicidio y Crisis), a cualquier hora. Si está en "
    "peligro inmediato, llame al 911 o vaya a la sala de emergencias más cercana. También puede llamar "
    "al terapeuta de guardia de la clínica al (555) 010-2020."
)
REPAIR_NOTES = [
    "Opened the session by asking what felt off last time; she said she felt rushed. Slowed down, "
    "agreed to check in on pace at the start of each session.",
    "Named the moment he went quiet. He said the homework felt like a test. Made homework optional "
    "and co-designed the next step.",
    "Apologised for moving on too quickly; revisited the topic at the client's pace.",
]


@dataclass
class DemoSummary:
    clinic: Clinic
    clients: int = 0
    episodes: int = 0
    sessions: int = 0
    checkins: int = 0
    evaluated: int = 0
    past_episodes: int = 0  # finished episodes from demo.history, not counted above
    seconds: float = 0.0
    usernames: dict[str, list[str]] = field(default_factory=dict)


def seed_clinic(
    *,
    seed: int = 7,
    clients: int = 120,
    clinicians: int | None = None,
    supervisors: int | None = None,
    evaluate: bool | None = None,
    now: dt.datetime | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> DemoSummary:
    """Seed one demo clinic. Same seed and same `now` → the same clinic, row for row."""
    started = time.perf_counter()
    rng = random.Random(seed)
    now = now or timezone.now()
    clinicians = clinicians or max(8, -(-clients // 15))
    supervisors = supervisors or max(2, -(-clinicians // 8))
    clinic = Clinic.objects.create(
        name=CLINIC_NAME,
        time_zone="America/New_York",
        crisis_instructions=CRISIS_EN,
        crisis_instructions_es=CRISIS_ES,
        measure_schedule={"phq9": 4, "gad7": 4},
        require_two_factor=False,  # the demo's printed passwords sign in alone
    )
    staff = seed_staff(clinic, clinicians, supervisors)
    summary = DemoSummary(clinic=clinic, usernames=staff["users"])
    builder = Builder(rng, clinic, now, staff["clinicians"], staff["programs"])
    if evaluate is None:
        evaluate = clients <= EVALUATE_UP_TO
    for batch, first in enumerate(range(1, clients + 1, BATCH), start=1):
        with transaction.atomic():
            written = write_batch(builder, first, min(BATCH, clients - first + 1))
        summary.clients += written.clients
        summary.episodes += written.episodes
        summary.sessions += written.sessions
        summary.checkins += written.checkins
        if batch & (batch - 1) == 0:
            _refresh_planner_statistics()  # after batches 1, 2, 4, 8, …: the tables grow geometrically
        if evaluate:
            summary.evaluated += _evaluate_and_repair(written.courses)
        progress(f"  {summary.clients} clients, {summary.sessions} sessions, {summary.checkins} check-ins")
    seed_supervision_story(
        clinic, now=now, seed=seed, clients=clients, evaluate=evaluate
    )  # demo/supervision.py
    # The clinic's past (demo/history.py): finished episodes for the reports' outcome measures.
    summary.past_episodes = min(PAST_EPISODES, clients * 3)
    seed_history(
        clinic, staff["clinicians"], staff["programs"], now=now, seed=seed, episodes=summary.past_episodes
    )
    _refresh_planner_statistics()
    refresh_reports(clinic, today=builder.today)
    summary.seconds = time.perf_counter() - started
    return summary


def _refresh_planner_statistics() -> None:
    """PostgreSQL plans from table statistics; right after a bulk load they describe empty tables and
    the planner picks sequential scans instead of the indexes."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _evaluate_and_repair(courses: dict[int, Course]) -> int:
    """Run the risk engine over the batch's episodes, then play the clinician's part for repaired
    ruptures: acknowledge the flag and record what was done about it."""
    risk.evaluate_episodes(sorted(courses))
    repaired = [pk for pk, course in courses.items() if course.name == "rupture_repaired"]
    flags = Flag.objects.filter(
        episode_id__in=repaired, status__in=Flag.ACTIVE_STATES, pillar="relationship"
    ).select_related("episode__clinician__user")
    for n, flag in enumerate(flags):
        flag_record_repair(
            flag=flag, actor=flag.episode.clinician.user, note=REPAIR_NOTES[n % len(REPAIR_NOTES)]
        )
    return len(courses)
