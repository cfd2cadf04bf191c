"""Courses of care and the answers they produce.

Each client follows one course (a trajectory archetype): a strong alliance, an alliance that builds
slowly, an early rupture that is repaired, an early rupture that ends in dropout, a low alliance from
the first session that ends in dropout, a course troubled by clinician cancellations and late starts, or
a low start that recovers. Dropout is driven mostly by the early alliance, as the research on
early-alliance risk leads us to expect, and also by what happens around the sessions (`leaves_early`:
long gaps, the clinician cancelling or starting late), so the demo is also a cohort on which every
pillar's rules can be judged (bench/cohort.py, effect sizes in docs/risk.md)."""

import random
from dataclasses import dataclass

# The client's own words, in their language. The lists are parallel (same length, same meaning), so a
# draw spends the same random numbers whichever the language and the rest of the demo does not move.
RUPTURE_WORDS = {
    "en": [
        "When I talked about my mother it felt like you moved on too quickly.",
        "I felt judged when we talked about my drinking.",
        "The homework felt like too much this week and I didn't want to say so.",
        "I wanted to talk about work but we spent the whole time on the worksheet.",
        "When I talked about my family I felt you didn't understand me.",
    ],
    "es": [
        "Cuando hablé de mi madre sentí que pasó a otro tema demasiado rápido.",
        "Me sentí juzgado/a cuando hablamos de lo que bebo.",
        "La tarea de esta semana fue demasiado y no me atreví a decirlo.",
        "Quería hablar del trabajo pero pasamos toda la sesión con la hoja de ejercicios.",
        "Cuando hablé de mi familia sentí que no me entendía.",
    ],
}
NOTES = {
    "en": [
        "I had a hard week but today helped.",
        "Can we talk about sleep next time?",
        "I'm nervous about the anniversary coming up.",
        "Thank you for listening.",
        "",
    ],
    "es": [
        "Tuve una semana difícil, pero hoy me ayudó.",
        "¿Podemos hablar del sueño la próxima vez?",
        "Estoy nervioso/a porque se acerca el aniversario.",
        "Gracias por escucharme.",
        "",
    ],
}
RELATIONSHIP_ITEMS = ("heard", "goals", "approach", "overall")


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


def pick_course(rng: random.Random) -> Course:
    return rng.choices(COURSES, weights=[c.weight for c in COURSES])[0]


def clip(value: float, low: int = 0, high: int = 10) -> int:
    return max(low, min(high, round(value)))


def alliance_level(base: float, course: Course, number: int) -> float:
    """The relationship items' mean at session `number` for a client who started at `base`."""
    level = base + course.slope * (number - 1)
    if course.rupture_at and number > course.rupture_at and course.dropout_after is None:
        level += 0.4  # a repaired rupture often leaves the alliance stronger
    return level


def checkin_answers(
    rng: random.Random, course: Course, number: int, level: float, keys: set[str], *, language: str = "en"
) -> dict:
    """A client's answers at session `number`, for every section (the caller keeps those asked: `keys`);
    what they write is in their `language`."""
    answers: dict[str, dict] = {"relationship": _relationship(rng, level, course, number, language)}
    readiness_level = 7.5 + (level - 8) * 0.8 + rng.gauss(0, 1.0)
    answers["readiness"] = {
        "importance": clip(readiness_level + 1),
        "confidence": clip(readiness_level - 0.5),
    }
    if "stage" in keys:
        answers["stage"] = {"stage": clip(2 + number / 4 + rng.gauss(0, 0.6), 1, 5)}
    fits = level >= 8 or rng.random() < 0.6
    answers["regimen"] = {
        "frequency": 1 if fits else rng.choice([0, 2]),
        "format": 1 if fits or rng.random() < 0.5 else 0,
        "plan_understood": 2 if level >= 7.5 else rng.choice([1, 2]),
        "plan_agreed": 2 if level >= 8 else rng.choice([0, 1, 2]),
    }
    answers["reliability"] = {
        "on_time": 0 if course.clinician_unreliable and rng.random() < 0.4 else 1,
        "present": clip(rng.gauss(level + 0.3, 0.7)),
        "safe_to_say": clip(rng.gauss(level - 0.2, 1.0)),
    }
    answers.update(_measures(rng, course, number, keys))
    note = rng.choice(NOTES[language]) if rng.random() < 0.25 else ""
    answers["closing"] = {"note": note} if note else {}
    return answers


def _relationship(rng: random.Random, level: float, course: Course, number: int, language: str) -> dict:
    ruptured = course.rupture_at == number
    dip = 3.5 if ruptured else 0.0
    items: dict[str, int | str] = {k: clip(rng.gauss(level - dip, 0.4)) for k in RELATIONSHIP_ITEMS}
    items["belief"] = clip(rng.gauss(level - dip / 2, 0.5))
    if ruptured:
        items["misunderstood"] = 1
        items["misunderstood_words"] = rng.choice(RUPTURE_WORDS[language])
    else:
        items["misunderstood"] = 1 if rng.random() < 0.03 else 0
    return items


def _measures(rng: random.Random, course: Course, number: int, keys: set[str]) -> dict[str, dict]:
    """PHQ-9 and GAD-7, when the session asks them, following the course's severity."""
    answers: dict[str, dict] = {}
    severity = course.phq9_start + course.phq9_slope * (number - 1)
    if "phq9" in keys:
        items = [clip(rng.gauss(severity / 9, 0.6), 0, 3) for _ in range(9)]
        items[8] = 1 if severity >= 17 and rng.random() < 0.25 else 0  # thoughts of self-harm: rare
        answers["phq9"] = {f"item{i + 1}": v for i, v in enumerate(items)}
    if "gad7" in keys:
        answers["gad7"] = {f"item{i + 1}": clip(rng.gauss(severity * 0.8 / 9, 0.6), 0, 3) for i in range(7)}
    return answers


def clinician_rating_answers(rng: random.Random, level: float) -> dict:
    """Clinicians rate the alliance a little higher than clients do."""
    answers = {k: clip(rng.gauss(level + 0.5, 0.4)) for k in RELATIONSHIP_ITEMS}
    answers["belief"] = clip(rng.gauss(level + 0.4, 0.5))
    return answers


# Dropout beyond the course's own, after each of the first sessions (docs/risk.md, "The cohort"):
# a per-session hazard on the odds scale. Sayer et al. (2024): each extra 3 days between sessions cut
# the odds of improvement by about a fifth — taken here as odds of leaving × 1.25 per extra 3 days.
# A session the clinician cancelled, rescheduled or started late: odds × 3 — an Attune assumption
# (therapists' dropout rates differ widely, 1.2%–73.2%, Saxon et al. 2017; no trial gives the odds
# for a single cancellation). A clinic should rerun bench/cohort.py on its own history instead.
LEAVE_BASE_ODDS = 0.02 / 0.98  # 2% per early session for a client whose course has no dropout of its own
LEAVE_ODDS_PER_3_DAYS = 1.25
LEAVE_ODDS_CLINICIAN_TROUBLE = 3.0
LEAVE_UP_TO_SESSION = 4


def leaves_early(rng: random.Random, course: Course, number: int, *, gap_days: int, trouble: bool) -> bool:
    """Whether a client stops coming after session `number` for reasons other than the alliance."""
    if course.dropout_after is not None or number > LEAVE_UP_TO_SESSION:
        return False
    odds = LEAVE_BASE_ODDS * LEAVE_ODDS_PER_3_DAYS ** (max(gap_days - 7, 0) / 3)
    if trouble:
        odds *= LEAVE_ODDS_CLINICIAN_TROUBLE
    return rng.random() < odds / (1 + odds)
