"""The rows of the bulk seeder (demo.bulk), as lines of PostgreSQL's COPY text format.

The draws follow demo.batch: one episode per client, a course of care (demo.courses), weekly sessions
with the demo's attendance and early leaving, a check-in for each attended session and, on about one
episode in five, a maintenance phase of three- to five-weekly sessions that runs past a year (so the
12-month outcome windows have scores in them). Episodes open over the past three years."""

import datetime as dt
import json
import random
from collections import defaultdict
from dataclasses import dataclass

from care.models import Clinic, Program
from clinicians.models import Clinician
from demo.batch import CLINICIAN_TROUBLE, SESSION_HOURS, SESSION_MINUTES, Builder, _attendance
from demo.courses import Course, alliance_level, checkin_answers, leaves_early, pick_course
from demo.people import FAMILY, GIVEN, PAYERS, SPANISH_GIVEN
from instruments.library import instruments_for_session
from instruments.schemas import Instrument
from instruments.scoring import score_answers

HISTORY_DAYS = 3 * 365
NULL = "\\N"
ATTENDED = frozenset({"attended", "late_start"})
RELATIONSHIP_LINE = 36.0  # the default relationship cutoff (alliance.client_page.total_cutoff)

TABLES: dict[str, tuple[str, ...]] = {
    "care_client": (
        "id", "clinic_id", "reference", "external_id", "given_name", "family_name", "email", "phone",
        "preferred_language", "date_of_birth", "created_at",
    ),
    "care_episode": (
        "id", "client_id", "clinician_id", "program_id", "payer", "external_id", "referred_on", "intake_on",
        "opened_on", "closed_on", "end_reason", "evaluation_due_at", "evaluated_at",
    ),
    "care_session": (
        "id", "episode_id", "number", "scheduled_start", "scheduled_end", "attendance", "late_minutes",
        "next_session_booked", "external_id", "attendance_recorded_at",
    ),
    "care_checkin": (
        "id", "session_id", "status", "sent_at", "opened_at", "submitted_at", "language",
        "instrument_versions", "instrument_hashes", "answers", "evaluated_at",
    ),
    "care_score": ("id", "checkin_id", "instrument", "version", "scale", "value", "minimum", "maximum", "band"),
    "regimen_planrevision": (
        "id", "episode_id", "number", "diagnosis_code", "diagnosis_label", "modality", "frequency",
        "container", "note", "revised_at", "revised_by_id",
    ),
    "risk_flag": (
        "id", "episode_id", "session_id", "rule", "rule_version", "pillar", "level", "status", "reasons",
        "findings", "new_findings", "suggested_action", "opened_at", "updated_at", "repair_note",
        "repair_recorded_at", "repair_recorded_by_id", "resolved_at", "resolved_by_id", "resolution",
    ),
}  # fmt: skip

# (weight, code, label): depression (F32/F33/F34.1) most often, and the exclusions the outcome
# measures name (bipolar F31, personality F60, psychotic F20) now and then.
DIAGNOSES = [
    (22, "F33.1", "Major depressive disorder, recurrent, moderate"),
    (12, "F32.1", "Major depressive disorder, single episode, moderate"),
    (6, "F32.0", "Major depressive disorder, single episode, mild"),
    (5, "F33.2", "Major depressive disorder, recurrent severe without psychotic features"),
    (4, "F34.1", "Dysthymic disorder"),
    (18, "F41.1", "Generalized anxiety disorder"),
    (10, "F43.10", "Post-traumatic stress disorder, unspecified"),
    (10, "F43.23", "Adjustment disorder with mixed anxiety and depressed mood"),
    (3, "F31.81", "Bipolar II disorder"),
    (2, "F60.3", "Borderline personality disorder"),
    (1, "F20.9", "Schizophrenia, unspecified"),
]
COUPLES = (2, "Z63.0", "Problems in relationship with spouse or partner")
MODALITIES = ["cbt", "act", "ipt", "dbt", "emdr", "psychodynamic"]
SUGGESTION = (
    "Open the next session by asking what felt off last time, and what would make the sessions more "
    "useful for them."
)


def copy_text(value: str) -> str:
    """A text value escaped for COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def when(value: dt.date | dt.datetime | None) -> str:
    return NULL if value is None else value.isoformat()


@dataclass(frozen=True)
class Variant:
    """One drawn check-in: its answers and instrument versions (COPY text) and its score lines' tails."""

    answers: str
    versions: str
    scores: tuple[str, ...]
    relationship: float | None


class AnswerPool:
    """Answers drawn by demo.courses and scored by instruments.scoring, a few per (course, session,
    alliance level to half a point, language): a million check-ins without a million scorings."""

    VARIANTS = 3

    def __init__(self, rng: random.Random, clinic: Clinic):
        self.rng = rng
        self.clinic = clinic
        self._variants: dict[tuple, list[Variant]] = defaultdict(list)
        self._instruments: dict[int, list[Instrument]] = {}

    def instruments(self, number: int) -> list[Instrument]:
        if number not in self._instruments:
            self._instruments[number] = instruments_for_session(clinic=self.clinic, session_number=number)
        return self._instruments[number]

    def get(self, course: Course, number: int, level: float, language: str, pick: int) -> Variant:
        bucket = round(level * 2) / 2
        variants = self._variants[(course.name, number, bucket, language)]
        while len(variants) <= pick:
            variants.append(self._draw(course, number, bucket, language))
        return variants[pick]

    def _draw(self, course: Course, number: int, level: float, language: str) -> Variant:
        chosen = self.instruments(number)
        keys = {i.key for i in chosen}
        drawn = checkin_answers(self.rng, course, number, level, keys, language=language)
        answers = {k: v for k, v in drawn.items() if k in keys}
        scores = score_answers(chosen, answers)
        tails = tuple(
            "\t".join([s.instrument, s.version, s.scale, repr(s.value), repr(s.minimum), repr(s.maximum)])
            + f"\t{copy_text(s.band)}\n"
            for s in scores
        )
        total = next((s.value for s in scores if (s.instrument, s.scale) == ("relationship", "total")), None)
        return Variant(
            answers=copy_text(json.dumps(answers, ensure_ascii=False)),
            versions=copy_text(json.dumps({i.key: i.version for i in chosen})),
            scores=tails,
            relationship=total,
        )


class Ids:
    """Primary keys handed out in the client, reserved from each table's maximum (the tables are locked
    by the load's ALTER TABLE) and given back to the identity sequences at the end."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def reserve(self, cursor) -> None:
        for table in TABLES:
            cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608 — our own table names
            self.next[table] = cursor.fetchone()[0]

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value

    def release(self, cursor) -> None:
        for table, value in self.next.items():
            if value > 1:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [value - 1])


class Generator(Builder):
    """Draws episodes and keeps their rows, per table, until the writer takes them."""

    def __init__(
        self,
        rng: random.Random,
        clinic: Clinic,
        now: dt.datetime,
        clinicians: list[Clinician],
        programs: list[Program],
    ):
        super().__init__(rng, clinic, now, clinicians, programs)  # the clock, the time zone, the rota
        self.program_ids = [p.pk for p in programs]
        self.pool = AnswerPool(random.Random(rng.random()), clinic)
        self.ids = Ids()
        self.rows: dict[str, list[str]] = {table: [] for table in TABLES}
        self.counts: dict[str, int] = defaultdict(int)
        self._diagnoses = [d[1:] for d in DIAGNOSES]
        self._diagnosis_weights = [d[0] for d in DIAGNOSES]

    def take(self, table: str) -> list[str]:
        rows, self.rows[table] = self.rows[table], []
        return rows

    def episodes(self, count: int, *, until_submitted: int) -> None:
        for _ in range(count):
            if self.counts["submitted"] >= until_submitted:
                return
            self._episode()

    def _episode(self) -> None:
        rng, n = self.rng, self.counts["clients"] + 1
        course = pick_course(rng)
        language = "es" if rng.random() < 0.22 else "en"
        opened = self.today - dt.timedelta(days=rng.randrange(0, HISTORY_DAYS))
        intake = opened - dt.timedelta(days=rng.randrange(0, 8))
        referred = intake - dt.timedelta(days=rng.randrange(7, 43))
        client_id = self._client(n, language, created=self.at(referred, 9))
        episode_id = self.ids.take("care_episode")
        clinician = self.rota[n % len(self.rota)]
        program = rng.randrange(len(self.program_ids))
        maintenance = course.dropout_after is None and rng.random() < 0.2
        attended, ending = self._sessions(episode_id, course, opened, maintenance)
        closed, reason = (NULL, "") if ending is None else (max(ending[0], opened).isoformat(), ending[1])
        if reason == "mutual":
            roll = rng.random()
            reason = (
                "transferred"
                if roll < 0.03
                else "died"
                if roll < 0.035
                else "hospice"
                if roll < 0.04
                else reason
            )
        self.rows["care_episode"].append(
            f"{episode_id}\t{client_id}\t{clinician.pk}\t{self.program_ids[program]}\t{rng.choice(PAYERS)}\t\t"
            f"{referred}\t{intake}\t{opened}\t{closed}\t{reason}\t{NULL}\t{when(self.now)}\n"
        )
        self.counts["episodes"] += 1
        flagged = self._checkins(episode_id, course, attended, language)
        self._plans(episode_id, program, opened, clinician.user_id)
        if flagged:
            self._flag(
                episode_id,
                *flagged,
                closed=ending[0] if ending else None,
                course=course,
                user_id=clinician.user_id,
            )

    def _client(self, n: int, language: str, *, created: dt.datetime) -> int:
        rng = self.rng
        client_id = self.ids.take("care_client")
        given = rng.choice(SPANISH_GIVEN if language == "es" else GIVEN)
        # One in twenty is an adolescent (12–17), so the measures' age strata both have clients.
        if rng.random() < 0.05:
            born = self.today - dt.timedelta(days=rng.randrange(13 * 365, 18 * 365))
        else:
            born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
        self.rows["care_client"].append(
            f"{client_id}\t{self.clinic.pk}\tRB-{n:07d}\t\t{given}\t{rng.choice(FAMILY)}\tclient{n}@example.org\t"
            f"+1555{n:07d}\t{language}\t{born}\t{when(created)}\n"
        )
        self.counts["clients"] += 1
        return client_id

    def _sessions(
        self, episode_id: int, course: Course, opened: dt.date, maintenance: bool
    ) -> tuple[list[tuple[int, int, dt.datetime]], tuple[dt.date, str] | None]:
        """demo.batch._schedule, as COPY lines: the attended sessions (id, number, end) and the ending."""
        rng, rows = self.rng, self.rows["care_session"]
        low, high = course.length
        length = rng.randint(low, high + (10 if maintenance else 0))
        hour = rng.choice(SESSION_HOURS)
        day, last_attended, quit_after = opened, None, None
        attended: list[tuple[int, int, dt.datetime]] = []
        for number in range(1, length + 1):
            start = self.at(day, hour)
            end = start + dt.timedelta(minutes=SESSION_MINUTES)
            session_id = self.ids.take("care_session")
            self.counts["sessions"] += 1
            if start > self.now:
                rows.append(
                    f"{session_id}\t{episode_id}\t{number}\t{when(start)}\t{when(end)}\tscheduled\t0\tf\t\t{NULL}\n"
                )
                return attended, None
            stopped = quit_after is not None or (
                course.dropout_after is not None and number > course.dropout_after
            )
            attendance, late = _attendance(rng, course, number, stopped=stopped)
            booked = "t" if not stopped and number < length else "f"
            recorded = when(start + dt.timedelta(minutes=55))
            rows.append(
                f"{session_id}\t{episode_id}\t{number}\t{when(start)}\t{when(end)}\t{attendance}\t{late}\t{booked}\t\t{recorded}\n"
            )
            if attendance in ATTENDED:
                attended.append((session_id, number, end))
                last_attended = day
            if stopped:
                return attended, (day, "client_stopped")
            gap = 7 if course.name != "unreliable_care" else rng.choice([7, 7, 14, 21])
            if maintenance and number >= 8:
                gap = rng.choice([21, 28, 28, 35])
            if quit_after is None and leaves_early(
                rng, course, number, gap_days=gap, trouble=attendance in CLINICIAN_TROUBLE
            ):
                quit_after = number
            day += dt.timedelta(days=gap + rng.choice([0, 0, 0, 1, -1]))
        return attended, (last_attended, "mutual") if last_attended else None

    def _checkins(
        self, episode_id: int, course: Course, attended: list[tuple[int, int, dt.datetime]], language: str
    ) -> tuple[int, int, dt.datetime, float] | None:
        """A check-in per attended session; returns the first early one below the relationship line
        (session id, number, submitted at, total), which the risk engine would have flagged."""
        rng, now = self.rng, self.now
        checkins, scores = self.rows["care_checkin"], self.rows["care_score"]
        base = course.start + rng.gauss(0, 0.3)
        ttl = dt.timedelta(hours=self.clinic.checkin_link_ttl_hours)
        flagged = None
        for session_id, number, sent in attended:
            level = alliance_level(base, course, number)
            checkin_id = self.ids.take("care_checkin")
            self.counts["checkins"] += 1
            answered = rng.random() < (0.92 if level >= 8 else 0.7) and sent < now - dt.timedelta(hours=2)
            if not answered:
                status = "expired" if sent < now - ttl else "sent"
                versions = json.dumps({i.key: i.version for i in self.pool.instruments(number)})
                checkins.append(
                    f"{checkin_id}\t{session_id}\t{status}\t{when(sent)}\t{NULL}\t{NULL}\t{language}\t{versions}\t{{}}\t{{}}\t{NULL}\n"
                )
                continue
            variant = self.pool.get(course, number, level, language, rng.randrange(AnswerPool.VARIANTS))
            submitted = min(sent + dt.timedelta(minutes=rng.randrange(5, 600)), now)
            opened = when(submitted - dt.timedelta(minutes=2))
            checkins.append(
                f"{checkin_id}\t{session_id}\tsubmitted\t{when(sent)}\t{opened}\t{when(submitted)}\t{language}\t"
                f"{variant.versions}\t{{}}\t{variant.answers}\t{when(submitted + dt.timedelta(minutes=1))}\n"
            )
            self.counts["submitted"] += 1
            for tail in variant.scores:
                scores.append(f"{self.ids.take('care_score')}\t{checkin_id}\t{tail}")
            self.counts["scores"] += len(variant.scores)
            total = variant.relationship
            if flagged is None and number <= 3 and total is not None and total < RELATIONSHIP_LINE:
                flagged = (session_id, number, submitted, total)
        return flagged

    def _plans(self, episode_id: int, program: int, opened: dt.date, user_id: int) -> None:
        """The plan agreed at intake; one in ten is revised two months in, a few with a new diagnosis."""
        rng = self.rng
        if program == COUPLES[0]:
            code, label = COUPLES[1:]
        else:
            code, label = rng.choices(self._diagnoses, weights=self._diagnosis_weights)[0]
        container = "couple" if program == COUPLES[0] else "individual"
        modality = "couples" if program == COUPLES[0] else rng.choice(MODALITIES)
        revised = self.at(opened, 18)
        rows = self.rows["regimen_planrevision"]
        rows.append(
            f"{self.ids.take('regimen_planrevision')}\t{episode_id}\t1\t{code}\t{label}\t{modality}\tweekly\t"
            f"{container}\tInitial plan agreed at intake.\t{when(revised)}\t{user_id}\n"
        )
        self.counts["plans"] += 1
        later = revised + dt.timedelta(days=60)
        if rng.random() < 0.1 and later < self.now:
            if rng.random() < 0.25:
                code, label = "F31.81", "Bipolar II disorder"
            rows.append(
                f"{self.ids.take('regimen_planrevision')}\t{episode_id}\t2\t{code}\t{label}\t{modality}\t"
                f"fortnightly\t{container}\tReviewed at two months.\t{when(later)}\t{user_id}\n"
            )
            self.counts["plans"] += 1

    def _flag(
        self,
        episode_id: int,
        session_id: int,
        number: int,
        submitted: dt.datetime,
        total: float,
        *,
        closed: dt.date | None,
        course: Course,
        user_id: int,
    ) -> None:
        """The relationship flag the engine raises on a low early total: resolved once the episode has
        closed, with a recorded repair on the repaired ruptures."""
        level = "red" if total < 30 else "amber"
        reason = {
            "text": f"After session {number} the client's relationship total was {total:g} of 40 "
            f"(below {RELATIONSHIP_LINE:g}, 90% of the maximum).",
            "evidence": {"value": total, "answer": "relationship.total", "maximum": 40.0,
                         "session": number, "threshold": RELATIONSHIP_LINE},
        }  # fmt: skip
        finding = {"rule": "relationship.low_total", "version": "2", "level": level, "session_id": session_id,
                   "reasons": [reason], "informational": False, "suggested_action": SUGGESTION}  # fmt: skip
        opened = submitted + dt.timedelta(minutes=1)
        repaired = opened + dt.timedelta(days=6)
        repair = course.name == "rupture_repaired" and repaired < self.now
        status, resolved, resolution = ("repair_recorded" if repair else "open"), NULL, ""
        if closed is not None:
            status, resolved, resolution = "resolved", when(self.at(closed, 18)), "The episode closed."
        updated = resolved if closed is not None else when(repaired if repair else opened)
        note = "Asked what felt off last time; agreed to check in on pace at the start of each session."
        self.rows["risk_flag"].append(
            f"{self.ids.take('risk_flag')}\t{episode_id}\t{session_id}\trelationship.low_total\t2\trelationship\t"
            f"{level}\t{status}\t{copy_text(json.dumps([reason]))}\t{copy_text(json.dumps([finding]))}\t[]\t"
            f"{SUGGESTION}\t{when(opened)}\t{updated}\t{note if repair else ''}\t"
            f"{when(repaired) if repair else NULL}\t{user_id if repair else NULL}\t{resolved}\t"
            f"{user_id if closed is not None else NULL}\t{resolution}\n"
        )
        self.counts["flags"] += 1
