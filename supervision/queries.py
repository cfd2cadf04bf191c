"""The indicators' figures, computed in the database: one query per family of figures for a whole team,
grouped by clinician and week, however many clinicians, clients and sessions (no loop over rows).

Medians use window functions (ROW_NUMBER / COUNT over a partition), which PostgreSQL and SQLite share;
only the difference between two timestamps is written per database."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, ExtractIsoWeekDay, StrIndex, TruncTime

from care.models import CheckIn, Episode, Score, Session
from risk.models import Flag
from supervision.weeks import Weeks

ATTENDED = [Session.Attendance.ATTENDED, Session.Attendance.LATE_START]
BY_CLINICIAN = [Session.Attendance.CANCELLED_BY_CLINICIAN, Session.Attendance.RESCHEDULED_BY_CLINICIAN]
LATE_MINUTES = 10
GAP_LOOKBACK = dt.timedelta(days=90)

Weekly = dict[int, dict[int, Any]]  # {clinician id: {week index: value}}


def _week_case(field: str, weeks: Weeks) -> Case:
    bounds = weeks.bounds
    return Case(
        *[
            When(**{f"{field}__gte": bounds[i], f"{field}__lt": bounds[i + 1]}, then=Value(i))
            for i in range(len(bounds) - 1)
        ],
        default=Value(-1),
        output_field=IntegerField(),
    )


def session_counts(ids: Sequence[int], weeks: Weeks) -> Weekly:
    """Per clinician and week: sessions due so far, attended, late by 10+ minutes, cancelled or
    rescheduled by the clinician, and attended outside the clinician's declared hours."""
    tz = weeks.tz
    clinician = "episode__clinician__"
    rows = (
        Session.objects.filter(
            episode__clinician_id__in=ids, scheduled_start__gte=weeks.start, scheduled_start__lt=weeks.now
        )
        .annotate(
            week=_week_case("scheduled_start", weeks),
            local_start=TruncTime("scheduled_start", tzinfo=tz),
            local_end=TruncTime("scheduled_end", tzinfo=tz),
            workday=StrIndex(
                F(f"{clinician}work_days"),
                Cast(ExtractIsoWeekDay("scheduled_start", tzinfo=tz), CharField()),
            ),
        )
        .values("episode__clinician_id", "week")
        .annotate(
            due=Count("id"),
            attended=Count("id", filter=Q(attendance__in=ATTENDED)),
            late=Count(
                "id", filter=Q(attendance=Session.Attendance.LATE_START, late_minutes__gte=LATE_MINUTES)
            ),
            cancelled=Count("id", filter=Q(attendance__in=BY_CLINICIAN)),
            after_hours=Count(
                "id",
                filter=Q(attendance__in=ATTENDED)
                & (
                    Q(local_start__lt=F(f"{clinician}workday_start"))
                    | Q(local_end__gt=F(f"{clinician}workday_end"))
                    | Q(workday=0)
                ),
            ),
        )
        .order_by()
    )
    out: Weekly = defaultdict(dict)
    for row in rows:
        out[row["episode__clinician_id"]][row["week"]] = row
    return out


def caseload_by_week(ids: Sequence[int], last_days: Sequence[dt.date]) -> Weekly:
    """Per clinician: open episodes at the end of each week's last day."""
    counts = {
        f"w{i}": Count(
            "id", filter=Q(opened_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        )
        for i, day in enumerate(last_days)
    }
    rows: Any = (
        Episode.objects.filter(clinician_id__in=ids, opened_on__lte=last_days[-1])
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=last_days[0]))
        .values("clinician_id")
        .annotate(**counts)
        .order_by()
    )
    return {row["clinician_id"]: {i: row[f"w{i}"] for i in range(len(last_days))} for row in rows}


def early_dropout(ids: Sequence[int], today: dt.date, window_days: int) -> dict[int, tuple[int, int]]:
    """Per clinician: (episodes opened in the window, of those ended, not by transfer, before 4 attended
    sessions)."""
    attended = (
        Session.objects.filter(episode=OuterRef("pk"), attendance__in=ATTENDED)
        .order_by()
        .values("episode")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = (
        Episode.objects.filter(clinician_id__in=ids, opened_on__gt=today - dt.timedelta(days=window_days))
        .annotate(attended=Coalesce(Subquery(attended), 0))
        .values("clinician_id")
        .annotate(
            started=Count("id"),
            dropped=Count(
                "id",
                filter=Q(closed_on__isnull=False, attended__lt=4)
                & ~Q(end_reason=Episode.EndReason.TRANSFERRED),
            ),
        )
        .order_by()
    )
    return {row["clinician_id"]: (row["started"], row["dropped"]) for row in rows}


def below_cutoff(ids: Sequence[int], instrument: str, scale: str, cutoff: float, since: dt.datetime):
    """Per clinician: (scored check-ins of sessions since `since`, of those below the cutoff)."""
    rows = (
        Score.objects.filter(
            instrument=instrument,
            scale=scale,
            checkin__session__episode__clinician_id__in=ids,
            checkin__session__scheduled_start__gte=since,
        )
        .values("checkin__session__episode__clinician_id")
        .annotate(n=Count("id"), below=Count("id", filter=Q(value__lt=cutoff)))
        .order_by()
    )
    return {r["checkin__session__episode__clinician_id"]: (r["n"], r["below"]) for r in rows}


def flags_waiting(ids: Sequence[int]) -> list[dict[str, Any]]:
    """Active flags per clinician, pillar and level: unacknowledged and, of those, stale."""
    rows: Any = (
        Flag.objects.filter(episode__clinician_id__in=ids)
        .exclude(status=Flag.Status.RESOLVED)
        .values("episode__clinician_id", "pillar", "level")
        .annotate(
            active=Count("id"),
            waiting=Count("id", filter=Q(status=Flag.Status.OPEN)),
            stale=Count("id", filter=Q(status=Flag.Status.OPEN, stale_at__isnull=False)),
        )
        .order_by()
    )
    return list(rows)


# --- Medians in SQL ----------------------------------------------------------------------------------


def _days(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"
    return f"(julianday({later}) - julianday({earlier}))"


def _adapt(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _sql_week_case(column: str, weeks: Weeks) -> tuple[str, list]:
    adapt = _adapt
    parts, params = [], []
    for i in range(len(weeks.bounds) - 1):
        parts.append(f"WHEN {column} >= %s AND {column} < %s THEN {i}")
        params += [adapt(weeks.bounds[i]), adapt(weeks.bounds[i + 1])]
    return "CASE " + " ".join(parts) + " ELSE -1 END", params


def _medians(inner: str, params: list) -> Weekly:
    """Medians of `inner`'s (clinician_id, week, v) by clinician and week, and over all weeks (key -1)."""
    # Only table names, column names and %s placeholders are formatted in; every value is a parameter.
    sql = f"""
        WITH base AS ({inner}),
        rows_all AS (
            SELECT clinician_id, week, v FROM base WHERE week >= 0
            UNION ALL SELECT clinician_id, -1, v FROM base WHERE week >= 0
        ),
        ranked AS (
            SELECT clinician_id, week, v,
                   ROW_NUMBER() OVER (PARTITION BY clinician_id, week ORDER BY v) AS rn,
                   COUNT(*) OVER (PARTITION BY clinician_id, week) AS n
            FROM rows_all WHERE v IS NOT NULL
        )
        SELECT clinician_id, week, AVG(v), MAX(n) FROM ranked
        WHERE 2 * rn IN (n, n + 1, n + 2) GROUP BY clinician_id, week
    """  # noqa: S608
    out: Weekly = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for clinician_id, week, median, n in cursor.fetchall():
            # Rounded: SQLite's julianday() carries float noise in the last digits.
            out[clinician_id][week] = (round(float(median), 3), int(n))
    return out


def _in(ids: Sequence[int]) -> str:
    return "(" + ", ".join(["%s"] * len(ids)) + ")"


def gap_medians(ids: Sequence[int], weeks: Weeks) -> Weekly:
    """Days since the episode's previous attended session, for attended sessions in each week."""
    s, e = Session._meta.db_table, Episode._meta.db_table
    case, case_params = _sql_week_case("g.scheduled_start", weeks)
    inner = f"""
        SELECT g.clinician_id AS clinician_id, {case} AS week, {_days("g.scheduled_start", "g.prev")} AS v
        FROM (
            SELECT e.clinician_id, s.scheduled_start,
                   LAG(s.scheduled_start) OVER (PARTITION BY s.episode_id ORDER BY s.scheduled_start) AS prev
            FROM {s} s JOIN {e} e ON e.id = s.episode_id
            WHERE e.clinician_id IN {_in(ids)} AND s.attendance IN (%s, %s)
              AND s.scheduled_start >= %s AND s.scheduled_start < %s
        ) g
        WHERE g.prev IS NOT NULL
    """  # noqa: S608
    # A gap is measured from an attended session up to GAP_LOOKBACK before the 12 weeks, not from any older.
    since = weeks.start - GAP_LOOKBACK
    params = case_params + list(ids) + list(ATTENDED) + [_adapt(since), _adapt(weeks.now)]
    return _medians(inner, params)


def ack_medians(ids: Sequence[int], weeks: Weeks) -> Weekly:
    """Hours from a flag being raised to its acknowledgement, by the week it was raised."""
    f, e = Flag._meta.db_table, Episode._meta.db_table
    case, case_params = _sql_week_case("f.opened_at", weeks)
    inner = f"""
        SELECT e.clinician_id AS clinician_id, {case} AS week,
               {_days("f.acknowledged_at", "f.opened_at")} * 24.0 AS v
        FROM {f} f JOIN {e} e ON e.id = f.episode_id
        WHERE e.clinician_id IN {_in(ids)} AND f.acknowledged_at IS NOT NULL AND f.opened_at >= %s
    """  # noqa: S608
    return _medians(inner, case_params + list(ids) + [_adapt(weeks.start)])


def score_medians(ids: Sequence[int], weeks: Weeks, instrument: str, scale: str) -> Weekly:
    """The median of one score (the caseload's trend, from the pillar registry) by week of session."""
    sc, c, s, e = (m._meta.db_table for m in (Score, CheckIn, Session, Episode))
    case, case_params = _sql_week_case("s.scheduled_start", weeks)
    inner = f"""
        SELECT e.clinician_id AS clinician_id, {case} AS week, sc.value AS v
        FROM {sc} sc JOIN {c} c ON c.id = sc.checkin_id JOIN {s} s ON s.id = c.session_id
        JOIN {e} e ON e.id = s.episode_id
        WHERE e.clinician_id IN {_in(ids)} AND sc.instrument = %s AND sc.scale = %s
          AND s.scheduled_start >= %s
    """  # noqa: S608
    return _medians(inner, case_params + list(ids) + [instrument, scale, _adapt(weeks.start)])
