"""The demo clinic's people: staff accounts, clinicians, programs, supervision, and client names."""

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from care.models import Client, Clinic, Program, User
from clinicians.models import Clinician, Supervision

DEMO_PASSWORD = "attune-demo-2026"  # noqa: S105 — the demo clinic only, printed on seeding

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
SPANISH_GIVEN = GIVEN[20:26]
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


def new_client(rng: random.Random, clinic: Clinic, n: int) -> Client:
    """Client number `n` (unsaved); 22% prefer Spanish."""
    spanish = rng.random() < 0.22
    return Client(
        clinic=clinic,
        reference=f"RB-{n:06d}",
        given_name=rng.choice(SPANISH_GIVEN if spanish else GIVEN),
        family_name=rng.choice(FAMILY),
        email=f"client{n}@example.org",
        phone=f"+1555{n:07d}"[:16],
        preferred_language="es" if spanish else "en",
        date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55)),
    )


@transaction.atomic
def seed_staff(clinic: Clinic, clinicians: int, supervisors: int) -> dict:
    """Programs, the admin, supervisors and clinicians with their programs and supervision.

    Returns {"programs", "clinicians" (supervisors first), "users" (usernames by role)}."""
    password = make_password(DEMO_PASSWORD)
    programs = [Program.objects.create(clinic=clinic, name=name) for name in PROGRAMS]
    admin = _create_admin(clinic, password)
    users: dict[str, list[str]] = {"admin": [admin.username], "supervisor": [], "clinician": []}
    staff_users = _create_staff_users(clinic, password, clinicians=clinicians, supervisors=supervisors)
    clinician_rows = _create_clinicians(clinic, staff_users)
    _join_programs(clinician_rows, programs)
    _assign_supervisors(clinician_rows[:supervisors], clinician_rows[supervisors:])
    for user in staff_users:
        users[user.role].append(user.username)
    return {"programs": programs, "clinicians": clinician_rows, "users": users}


def _create_admin(clinic: Clinic, password: str) -> User:
    return User.objects.create(
        username="admin",
        first_name="Alex",
        last_name="Admin",
        email="admin@riverbend.example",
        clinic=clinic,
        role=User.Role.ADMIN,
        password=password,
        is_staff=True,
    )


def _staff_name(i: int) -> tuple[str, str, str]:
    """First name, last name and credentials of staff member `i`; names repeat with a suffix past the list."""
    first, last, cred = STAFF[i % len(STAFF)]
    return first, last if i < len(STAFF) else f"{last}-{i // len(STAFF) + 1}", cred


def _create_staff_users(clinic: Clinic, password: str, *, clinicians: int, supervisors: int) -> list[User]:
    """supervisor1…, then clinician1…; returned in id order (supervisors first)."""
    staff_users = []
    for i in range(supervisors + clinicians):
        role = User.Role.SUPERVISOR if i < supervisors else User.Role.CLINICIAN
        username = f"supervisor{i + 1}" if i < supervisors else f"clinician{i - supervisors + 1}"
        first, last, _cred = _staff_name(i)
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
    return list(User.objects.filter(clinic=clinic).exclude(role=User.Role.ADMIN).order_by("id"))


def _create_clinicians(clinic: Clinic, staff_users: list[User]) -> list[Clinician]:
    # Supervisors carry about half a clinician's caseload.
    return Clinician.objects.bulk_create(
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


def _join_programs(clinician_rows: list[Clinician], programs: list[Program]) -> None:
    """Each clinician works in one program by rota; two in three also in adult outpatient."""
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


def _assign_supervisors(supervisors: list[Clinician], supervisees: list[Clinician]) -> None:
    started = timezone.localdate() - dt.timedelta(days=400)
    Supervision.objects.bulk_create(
        [
            Supervision(supervisor=supervisors[i % len(supervisors)], supervisee=c, started_on=started)
            for i, c in enumerate(supervisees)
        ],
        batch_size=5000,
    )
