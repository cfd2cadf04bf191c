"""Schedule import for clinics without an EHR: a CSV of appointments, checked row by row (errors name the
line), previewed as a dry run, then committed in one transaction. Each committed row is remembered by a
hash of its content, so importing the same file again changes nothing."""

import csv
import datetime as dt
import hashlib
import io
import zoneinfo
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ImportedAppointment
from care.audit import audit_record
from care.models import AuditEvent, Client, Clinic, Episode, Program, Session, User
from clinicians.models import Clinician

COLUMNS = ["client_id", "given_name", "family_name", "email", "clinician", "program", "start", "end"]
TEMPLATE = (
    ",".join(COLUMNS)
    + "\nMRN-1042,Ana,Ruiz,ana@example.org,clinician1,Adult outpatient,2026-12-07 10:00,2026-12-07 10:50\n"
)
MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass
class Row:
    line: int
    client_id: str
    given_name: str
    family_name: str
    email: str
    clinician: Clinician
    program: Program
    start: dt.datetime
    end: dt.datetime
    digest: str
    status: str = "new"  # new | already imported


@dataclass
class Plan:
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, column, message)

    @property
    def new_rows(self) -> list[Row]:
        return [r for r in self.rows if r.status == "new"]


def _decode(content: bytes) -> str | None:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def plan(*, clinic: Clinic, content: bytes) -> Plan:
    """Check every row; nothing is written."""
    result = Plan()
    text = _decode(content[: MAX_BYTES + 1])
    if text is None or len(content) > MAX_BYTES:
        result.errors.append((1, "", _("Upload a UTF-8 CSV file of at most 1 MB.")))
        return result
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        result.errors.append((1, "", _("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)}))
        return result
    clinicians = {c.user.username: c for c in Clinician.objects.filter(clinic=clinic).select_related("user")}
    programs = {p.name: p for p in Program.objects.filter(clinic=clinic)}
    zone = zoneinfo.ZoneInfo(clinic.time_zone)
    try:
        for index, raw in enumerate(reader):
            if index >= MAX_ROWS:
                result.errors.append((index + 2, "", _("At most %(n)d rows per file.") % {"n": MAX_ROWS}))
                break
            _check_row(result, clinic, index + 2, raw, clinicians, programs, zone)
    except csv.Error as broken:
        result.errors.append(
            (reader.line_num, "", _("This is not a readable CSV file (%(e)s).") % {"e": broken})
        )
    seen = set(
        ImportedAppointment.objects.filter(
            clinic=clinic, row_hash__in=[r.digest for r in result.rows]
        ).values_list("row_hash", flat=True)
    )
    for row in result.rows:
        if row.digest in seen:
            row.status = "already imported"
    return result


def _check_row(
    result: Plan, clinic: Clinic, line: int, raw: dict, clinicians: dict, programs: dict, zone
) -> None:
    values = {c: (raw.get(c) or "").strip() for c in COLUMNS}
    errors: list[tuple[int, str, str]] = []
    if not values["client_id"] or len(values["client_id"]) > 64:
        errors.append((line, "client_id", _("Give the client's id (at most 64 characters).")))
    for name in ("given_name", "family_name"):
        if not values[name] or len(values[name]) > 100:
            errors.append((line, name, _("Give a name of at most 100 characters.")))
    if values["email"] and ("@" not in values["email"] or len(values["email"]) > 254):
        errors.append((line, "email", _("This is not an email address.")))
    clinician = clinicians.get(values["clinician"])
    if clinician is None:
        errors.append((line, "clinician", _("No clinician with this username in your clinic.")))
    program = programs.get(values["program"])
    if program is None:
        errors.append((line, "program", _("No program with this name in your clinic.")))
    times = {}
    for name in ("start", "end"):
        try:
            times[name] = dt.datetime.strptime(values[name], TIME_FORMAT).replace(tzinfo=zone)
        except ValueError:
            errors.append((line, name, _("Write the time as YYYY-MM-DD HH:MM (clinic time).")))
    if len(times) == 2:
        now = timezone.now()
        if not times["start"] < times["end"] <= times["start"] + dt.timedelta(hours=12):
            errors.append((line, "end", _("The end comes after the start, within 12 hours.")))
        elif not now - dt.timedelta(days=3660) <= times["start"] <= now + dt.timedelta(days=731):
            errors.append((line, "start", _("Give a time within ten years back and two years ahead.")))
    if any(ord(ch) < 32 for v in values.values() for ch in v):
        errors.append((line, "", _("This row has control characters.")))
    if errors:
        result.errors.extend(errors)
        return
    canonical = "\x1f".join(values[c] for c in COLUMNS)
    digest = hashlib.sha256(f"{clinic.pk}\x1e{canonical}".encode()).hexdigest()
    if any(r.digest == digest for r in result.rows):
        result.errors.append((line, "", _("This row repeats an earlier row of the file.")))
        return
    assert clinician is not None and program is not None
    result.rows.append(
        Row(
            line,
            values["client_id"],
            values["given_name"],
            values["family_name"],
            values["email"],
            clinician,
            program,
            times["start"],
            times["end"],
            digest,
        )
    )


@transaction.atomic
def commit(*, actor: User, clinic: Clinic, content: bytes) -> tuple[Plan, int]:
    """Plan again (the file may have changed since the preview) and, when no row has an error, write
    every new row; rows imported before are left alone. Returns (plan, appointments created)."""
    result = plan(clinic=clinic, content=content)
    if result.errors:
        return result, 0
    created = 0
    for row in result.new_rows:
        client, _made = Client.objects.get_or_create(
            clinic=clinic,
            external_id=row.client_id,
            defaults={
                "given_name": row.given_name,
                "family_name": row.family_name,
                "email": row.email,
                "reference": f"X-{row.digest[:8].upper()}",
            },
        )
        episode = Episode.objects.filter(
            client=client, clinician=row.clinician, closed_on__isnull=True
        ).order_by("id").first() or Episode.objects.create(
            client=client, clinician=row.clinician, program=row.program, opened_on=row.start.date()
        )
        number = (episode.sessions.aggregate(n=Max("number"))["n"] or 0) + 1
        session = Session.objects.create(
            episode=episode, number=number, scheduled_start=row.start, scheduled_end=row.end
        )
        ImportedAppointment.objects.create(clinic=clinic, row_hash=row.digest, session=session)
        created += 1
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=clinic, detail={"schedule_import": created}
    )
    return result, created
