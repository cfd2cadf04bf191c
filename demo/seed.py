"""A realistic, deterministic demo clinic, built with bulk inserts so it scales to tens of thousands of
clients.

Each client follows one course (a trajectory archetype): a strong alliance, an alliance that builds
slowly, an early rupture that is repaired, an early rupture that ends in dropout, a course troubled by
clinician cancellations and late starts, or a client who has only just started. Dropout is driven by the
early alliance, as the research on early-alliance risk leads us to expect, so the demo is also a cohort
on which the risk rules can be judged (bench/cohort.py)."""

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from alliance.models import ClinicianRating
from care.models import CheckIn, Client, Clinic, Episode, Program, Score, Session, User
from clinicians.models import Clinician, Supervision
from instruments.library import instruments_for_session
from instruments.scoring import score_answers
from readiness.models import Goal, IntakeReadiness
from regimen.models import PlanRevision
from risk import engine as risk
from risk.models import Flag
from risk.services import flag_record_repair

DEMO_PASSWORD = "attune-demo-2026"  # noqa: S105 — the demo clinic only, printed on seeding
CLINIC_NAME = "Riverbend Community Counseling"
BATCH = 1000  # clients per bulk batch: bounds memory however large the clinic

GIVEN = [
    "Ava",
    "Liam",
    "Maya",
    "Noah",
    "Sofia",
    "Ethan",
    "Amara",
    "Lucas",
    "Chloe",
    "Mateo",
    "Grace",
    "Omar",
    "Isla",
    "Jonah",
    "Priya",
    "Diego",
    "Hannah",
    "Kenji",
    "Zara",
    "Caleb",
    "Lucía",
    "Andrés",
    "Valentina",
    "Camila",
    "Javier",
    "Elena",
    "Marcus",
    "Nora",
    "Samir",
    "Ruth",
    "Tomás",
    "Ines",
    "Felix",
    "Leah",
]
FAMILY = [
    "Alvarez",
    "Bennett",
    "Chen",
    "Dubois",
    "Evans",
    "Fischer",
    "García",
    "Hughes",
    "Ibrahim",
    "Jensen",
    "Kowalski",
    "López",
    "Martin",
    "Nguyen",
    "Okafor",
    "Patel",
    "Quinn",
    "Rossi",
    "Santos",
    "Turner",
    "Umarov",
    "Vega",
    "Walker",
    "Xu",
    "Young",
    "Zimmerman",
    "Moreno",
    "Castillo",
    "Reyes",
    "Brooks",
]
STAFF = [
    ("Dana", "Whitfield", "PsyD"),
    ("Rafael", "Ortega", "LCSW"),
    ("Mei", "Tanaka", "LMFT"),
    ("Samuel", "Adeyemi", "LPC"),
    ("Clara", "Lindqvist", "PhD"),
    ("Hugo", "Marchetti", "LCSW"),
    ("Nadia", "Haddad", "LPC"),
    ("Owen", "Fitzgerald", "LMFT"),
    ("Rosa", "Delgado", "LCSW"),
    ("Theo", "Karlsson", "PsyD"),
]
PAYERS = ["Medicaid", "Medicare", "Blue Cross", "Aetna", "United", "Self-pay"]
PROGRAMS = ["Adult outpatient", "Trauma and EMDR centre", "Couples and family"]
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
RUPTURE_WORDS = [
    "When I talked about my mother it felt like you moved on too quickly.",
    "I felt judged when we talked about my drinking.",
    "The homework felt like too much this week and I didn't want to say so.",
    "I wanted to talk about work but we spent the whole time on the worksheet.",
    "Cuando hablé de mi familia sentí que no me entendía.",
]
NOTES = [
    "I had a hard week but today helped.",
    "Can we talk about sleep next time?",
    "I'm nervous about the anniversary coming up.",
    "Thank you for listening.",
    "",
]


@dataclass(frozen=True)
class Course:
    """How one client's episode unfolds."""

    name: str
    weight: float
    start: float  # relationship items' mean at session 1 (0–10)
    slope: float  # change per session
    length: tuple[int, int]  # how many sessions the course runs if nothing else ends it
    dropout_after: int | None = None  # stops attending after this session (client stopped)
    rupture_at: int | None = None  # session with a reported moment of feeling misunderstood
    clinician_unreliable: bool = False
    phq9_start: int = 14
    phq9_slope: float = -1.0


# Client-rated alliance bunches near the top (SRS totals average about 37 of 40), so "strong" means
# items around 9.4 of 10, and a lukewarm 7.5 is already a warning sign.
COURSES = [
    Course("strong", weight=0.40, start=9.4, slope=0.02, length=(8, 20), phq9_start=13, phq9_slope=-1.2),
    Course("slow_build", weight=0.13, start=7.6, slope=0.25, length=(8, 16), phq9_start=15, phq9_slope=-0.9),
    Course(
        "rupture_repaired", weight=0.14, start=9.0, slope=0.0, length=(8, 18), rupture_at=2, phq9_start=16
    ),
    Course(
        "rupture_dropout",
        weight=0.12,
        start=7.6,
        slope=-0.5,
        length=(8, 12),
        dropout_after=3,
        rupture_at=2,
        phq9_start=17,
        phq9_slope=0.2,
    ),
    Course(
        "low_dropout",
        weight=0.06,
        start=6.2,
        slope=-0.2,
        length=(6, 10),
        dropout_after=2,
        phq9_start=18,
        phq9_slope=0.0,
    ),
    Course(
        "unreliable_care",
        weight=0.10,
        start=8.8,
        slope=-0.1,
        length=(6, 14),
        clinician_unreliable=True,
        phq9_start=14,
        phq9_slope=-0.5,
    ),
    Course("stayer_despite_low_start", weight=0.05, start=7.0, slope=0.35, length=(8, 14), phq9_start=16),
]


@dataclass
class DemoSummary:
    clinic: Clinic
    clients: int = 0
    episodes: int = 0
    sessions: int = 0
    checkins: int = 0
    evaluated: int = 0
    seconds: float = 0.0
    usernames: dict[str, list[str]] = field(default_factory=dict)


def _clip(value: float, low: int = 0, high: int = 10) -> int:
    return max(low, min(high, round(value)))


def _relationship(rng: random.Random, level: float, course: Course, number: int) -> dict:
    ruptured = course.rupture_at == number
    dip = 3.5 if ruptured else 0.0
    items = {k: _clip(rng.gauss(level - dip, 0.4)) for k in ("heard", "goals", "approach", "overall")}
    items["belief"] = _clip(rng.gauss(level - dip / 2, 0.5))
    if ruptured:
        items["misunderstood"] = 1
        items["misunderstood_words"] = rng.choice(RUPTURE_WORDS)
    else:
        items["misunderstood"] = 1 if rng.random() < 0.03 else 0
    return items


def _answers(rng: random.Random, course: Course, number: int, level: float, keys: set[str]) -> dict:
    answers: dict[str, dict] = {"relationship": _relationship(rng, level, course, number)}
    readiness_level = 7.5 + (level - 8) * 0.8 + rng.gauss(0, 1.0)
    answers["readiness"] = {
        "importance": _clip(readiness_level + 1),
        "confidence": _clip(readiness_level - 0.5),
    }
    if "stage" in keys:
        answers["stage"] = {"stage": _clip(2 + number / 4 + rng.gauss(0, 0.6), 1, 5)}
    fits = level >= 8 or rng.random() < 0.6
    answers["regimen"] = {
        "frequency": 1 if fits else rng.choice([0, 2]),
        "format": 1 if fits or rng.random() < 0.5 else 0,
        "plan_understood": 2 if level >= 7.5 else rng.choice([1, 2]),
        "plan_agreed": 2 if level >= 8 else rng.choice([0, 1, 2]),
    }
    answers["reliability"] = {
        "on_time": 0 if course.clinician_unreliable and rng.random() < 0.4 else 1,
        "present": _clip(rng.gauss(level + 0.3, 0.7)),
        "safe_to_say": _clip(rng.gauss(level - 0.2, 1.0)),
    }
    severity = course.phq9_start + course.phq9_slope * (number - 1)
    if "phq9" in keys:
        items = [_clip(rng.gauss(severity / 9, 0.6), 0, 3) for _ in range(9)]
        items[8] = 1 if severity >= 17 and rng.random() < 0.25 else 0  # thoughts of self-harm: rare
        answers["phq9"] = {f"item{i + 1}": v for i, v in enumerate(items)}
    if "gad7" in keys:
        answers["gad7"] = {f"item{i + 1}": _clip(rng.gauss(severity * 0.8 / 9, 0.6), 0, 3) for i in range(7)}
    note = rng.choice(NOTES) if rng.random() < 0.25 else ""
    answers["closing"] = {"note": note} if note else {}
    return answers


class _Builder:
    """What every batch shares: the random stream, the clinic and the clock."""

    def __init__(self, rng: random.Random, clinic: Clinic, now: dt.datetime):
        self.rng = rng
        self.clinic = clinic
        self.now = now
        self.tz = ZoneInfo(clinic.time_zone)
        self._instruments: dict[int, list] = {}

    def instruments_for(self, number: int) -> list:
        if number not in self._instruments:
            self._instruments[number] = instruments_for_session(clinic=self.clinic, session_number=number)
        return self._instruments[number]

    def course(self) -> Course:
        return self.rng.choices(COURSES, weights=[c.weight for c in COURSES])[0]


def _session_start(day: dt.date, hour: int, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=tz)


@transaction.atomic
def _seed_staff(rng: random.Random, clinic: Clinic, clinicians: int, supervisors: int) -> dict:
    password = make_password(DEMO_PASSWORD)
    programs = [Program.objects.create(clinic=clinic, name=name) for name in PROGRAMS]
    users = {"admin": [], "supervisor": [], "clinician": []}
    admin = User.objects.create(
        username="admin",
        first_name="Alex",
        last_name="Admin",
        email="admin@riverbend.example",
        clinic=clinic,
        role=User.Role.ADMIN,
        password=password,
        is_staff=True,
    )
    users["admin"].append(admin.username)

    def person(i: int) -> tuple[str, str, str]:
        first, last, cred = STAFF[i % len(STAFF)]
        return first, last if i < len(STAFF) else f"{last}-{i // len(STAFF) + 1}", cred

    staff_users = []
    for i in range(supervisors + clinicians):
        role = User.Role.SUPERVISOR if i < supervisors else User.Role.CLINICIAN
        username = f"supervisor{i + 1}" if i < supervisors else f"clinician{i - supervisors + 1}"
        first, last, cred = person(i)
        staff_users.append(
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@riverbend.example",
                clinic=clinic,
                role=role,
                password=password,
            )
        )
    User.objects.bulk_create(staff_users, batch_size=2000)
    staff_users = list(User.objects.filter(clinic=clinic).exclude(role=User.Role.ADMIN).order_by("id"))
    clinician_rows = Clinician.objects.bulk_create(
        [
            Clinician(
                user=u,
                clinic=clinic,
                caseload_target=12 if u.role == User.Role.SUPERVISOR else 20,
                credentials=STAFF[i % len(STAFF)][2],
            )
            for i, u in enumerate(staff_users)
        ],
        batch_size=2000,
    )
    through = Clinician.programs.through
    through.objects.bulk_create(
        [
            through(clinician_id=c.pk, program_id=programs[i % len(programs)].pk)
            for i, c in enumerate(clinician_rows)
        ]
        + [
            through(clinician_id=c.pk, program_id=programs[0].pk)
            for i, c in enumerate(clinician_rows)
            if i % 3
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    sup_rows, clin_rows = clinician_rows[:supervisors], clinician_rows[supervisors:]
    started = timezone.localdate() - dt.timedelta(days=400)
    Supervision.objects.bulk_create(
        [
            Supervision(supervisor=sup_rows[i % supervisors], supervisee=c, started_on=started)
            for i, c in enumerate(clin_rows)
        ],
        batch_size=5000,
    )
    for u in staff_users:
        users[u.role].append(u.username)
    return {"programs": programs, "clinicians": clinician_rows, "users": users}


def _write_batch(
    b: _Builder,
    clinicians: list[Clinician],
    programs: list[Program],
    first: int,
    count: int,
    summary: DemoSummary,
) -> dict[int, Course]:
    """Create `count` clients (numbered from `first`) with their episodes, sessions and check-ins."""
    rng, now, tz, today = b.rng, b.now, b.tz, b.now.astimezone(b.tz).date()
    clients = []
    for n in range(first, first + count):
        spanish = rng.random() < 0.22
        clients.append(
            Client(
                clinic=b.clinic,
                reference=f"RB-{n:06d}",
                given_name=rng.choice(GIVEN[20:26] if spanish else GIVEN),
                family_name=rng.choice(FAMILY),
                email=f"client{n}@example.org",
                phone=f"+1555{n:07d}"[:16],
                preferred_language="es" if spanish else "en",
                date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55)),
                payer=rng.choice(PAYERS),
            )
        )
    Client.objects.bulk_create(clients, batch_size=2000)

    plans = []
    episodes, courses = [], []  # courses[i] is how episodes[i] unfolds
    # Supervisors carry about half a clinician's caseload: they appear once in the rota, clinicians twice.
    supervisors = [c for c in clinicians if c.user.role == User.Role.SUPERVISOR]
    rota = supervisors + [c for c in clinicians if c.user.role != User.Role.SUPERVISOR] * 2
    for n, client in enumerate(clients, start=first):
        course = b.course()
        clinician = rota[n % len(rota)]
        # Recent intakes are over-represented so every caseload has clients in sessions 1–3.
        days_ago = rng.choice([rng.randrange(3, 28), rng.randrange(28, 200)])
        episodes.append(
            Episode(
                client=client,
                clinician=clinician,
                program=programs[rng.randrange(len(programs))],
                opened_on=today - dt.timedelta(days=days_ago),
            )
        )
        courses.append(course)
    Episode.objects.bulk_create(episodes, batch_size=2000)

    sessions = []
    closings: list[tuple[Episode, dt.date, str]] = []
    for episode, course in zip(episodes, courses, strict=True):
        length = rng.randint(*course.length)
        hour = rng.choice([9, 10, 11, 13, 14, 15, 16, 17])
        day = episode.opened_on
        last_attended_day = None
        ended = None
        for number in range(1, length + 1):
            start = _session_start(day, hour, tz)
            if start > now:
                # The next appointment, if the client is still coming.
                sessions.append(
                    Session(
                        episode=episode,
                        number=number,
                        scheduled_start=start,
                        scheduled_end=start + dt.timedelta(minutes=50),
                    )
                )
                break
            attendance, late = Session.Attendance.ATTENDED, 0
            roll = rng.random()
            if course.dropout_after is not None and number > course.dropout_after:
                attendance = Session.Attendance.NO_SHOW
                ended = (day, Episode.EndReason.CLIENT_STOPPED)
            elif course.clinician_unreliable and number <= 4 and roll < 0.35:
                attendance = rng.choice(list(Session.CLINICIAN_INITIATED) + [Session.Attendance.LATE_START])
            elif roll < 0.05:
                attendance = Session.Attendance.NO_SHOW
            elif roll < 0.10:
                attendance = Session.Attendance.CANCELLED_BY_CLIENT
            elif roll < 0.14:
                attendance = Session.Attendance.LATE_START
            if attendance == Session.Attendance.LATE_START:
                late = rng.choice([5, 10, 15, 20])
            booked = ended is None and number < length
            session = Session(
                episode=episode,
                number=number,
                scheduled_start=start,
                scheduled_end=start + dt.timedelta(minutes=50),
                attendance=attendance,
                late_minutes=late,
                next_session_booked=booked,
                attendance_recorded_at=start + dt.timedelta(minutes=55),
            )
            sessions.append(session)
            if attendance in Session.ATTENDED_STATES:
                last_attended_day = day
            if ended:
                break
            gap = 7 if course.name != "unreliable_care" else rng.choice([7, 7, 14, 21])
            day = day + dt.timedelta(days=gap + rng.choice([0, 0, 0, 1, -1]))
        else:
            if last_attended_day:
                ended = (last_attended_day, Episode.EndReason.MUTUAL)
        if ended:
            closings.append((episode, max(ended[0], episode.opened_on), ended[1]))
    Session.objects.bulk_create(sessions, batch_size=5000)
    for episode, closed_on, reason in closings:
        episode.closed_on, episode.end_reason = closed_on, reason
    Episode.objects.bulk_update([e for e, _, _ in closings], ["closed_on", "end_reason"], batch_size=2000)

    course_of = {e.pk: c for e, c in zip(episodes, courses, strict=True)}
    checkins, checkin_answers, ratings = [], [], []
    level_of: dict[int, float] = {}
    for session in sessions:
        if session.attendance not in Session.ATTENDED_STATES:
            continue
        course = course_of[session.episode_id]
        base = level_of.setdefault(session.episode_id, course.start + rng.gauss(0, 0.3))
        level = base + course.slope * (session.number - 1)
        if course.rupture_at and session.number > course.rupture_at and course.dropout_after is None:
            level += 0.4  # a repaired rupture often leaves the alliance stronger
        chosen = b.instruments_for(session.number)
        keys = {i.key for i in chosen}
        sent = session.scheduled_end
        answered = rng.random() < (0.92 if level >= 8 else 0.7) and sent < now - dt.timedelta(hours=2)
        answers = _answers(rng, course, session.number, level, keys) if answered else {}
        submitted = sent + dt.timedelta(minutes=rng.randrange(5, 600)) if answered else None
        if submitted and submitted > now:
            submitted = now
        checkins.append(
            CheckIn(
                session=session,
                status=CheckIn.Status.SUBMITTED
                if answered
                else CheckIn.Status.EXPIRED
                if sent < now - dt.timedelta(hours=b.clinic.checkin_link_ttl_hours)
                else CheckIn.Status.SENT,
                sent_at=sent,
                opened_at=submitted - dt.timedelta(minutes=2) if submitted else None,
                submitted_at=submitted,
                language=session.episode.client.preferred_language,
                instrument_versions={i.key: i.version for i in chosen},
                answers={k: v for k, v in answers.items() if k in keys},
            )
        )
        checkin_answers.append(chosen if answered else None)
        if rng.random() < 0.7:
            # Clinicians rate the alliance a little higher than clients do, and often miss a rupture.
            clin = {k: _clip(rng.gauss(level + 0.5, 0.4)) for k in ("heard", "goals", "approach", "overall")}
            clin["belief"] = _clip(rng.gauss(level + 0.4, 0.5))
            noticed = course.rupture_at == session.number and rng.random() < 0.4
            ratings.append(
                ClinicianRating(
                    session=session,
                    rated_by_id=session.episode.clinician.user_id,
                    rated_at=session.scheduled_end + dt.timedelta(minutes=10),
                    instrument_version="1",
                    answers=clin,
                    rupture_noticed=noticed,
                    rupture_note="Client went quiet when I suggested homework." if noticed else "",
                )
            )
    CheckIn.objects.bulk_create(checkins, batch_size=5000)
    ClinicianRating.objects.bulk_create(ratings, batch_size=5000)
    scores = []
    for checkin, chosen in zip(checkins, checkin_answers, strict=True):
        if chosen is None:
            continue
        for result in score_answers(chosen, checkin.answers):
            scores.append(Score(checkin=checkin, **result.model_dump()))
    Score.objects.bulk_create(scores, batch_size=10000)

    diagnoses = [
        ("F33.1", "Major depressive disorder, recurrent, moderate"),
        ("F41.1", "Generalized anxiety disorder"),
        ("F43.10", "Post-traumatic stress disorder, unspecified"),
        ("F32.0", "Major depressive disorder, single episode, mild"),
        ("F43.23", "Adjustment disorder with mixed anxiety and depressed mood"),
        ("Z63.0", "Problems in relationship with spouse or partner"),
    ]
    modality_by_program = {0: ["cbt", "act", "ipt", "dbt"], 1: ["emdr", "cbt"], 2: ["couples", "family"]}
    goals, intakes = [], []
    for episode in episodes:
        program_index = [p.pk for p in programs].index(episode.program_id)
        code, label = diagnoses[rng.randrange(len(diagnoses))] if program_index != 2 else diagnoses[5]
        container = "couple" if program_index == 2 else "individual"
        revised_at = _session_start(episode.opened_on, 18, tz)
        plans.append(
            PlanRevision(
                episode=episode,
                number=1,
                diagnosis_code=code,
                diagnosis_label=label,
                modality=rng.choice(modality_by_program[program_index]),
                frequency="weekly",
                container=container,
                note="Initial plan agreed at intake.",
                revised_at=revised_at,
                revised_by_id=episode.clinician.user_id,
            )
        )
        if course_of[episode.pk].clinician_unreliable and rng.random() < 0.5:
            plans.append(
                PlanRevision(
                    episode=episode,
                    number=2,
                    diagnosis_code=code,
                    diagnosis_label=label,
                    modality=plans[-1].modality,
                    frequency="fortnightly",
                    container=container,
                    note="Moved to fortnightly while the clinician's schedule is reduced.",
                    revised_at=revised_at + dt.timedelta(days=21),
                    revised_by_id=episode.clinician.user_id,
                )
            )
        course = course_of[episode.pk]
        goals.append(
            Goal(
                episode=episode,
                text=rng.choice(
                    [
                        "Get back to work without panicking on the train.",
                        "Sleep through the night most nights.",
                        "Stop shouting at the kids when I'm stressed.",
                        "Feel like myself again.",
                        "Talk to my partner without it turning into a fight.",
                        "Volver a disfrutar de las cosas que me gustaban.",
                    ]
                ),
                endorsed_by_client=course.name not in {"low_dropout"} or rng.random() < 0.3,
                set_on=episode.opened_on,
                recorded_by_id=episode.clinician.user_id,
            )
        )
        intake_level = course.start + rng.gauss(0, 1)
        intakes.append(
            IntakeReadiness(
                episode=episode,
                importance=_clip(intake_level + 1),
                confidence=_clip(intake_level - 1),
                stage=_clip(2 + rng.random() * 2, 1, 5),
                recorded_on=episode.opened_on,
            )
        )
    PlanRevision.objects.bulk_create(plans, batch_size=5000)
    Goal.objects.bulk_create(goals, batch_size=5000)
    IntakeReadiness.objects.bulk_create(intakes, batch_size=5000)

    # Everything just written is new to the risk engine: the outbox says so.
    Episode.objects.filter(pk__in=[e.pk for e in episodes]).update(evaluation_due_at=now)
    summary.clients += len(clients)
    summary.episodes += len(episodes)
    summary.sessions += len(sessions)
    summary.checkins += sum(1 for c in checkins if c.submitted_at)
    return course_of


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
    )
    staff = _seed_staff(rng, clinic, clinicians, supervisors)
    summary = DemoSummary(clinic=clinic, usernames=staff["users"])
    builder = _Builder(rng, clinic, now)
    if evaluate is None:
        evaluate = clients <= 5000
    for batch, first in enumerate(range(1, clients + 1, BATCH), start=1):
        with transaction.atomic():
            courses = _write_batch(
                builder,
                staff["clinicians"],
                staff["programs"],
                first,
                min(BATCH, clients - first + 1),
                summary,
            )
        if batch & (batch - 1) == 0:
            _refresh_planner_statistics()  # after batches 1, 2, 4, 8, …: the tables grow geometrically
        if evaluate:
            summary.evaluated += _evaluate_and_repair(courses, now=now)
        progress(f"  {summary.clients} clients, {summary.sessions} sessions, {summary.checkins} check-ins")
    _refresh_planner_statistics()
    summary.seconds = time.perf_counter() - started
    return summary


def _refresh_planner_statistics() -> None:
    """PostgreSQL plans from table statistics; right after a bulk load they describe empty tables and
    the planner picks sequential scans (measured: 0.6 s instead of 2 ms for one episode's scores)."""
    from django.db import connection

    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


REPAIR_NOTES = [
    "Opened the session by asking what felt off last time; she said she felt rushed. Slowed down, "
    "agreed to check in on pace at the start of each session.",
    "Named the moment he went quiet. He said the homework felt like a test. Made homework optional "
    "and co-designed the next step.",
    "Apologised for moving on too quickly; revisited the topic at the client's pace.",
]


def _evaluate_and_repair(courses: dict[int, Course], *, now: dt.datetime) -> int:
    """Run the risk engine over the batch's episodes, then play the clinician's part for repaired
    ruptures: acknowledge the flag and record what was done about it."""
    for episode_id in sorted(courses):
        risk.evaluate_episode(episode_id)
    repaired = [pk for pk, course in courses.items() if course.name == "rupture_repaired"]
    flags = Flag.objects.filter(
        episode_id__in=repaired, status__in=Flag.ACTIVE_STATES, pillar="relationship"
    ).select_related("episode__clinician__user")
    for n, flag in enumerate(flags):
        flag_record_repair(
            flag=flag, actor=flag.episode.clinician.user, note=REPAIR_NOTES[n % len(REPAIR_NOTES)]
        )
    return len(courses)
