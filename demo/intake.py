"""What the clinician records when an episode opens: the treatment plan, a goal and readiness."""

import datetime as dt
import random

from care.models import Episode
from demo.courses import Course, clip
from readiness.models import Goal, IntakeReadiness
from regimen.models import PlanRevision

DIAGNOSES = [
    ("F33.1", "Major depressive disorder, recurrent, moderate"),
    ("F41.1", "Generalized anxiety disorder"),
    ("F43.10", "Post-traumatic stress disorder, unspecified"),
    ("F32.0", "Major depressive disorder, single episode, mild"),
    ("F43.23", "Adjustment disorder with mixed anxiety and depressed mood"),
    ("Z63.0", "Problems in relationship with spouse or partner"),
]
COUPLES_PROGRAM = 2  # index in demo.people.PROGRAMS: a couple's relationship, not one person's diagnosis
MODALITIES = {0: ["cbt", "act", "ipt", "dbt"], 1: ["emdr", "cbt"], COUPLES_PROGRAM: ["couples", "family"]}
# A goal in the client's words and language; parallel lists, so the language moves no other draw.
GOALS = {
    "en": [
        "Get back to work without panicking on the train.",
        "Sleep through the night most nights.",
        "Stop shouting at the kids when I'm stressed.",
        "Feel like myself again.",
        "Talk to my partner without it turning into a fight.",
        "Enjoy the things I used to like again.",
    ],
    "es": [
        "Volver al trabajo sin tener ataques de pánico en el tren.",
        "Dormir toda la noche casi todas las noches.",
        "Dejar de gritarles a mis hijos cuando estoy estresado/a.",
        "Volver a sentirme yo mismo/a.",
        "Hablar con mi pareja sin que termine en pelea.",
        "Volver a disfrutar de las cosas que me gustaban.",
    ],
}


def plan_revisions(
    rng: random.Random, episode: Episode, course: Course, program_index: int, revised_at: dt.datetime
) -> list[PlanRevision]:
    """The plan agreed at intake; half the troubled courses move to fortnightly three weeks later."""
    if program_index == COUPLES_PROGRAM:
        code, label = DIAGNOSES[5]
    else:
        code, label = DIAGNOSES[rng.randrange(len(DIAGNOSES))]
    container = "couple" if program_index == COUPLES_PROGRAM else "individual"
    first = PlanRevision(
        episode=episode,
        number=1,
        diagnosis_code=code,
        diagnosis_label=label,
        modality=rng.choice(MODALITIES[program_index]),
        frequency="weekly",
        container=container,
        note="Initial plan agreed at intake.",
        revised_at=revised_at,
        revised_by_id=episode.clinician.user_id,
    )
    if not (course.clinician_unreliable and rng.random() < 0.5):
        return [first]
    second = PlanRevision(
        episode=episode,
        number=2,
        diagnosis_code=code,
        diagnosis_label=label,
        modality=first.modality,
        frequency="fortnightly",
        container=container,
        note="Moved to fortnightly while the clinician's schedule is reduced.",
        revised_at=revised_at + dt.timedelta(days=21),
        revised_by_id=episode.clinician.user_id,
    )
    return [first, second]


def goal(rng: random.Random, episode: Episode, course: Course) -> Goal:
    """A goal in the client's words; the low-dropout course's goal is seldom the client's own."""
    text = rng.choice(GOALS[episode.client.preferred_language])
    return Goal(
        episode=episode,
        text=text,
        endorsed_by_client=course.name not in {"low_dropout"} or rng.random() < 0.3,
        set_on=episode.opened_on,
        recorded_by_id=episode.clinician.user_id,
    )


def intake_readiness(rng: random.Random, episode: Episode, course: Course) -> IntakeReadiness:
    level = course.start + rng.gauss(0, 1)
    return IntakeReadiness(
        episode=episode,
        importance=clip(level + 1),
        confidence=clip(level - 1),
        stage=clip(2 + rng.random() * 2, 1, 5),
        recorded_on=episode.opened_on,
    )
