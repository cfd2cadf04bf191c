"""Each clinician's indicators, their weekly series and signal levels, for a whole team at once.

The figures come from supervision.queries (a fixed number of queries for any team); this module only
lays the grouped rows out by week and asks supervision.signals for each level."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from care.models import Clinic
from care.pillars import CaseloadTrend, all_pillars
from clinicians.models import Clinician
from supervision import funnel, queries
from supervision import signals as sig
from supervision.models import SignalSettings
from supervision.weeks import WEEKS, Weeks, weeks_ending

RECENT_WEEKS = 4  # cancellations, late starts and after-hours are read over the last 4 weeks


@dataclass(frozen=True)
class Indicator:
    key: str
    value: str  # the headline figure, in words
    level: str
    series: tuple[float | None, ...] = ()  # one value per week, oldest first
    unit: str = ""

    @property
    def definition(self) -> sig.Definition:
        return sig.DEFINITION_BY_KEY[self.key]


@dataclass(frozen=True)
class FlagGroup:
    pillar: str
    level: str
    waiting: int
    stale: int


@dataclass(frozen=True)
class ClinicianIndicators:
    clinician: Clinician
    indicators: tuple[Indicator, ...]
    flags: tuple[FlagGroup, ...]
    dropout: tuple[int, int]  # (episodes started, ended early)
    below_cutoff: tuple[int, int]  # (scored check-ins, below the cutoff)
    spark: tuple[float | None, ...] = ()

    @property
    def levels(self) -> list[str]:
        return [i.level for i in self.indicators]

    def by_key(self) -> dict[str, Indicator]:
        return {i.key: i for i in self.indicators}

    def snapshot(self) -> list[dict[str, str]]:
        """The indicators as they stand, as plain data (kept with a supervision note)."""
        return [
            {"key": i.key, "label": i.definition.label, "value": i.value, "level": i.level}
            for i in self.indicators
        ]


@dataclass(frozen=True)
class TeamIndicators:
    weeks: Weeks
    rows: tuple[ClinicianIndicators, ...]
    trend: CaseloadTrend | None
    cutoff: float | None
    clinic_dropout: tuple[int, int]  # pooled over the clinic: the funnel's centre
    clinic_below: tuple[int, int]
    thresholds: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


def caseload_trend() -> CaseloadTrend | None:
    """The score a pillar registered for the caseload's trend (the relationship total), if any."""
    return next((p.caseload_trend for p in all_pillars() if p.caseload_trend is not None), None)


def clinic_thresholds(clinic: Clinic) -> dict[str, dict[str, float]]:
    row = SignalSettings.objects.filter(clinic=clinic).first()
    try:
        return sig.thresholds(row.overrides if row else None)
    except sig.SignalSettingsError:
        return sig.thresholds(None)  # a bad override falls back to the documented defaults


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def _num(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:.1f}".rstrip("0").rstrip(".") + unit


def _series(weekly: Mapping[int, Any], pick) -> tuple[float | None, ...]:
    return tuple(pick(weekly[w]) if w in weekly else None for w in range(WEEKS))


def _recent_sum(counts: Mapping[int, dict], key: str) -> int:
    return sum(counts.get(w, {}).get(key, 0) for w in range(WEEKS - RECENT_WEEKS, WEEKS))


def _load_indicators(
    c: Clinician, counts: Mapping[int, dict], caseload: Mapping[int, int], t
) -> list[Indicator]:
    target = c.caseload_target or None
    ratios = tuple(caseload.get(w, 0) / target if target else None for w in range(WEEKS))
    fte = float(c.fte) or 1.0
    per_fte = _series(counts, lambda r: r["attended"] / fte)
    this_week, last_week = per_fte[-1] or 0.0, per_fte[-2] or 0.0
    attended = _recent_sum(counts, "attended")
    after = _share(_recent_sum(counts, "after_hours"), attended)
    cancelled = _share(_recent_sum(counts, "cancelled"), _recent_sum(counts, "due"))
    late = _share(_recent_sum(counts, "late"), attended)
    return [
        Indicator(
            "caseload",
            f"{caseload.get(WEEKS - 1, 0)} / {c.caseload_target} ({_pct(ratios[-1])})",
            sig.caseload_level(ratios, t["caseload"]),
            tuple(None if r is None else round(r * 100) for r in ratios),
            "%",
        ),
        Indicator(
            "sessions_week",
            f"{_num(this_week)} this week, {_num(last_week)} last week (per FTE)",
            sig.above_level(max(this_week, last_week), t["sessions_week"]["amber"]),
            per_fte,
        ),
        Indicator(
            "after_hours",
            _pct(after),
            sig.above_level(after, t["after_hours"]["amber"]) if attended else sig.FEW,
            _series(counts, lambda r: r["after_hours"]),
        ),
        Indicator(
            "cancellations",
            _pct(cancelled),
            sig.above_level(cancelled, t["cancellations"]["amber"]),
            _series(counts, lambda r: round(100 * r["cancelled"] / r["due"]) if r["due"] else None),
            "%",
        ),
        Indicator(
            "late_starts",
            _pct(late),
            sig.INFO if late is not None else sig.FEW,
            _series(counts, lambda r: r["late"]),
        ),
    ]


def _flag_groups(rows: Sequence[dict]) -> tuple[FlagGroup, ...]:
    order = {"red": 0, "amber": 1}
    groups = [FlagGroup(r["pillar"], r["level"], r["waiting"], r["stale"]) for r in rows if r["waiting"]]
    return tuple(sorted(groups, key=lambda g: (order.get(g.level, 2), -g.stale, g.pillar)))


def _care_indicators(gaps, acks, scores, flags: tuple[FlagGroup, ...], t, trend) -> list[Indicator]:
    """Days between sessions, flags, time to acknowledge and the caseload's alliance, for one clinician."""
    gap_series = _series(gaps, lambda m: round(m[0], 1))
    ack_all = acks.get(-1)
    stale = sum(g.stale for g in flags)
    stale_red = sum(g.stale for g in flags if g.level == "red")
    waiting = sum(g.waiting for g in flags)
    items = [
        Indicator(
            "gap_days",
            _num(gaps[-1][0] if -1 in gaps else None, " days"),
            sig.rising_level(gap_series, window=4, rise=t["gap_days"]["rise_days"]),
            gap_series,
            " days",
        ),
        Indicator(
            "flags",
            f"{waiting} waiting, {stale} stale",
            sig.flags_level(stale=stale, stale_red=stale_red),
        ),
        Indicator(
            "ack_hours",
            _num(ack_all[0] if ack_all else None, " h"),
            sig.INFO if ack_all else sig.FEW,
            _series(acks, lambda m: round(m[0], 1)),
            " h",
        ),
    ]
    if trend is not None:
        enough = int(t["alliance"]["min_scores"])
        series = _series(scores, lambda m: round(m[0], 1) if m[1] >= enough else None)
        drop = t["alliance"]["drop"] * trend.high  # a share of the scale's maximum: 2 points of 40
        falling = sig.rising_level([None if v is None else -v for v in series], window=3, rise=drop)
        latest = next((v for v in reversed(series) if v is not None), None)
        items.append(Indicator("alliance", _num(latest), falling, series))
    return items


def _dropout_indicator(pair: tuple[int, int], clinic_pair: tuple[int, int], t) -> Indicator:
    started, dropped = pair
    rate = _share(dropped, started)
    p = funnel.pooled_rate([clinic_pair[1]], [clinic_pair[0]])
    level = sig.FEW
    if rate is not None and p is not None:
        lim = funnel.limits(p, started)
        level = sig.funnel_level(
            rate=rate, n=started, upper95=lim.upper95, upper998=lim.upper998, min_n=t["dropout"]["min_n"]
        )
    return Indicator("dropout", f"{_pct(rate)} of {started} started", level)


def team_indicators(
    clinicians: Sequence[Clinician], clinic: Clinic, *, now: dt.datetime | None = None
) -> TeamIndicators:
    """Every indicator for `clinicians` (already scoped by the caller), in a fixed number of queries."""
    now = now or timezone.now()
    weeks = weeks_ending(now, clinic.time_zone)
    t = clinic_thresholds(clinic)
    ids = [c.pk for c in clinicians]
    today = now.astimezone(weeks.tz).date()
    trend = caseload_trend()
    cutoff = trend.cutoff(clinic) if trend is not None and trend.cutoff is not None else None
    clinic_ids = list(Clinician.objects.filter(clinic=clinic).values_list("pk", flat=True))
    window = int(t["dropout"]["window_days"])
    dropouts = queries.early_dropout(clinic_ids, today, window)
    below = (
        queries.below_cutoff(
            clinic_ids, trend.instrument, trend.scale, cutoff, now - dt.timedelta(days=window)
        )
        if trend is not None and cutoff is not None
        else {}
    )
    clinic_dropout = (sum(v[0] for v in dropouts.values()), sum(v[1] for v in dropouts.values()))
    clinic_below = (sum(v[0] for v in below.values()), sum(v[1] for v in below.values()))
    if not ids:
        return TeamIndicators(weeks, (), trend, cutoff, clinic_dropout, clinic_below, t)
    counts = queries.session_counts(ids, weeks)
    caseloads = queries.caseload_by_week(ids, weeks.last_days(today))
    gaps = queries.gap_medians(ids, weeks)
    acks = queries.ack_medians(ids, weeks)
    scores = queries.score_medians(ids, weeks, trend.instrument, trend.scale) if trend else {}
    flag_rows = queries.flags_waiting(ids)
    rows = []
    for c in clinicians:
        flags = _flag_groups([r for r in flag_rows if r["episode__clinician_id"] == c.pk])
        indicators = _load_indicators(c, counts.get(c.pk, {}), caseloads.get(c.pk, {}), t)
        indicators += _care_indicators(
            gaps.get(c.pk, {}), acks.get(c.pk, {}), scores.get(c.pk, {}), flags, t, trend
        )
        indicators.append(_dropout_indicator(dropouts.get(c.pk, (0, 0)), clinic_dropout, t))
        alliance = next((i for i in indicators if i.key == "alliance"), None)
        rows.append(
            ClinicianIndicators(
                clinician=c,
                indicators=tuple(indicators),
                flags=flags,
                dropout=dropouts.get(c.pk, (0, 0)),
                below_cutoff=below.get(c.pk, (0, 0)),
                spark=alliance.series if alliance else (),
            )
        )
    return TeamIndicators(weeks, tuple(rows), trend, cutoff, clinic_dropout, clinic_below, t)
