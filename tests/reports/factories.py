"""Hand-built courses of care for the report tests: an episode with attended sessions on given days,
each with a submitted check-in carrying the given scores, and its treatment plan."""

import datetime as dt
from collections import defaultdict

from care.models import CheckIn, Episode, Score, Session
from clinicians.models import Clinician
from instruments.library import content_hash, get_instrument
from reports import facts
from tests.care.factories import ClientFactory, ClinicFactory, EpisodeFactory, ProgramFactory, UserFactory
from tests.clinicians.factories import ClinicianFactory
from tests.regimen.factories import PlanRevisionFactory

MAXIMUM = {"phq9": 27.0, "gad7": 21.0, "relationship": 40.0}


def at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(16, 0), tzinfo=dt.UTC)  # mid-morning in New York


def course(
    clinician: Clinician,
    *,
    opened: dt.date,
    phq9: list[tuple[dt.date, float]] = (),
    gad7: list[tuple[dt.date, float]] = (),
    relationship: list[tuple[dt.date, float]] = (),
    attended: list[dt.date] = (),
    diagnosis: str = "F33.1",
    born: dt.date = dt.date(1990, 1, 1),
    closed: dt.date | None = None,
    end_reason: str = "",
    payer: str = "Medicaid",
    referred: dt.date | None = None,
    program=None,
) -> Episode:
    """An episode of `clinician`'s; every day named in a score list or `attended` is an attended session
    (its check-in submitted when it carries a score)."""
    episode = EpisodeFactory(
        clinician=clinician,
        client=ClientFactory(clinic=clinician.clinic, date_of_birth=born),
        program=program or ProgramFactory(clinic=clinician.clinic),
        opened_on=opened,
        closed_on=closed,
        end_reason=end_reason if closed else "",
        payer=payer,
        referred_on=referred,
    )
    if diagnosis:
        PlanRevisionFactory(episode=episode, diagnosis_code=diagnosis)
    scores: dict[dt.date, dict[str, float]] = defaultdict(dict)
    for instrument, series in (("phq9", phq9), ("gad7", gad7), ("relationship", relationship)):
        for day, value in series:
            scores[day][instrument] = value
    for day in attended:
        scores.setdefault(day, {})
    for number, day in enumerate(sorted(scores), start=1):
        session = Session.objects.create(
            episode=episode,
            number=number,
            scheduled_start=at_noon(day),
            scheduled_end=at_noon(day) + dt.timedelta(minutes=50),
            attendance=Session.Attendance.ATTENDED,
        )
        if not scores[day]:
            continue
        checkin = CheckIn.objects.create(
            session=session, status="submitted", sent_at=at_noon(day), submitted_at=at_noon(day)
        )
        for instrument, value in scores[day].items():
            Score.objects.create(
                checkin=checkin,
                instrument=instrument,
                version="1",
                scale="total",
                value=value,
                minimum=0,
                maximum=MAXIMUM[instrument],
            )
    return episode


# --- Exports: check-ins with real answers (FHIR needs them), scores and an optional free-text note. ---


def answered_checkin(session: Session, *, phq9: int, gad7: int, note: str = "") -> CheckIn:
    """A submitted check-in on `session` answering PHQ-9 (v1) and GAD-7 (v2) so that their totals are
    `phq9` and `gad7` (items filled from the first), with the stored Score rows, and the closing
    question's free text when `note` is given."""

    def items(total: int, count: int) -> dict[str, int]:
        answers = {}
        for n in range(1, count + 1):
            answers[f"item{n}"] = min(3, total)
            total -= answers[f"item{n}"]
        return answers | {"difficulty": 0}

    versions, answers = {"phq9": "1", "gad7": "2"}, {"phq9": items(phq9, 9), "gad7": items(gad7, 7)}
    if note:
        versions["closing"], answers["closing"] = "1", {"note": note}
    hashes = {key: content_hash(get_instrument(key, version)) for key, version in versions.items()}
    checkin = CheckIn.objects.create(
        session=session,
        status=CheckIn.Status.SUBMITTED,
        sent_at=session.scheduled_end,
        submitted_at=session.scheduled_end,
        instrument_versions=versions,
        instrument_hashes=hashes,
        answers=answers,
    )
    for instrument, value in (("phq9", phq9), ("gad7", gad7)):
        Score.objects.create(
            checkin=checkin,
            instrument=instrument,
            version=versions[instrument],
            scale="total",
            value=value,
            minimum=0,
            maximum=MAXIMUM[instrument],
        )
    return checkin


EXPORT_SESSION_DAYS = (dt.date(2026, 2, 10), dt.date(2026, 3, 17), dt.date(2026, 5, 19), dt.date(2026, 7, 14))
EXPORT_OPENED = dt.date(2026, 1, 13)


def export_clinic(
    clients: int = 14, *, program_name: str = "Outpatient", payer: str = "Aetna", admin: str = "exports-admin"
) -> dict:
    """A clinic whose clients carry known names, emails, phones, record numbers and birth dates, each
    with one episode of four attended sessions (PHQ-9 15 → 4, GAD-7 12 → 3) on EXPORT_SESSION_DAYS, the
    first check-in's free text naming the client; the report tables filled. Returns what a
    de-identification scan looks for."""
    clinic = ClinicFactory(name="Riverside Exports")
    admin_user = UserFactory(clinic=clinic, role="admin", username=admin, email=f"{admin}@riverside.example")
    clinician = ClinicianFactory(user__clinic=clinic)
    program = ProgramFactory(clinic=clinic, name=program_name)
    secrets: list[str] = []
    for i in range(clients):
        client = ClientFactory(
            clinic=clinic,
            given_name=f"Ysolde{i:02d}",
            family_name=f"Marchbanks{i:02d}",
            email=f"ysolde.m{i:02d}@mail.example",
            phone=f"+1 617 555 {7100 + i}",
            reference=f"MRN-77{i:04d}",
            date_of_birth=dt.date(1980 + i, 4, 23),
        )
        episode = EpisodeFactory(
            clinician=clinician, client=client, program=program, opened_on=EXPORT_OPENED, payer=payer
        )
        PlanRevisionFactory(episode=episode, diagnosis_code="F33.1")
        scores = [(15, 12), (12, 9), (8, 6), (4, 3)]
        for number, (day, (phq9, gad7)) in enumerate(zip(EXPORT_SESSION_DAYS, scores, strict=True), start=1):
            session = Session.objects.create(
                episode=episode,
                number=number,
                scheduled_start=at_noon(day),
                scheduled_end=at_noon(day) + dt.timedelta(minutes=50),
                attendance=Session.Attendance.ATTENDED,
            )
            note = (
                f"{client.given_name} {client.family_name} here, call {client.phone}" if number == 1 else ""
            )
            answered_checkin(session, phq9=phq9, gad7=gad7, note=note)
        secrets += [
            client.given_name,
            client.family_name,
            client.email,
            client.phone,
            client.phone.replace(" ", ""),
            client.reference,
            client.date_of_birth.isoformat(),
            client.date_of_birth.strftime("%m/%d/%Y"),
        ]
    days = [*EXPORT_SESSION_DAYS, EXPORT_OPENED]
    secrets += [d.isoformat() for d in days] + [d.strftime("%m/%d/%Y") for d in days]
    facts.refresh(clinic, today=dt.date(2026, 12, 2))
    return {
        "clinic": clinic,
        "admin": admin_user,
        "clinician": clinician,
        "program": program,
        "secrets": secrets,
    }
