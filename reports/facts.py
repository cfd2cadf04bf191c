"""Filling the report tables (reports.models) from the spine: what each episode contributes to each
measure, computed once per change instead of once per report.

`episode_facts` is a pure function of one episode's records, so the measures' edge cases (the ±60-day
window, the 30-day lapse) are tested without a database. `refresh` feeds it in batches, a few queries
per batch, and replaces each batch's rows in one transaction: stop it at any point and run it again."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import connections, router, transaction
from django.db.models import AutoField, F, Model, Q, QuerySet
from django.utils import timezone

from alliance.client_page import total_cutoff
from care.models import Clinic, Episode, Score, Session
from regimen.models import PlanRevision
from reports import diagnoses
from reports.models import EpisodeFact, EpisodeMonth
from risk.models import Flag

# The ± window around 6 and 12 months (NQF 0711/0710, CMS159 since v8; older versions used 30 days).
WINDOW_DAYS = 60
HEDIS_WINDOW = (120, 240)  # days after the index score (HEDIS DRR-E follow-up)
LAPSE_DAYS = 30  # no attended session for this long, and nothing booked: the episode has ended
EARLY_SESSIONS = 3
BATCH = 500

OUTCOME_SCALES = {("phq9", "total"), ("gad7", "total"), ("relationship", "total")}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 always exists


@dataclass(frozen=True)
class SessionRecord:
    number: int
    on: dt.date
    attended: bool
    scheduled: bool  # booked and not yet held
    checkin_submitted: bool
    relationship: float | None  # the check-in's relationship total, when answered


@dataclass(frozen=True)
class ScoreRecord:
    instrument: str
    on: dt.date
    value: float


@dataclass(frozen=True)
class FlagRecord:
    pillar: str
    session_number: int | None
    repair_on: dt.date | None


@dataclass
class EpisodeRecords:
    """Everything `episode_facts` reads about one episode, already in the clinic's local dates."""

    episode: Episode
    date_of_birth: dt.date | None
    sessions: list[SessionRecord] = field(default_factory=list)
    scores: list[ScoreRecord] = field(default_factory=list)  # oldest first
    diagnoses: list[str] = field(default_factory=list)
    flags: list[FlagRecord] = field(default_factory=list)


def _latest_between(scores: Sequence[ScoreRecord], start: dt.date, end: dt.date) -> float | None:
    inside = [s.value for s in scores if start <= s.on <= end]
    return inside[-1] if inside else None


def _age(born: dt.date | None, on: dt.date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _days_to_first(episode: Episode, first: dt.date | None) -> int | None:
    start = episode.referred_on or episode.intake_on
    if first is None or start is None or first < start:
        return None
    return (first - start).days


def episode_facts(
    records: EpisodeRecords, *, today: dt.date, cutoff: float, window_days: int = WINDOW_DAYS
) -> tuple[EpisodeFact, list[EpisodeMonth]]:
    """One episode's fact row and month rows (unsaved). `cutoff` is the clinic's relationship line."""
    episode = records.episode
    attended = [s for s in records.sessions if s.attended]
    phq9 = [s for s in records.scores if s.instrument == "phq9"]
    gad7 = [s for s in records.scores if s.instrument == "gad7"]

    last_attended = attended[-1].on if attended else None
    ended_on = episode.closed_on
    if ended_on is None:
        since = last_attended or episode.opened_on
        booked = any(s.scheduled and s.on > since for s in records.sessions)
        if not booked and (today - since).days >= LAPSE_DAYS:
            ended_on = since + dt.timedelta(days=LAPSE_DAYS)
    dropped_out = episode.end_reason == Episode.EndReason.CLIENT_STOPPED or (
        episode.closed_on is None and ended_on is not None
    )

    exclusion = next((e for code in records.diagnoses if (e := diagnoses.exclusion_for(code))), "")
    if episode.end_reason in (Episode.EndReason.DIED, Episode.EndReason.HOSPICE):
        exclusion = "died" if episode.end_reason == Episode.EndReason.DIED else "hospice or palliative care"

    fact = EpisodeFact(
        episode=episode,
        clinic_id=episode.client.clinic_id,
        program_id=episode.program_id,
        clinician_id=episode.clinician_id,
        payer=episode.payer,
        opened_on=episode.opened_on,
        closed_on=episode.closed_on,
        end_reason=episode.end_reason,
        referred_on=episode.referred_on,
        intake_on=episode.intake_on,
        age_at_start=_age(records.date_of_birth, episode.opened_on),
        depression=any(diagnoses.is_depression(code) for code in records.diagnoses),
        exclusion=exclusion,
        attended_sessions=len(attended),
        first_attended_on=attended[0].on if attended else None,
        last_attended_on=last_attended,
        days_to_first_session=_days_to_first(episode, attended[0].on if attended else None),
        dropped_early=dropped_out and len(attended) < 4,
        ended_on=ended_on,
        flagged_early=any(
            f.session_number is not None and f.session_number <= EARLY_SESSIONS for f in records.flags
        ),
        relationship_flags=sum(f.pillar == "relationship" for f in records.flags),
        repairs_recovered=sum(
            1
            for f in records.flags
            if f.pillar == "relationship"
            and f.repair_on is not None
            and any(
                s.relationship is not None and s.relationship >= cutoff and s.on > f.repair_on
                for s in records.sessions
            )
        ),
        phq9_count=len(phq9),
        gad7_count=len(gad7),
        window_days=window_days,
        built_at=timezone.now(),
    )
    if phq9:
        index = phq9[0].on
        fact.phq9_first, fact.phq9_first_on = phq9[0].value, index
        fact.phq9_last, fact.phq9_last_on = phq9[-1].value, phq9[-1].on
        window = dt.timedelta(days=window_days)
        for months, attribute in ((6, "phq9_at_6m"), (12, "phq9_at_12m")):
            target = add_months(index, months)
            setattr(fact, attribute, _latest_between(phq9, target - window, target + window))
        fact.phq9_hedis = _latest_between(
            phq9, index + dt.timedelta(days=HEDIS_WINDOW[0]), index + dt.timedelta(days=HEDIS_WINDOW[1])
        )
    if gad7:
        fact.gad7_first, fact.gad7_first_on = gad7[0].value, gad7[0].on
        fact.gad7_last, fact.gad7_last_on = gad7[-1].value, gad7[-1].on
    return fact, _months(fact, attended, cutoff)


def _months(fact: EpisodeFact, attended: list[SessionRecord], cutoff: float) -> list[EpisodeMonth]:
    months: dict[dt.date, EpisodeMonth] = {}
    previous: dt.date | None = None
    for session in attended:
        month = session.on.replace(day=1)
        row = months.get(month)
        if row is None:
            row = months[month] = EpisodeMonth(
                episode_id=fact.episode_id,
                clinic_id=fact.clinic_id,
                program_id=fact.program_id,
                clinician_id=fact.clinician_id,
                payer=fact.payer,
                age_at_start=fact.age_at_start,
                month=month,
            )
        row.attended_sessions += 1
        row.completed_checkins += session.checkin_submitted
        if session.relationship is not None:
            row.relationship_rated += 1
            row.relationship_low += session.relationship < cutoff
        if previous is not None:
            row.gap_days += (session.on - previous).days
            row.gaps += 1
        previous = session.on
    return list(months.values())


def load_records(episode_ids: Sequence[int]) -> list[EpisodeRecords]:
    """The records of these episodes: five queries however many there are."""
    episodes = Episode.objects.filter(pk__in=episode_ids).select_related("client__clinic").order_by("pk")
    by_id: dict[int, EpisodeRecords] = {}
    zones: dict[int, ZoneInfo] = {}
    for episode in episodes:
        by_id[episode.pk] = EpisodeRecords(episode=episode, date_of_birth=episode.client.date_of_birth)
        zones[episode.pk] = ZoneInfo(episode.client.clinic.time_zone)

    relationship: dict[int, float] = {}
    for score in (
        Score.objects.filter(_outcome_scales(), checkin__session__episode_id__in=episode_ids)
        .values("instrument", "value", session_id=F("checkin__session_id"), at=F("checkin__submitted_at"))
        .annotate(episode_id=F("checkin__session__episode_id"))
        .order_by("checkin__submitted_at", "id")
    ):
        if score["instrument"] == "relationship":
            relationship[score["session_id"]] = score["value"]
        elif score["at"] is not None:
            on = timezone.localtime(score["at"], zones[score["episode_id"]]).date()
            by_id[score["episode_id"]].scores.append(ScoreRecord(score["instrument"], on, score["value"]))

    for session in (
        Session.objects.filter(episode_id__in=episode_ids)
        .values("id", "episode_id", "number", "scheduled_start", "attendance", "checkin__status")
        .order_by("episode_id", "number")
    ):
        records = by_id[session["episode_id"]]
        records.sessions.append(
            SessionRecord(
                number=session["number"],
                on=timezone.localtime(session["scheduled_start"], zones[session["episode_id"]]).date(),
                attended=session["attendance"] in Session.ATTENDED_STATES,
                scheduled=session["attendance"] == Session.Attendance.SCHEDULED,
                checkin_submitted=session["checkin__status"] == "submitted",
                relationship=relationship.get(session["id"]),
            )
        )

    for plan in PlanRevision.objects.filter(episode_id__in=episode_ids).values(
        "episode_id", "diagnosis_code"
    ):
        by_id[plan["episode_id"]].diagnoses.append(plan["diagnosis_code"])

    for flag in Flag.objects.filter(episode_id__in=episode_ids).values(
        "episode_id", "pillar", "repair_recorded_at", session_number=F("session__number")
    ):
        repaired = flag["repair_recorded_at"]
        zone = zones[flag["episode_id"]]
        by_id[flag["episode_id"]].flags.append(
            FlagRecord(
                pillar=flag["pillar"],
                session_number=flag["session_number"],
                repair_on=timezone.localtime(repaired, zone).date() if repaired else None,
            )
        )
    return [by_id[pk] for pk in sorted(by_id)]


def _outcome_scales() -> Q:
    where = Q(pk__in=[])
    for instrument, scale in OUTCOME_SCALES:
        where |= Q(instrument=instrument, scale=scale)
    return where


def stale_episodes(clinic: Clinic) -> QuerySet[Episode]:
    """Episodes whose facts are missing or may have changed: open episodes (time alone changes them),
    ones evaluated since their facts were built (every recorded event asks for an evaluation: see
    risk.engine), and ones built with another window."""
    return Episode.objects.filter(client__clinic=clinic).filter(
        Q(closed_on__isnull=True)
        | ~Q(pk__in=EpisodeFact.objects.filter(clinic=clinic).values("episode_id"))
        | Q(
            pk__in=EpisodeFact.objects.filter(clinic=clinic)
            .filter(Q(closed_on__isnull=True) | ~Q(window_days=WINDOW_DAYS))
            .values("episode_id")
        )
        | Q(
            pk__in=EpisodeFact.objects.filter(clinic=clinic, episode__evaluated_at__gt=F("built_at")).values(
                "episode_id"
            )
        )
    )


def refresh_batch(clinic: Clinic, episode_ids: Sequence[int], *, today: dt.date | None = None) -> int:
    """Rebuild these episodes' rows in one transaction. Returns how many episodes were rebuilt."""
    today = today or timezone.localdate()
    cutoff = total_cutoff(clinic)
    facts: list[EpisodeFact] = []
    months: list[EpisodeMonth] = []
    for records in load_records(episode_ids):
        fact, episode_months = episode_facts(records, today=today, cutoff=cutoff)
        facts.append(fact)
        months += episode_months
    with transaction.atomic():
        EpisodeMonth.objects.filter(episode_id__in=episode_ids).delete()
        EpisodeFact.objects.filter(episode_id__in=episode_ids).delete()
        _insert(EpisodeFact, facts)
        _insert(EpisodeMonth, months)
    return len(facts)


def _insert(model: type[Model], rows: Sequence[Model]) -> None:
    """bulk_create, or COPY on PostgreSQL: filling the tables at a million check-ins, Django building
    the INSERTs value by value was the largest part of the time (docs/reports-bench.md). These tables
    hold plain values (ids, dates, numbers, text), which psycopg writes as they are."""
    alias = router.db_for_write(model)
    if connections[alias].vendor != "postgresql":
        model._default_manager.db_manager(alias).bulk_create(rows, batch_size=2000)
        return
    if not rows:
        return
    quote = connections[alias].ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField)]
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) FROM STDIN"
    with connections[alias].cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([getattr(row, f.attname) for f in fields])


def refresh(clinic: Clinic, *, batch: int = BATCH, today: dt.date | None = None) -> int:
    """Bring the clinic's report tables up to date. Returns how many episodes were rebuilt."""
    stale = list(stale_episodes(clinic).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(stale), batch):
        refresh_batch(clinic, stale[start : start + batch], today=today)
    return len(stale)


def refresh_all(clinics: Iterable[Clinic] | None = None) -> dict[int, int]:
    return {clinic.pk: refresh(clinic) for clinic in (clinics or Clinic.objects.all())}


def last_built(clinic: Clinic) -> dt.datetime | None:
    fact = EpisodeFact.objects.filter(clinic=clinic).order_by("-built_at").only("built_at").first()
    return fact.built_at if fact else None
