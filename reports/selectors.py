"""Reads for the report page and the exports: every figure is a SQL aggregate over the pre-aggregated
tables, a few queries for the whole report whatever the clinic's size."""

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import DateField, ExpressionWrapper, F
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from care.models import Clinic, User
from reports import comparison, facts
from reports.filters import ReportFilters
from reports.measures import GROUPS, MEASURES, Measure

# Below this many in a denominator a figure is suppressed in exports and marked on the page (CMS
# cell-size policy).
SMALL_CELL = 11


@dataclass(frozen=True)
class MonthPoint:
    month: dt.date
    numerator: float
    denominator: float
    value: float | None


@dataclass(frozen=True)
class MeasureFigure:
    measure: Measure
    numerator: float
    denominator: float
    value: float | None  # percent or days; None when the denominator is 0
    months: list[MonthPoint] = field(default_factory=list)
    withheld: str = ""  # why the figure is not shown ("" when it is)

    @property
    def small(self) -> bool:
        return 0 < self.denominator < SMALL_CELL


def _value(measure: Measure, numerator: float, denominator: float) -> float | None:
    if not denominator:
        return None
    ratio = numerator / denominator
    return round(ratio * 100, 1) if measure.unit == "percent" else round(ratio, 1)


def _shown(measure: Measure, instrument: str) -> bool:
    return not (instrument and measure.instrument and instrument not in measure.instrument.split("+"))


def measure_figures(
    clinic: Clinic, filters: ReportFilters, *, as_of: dt.date, measures: tuple[Measure, ...] = MEASURES
) -> list[MeasureFigure]:
    """Each measure's figure over the period and by month: two queries per (table, anchor) pair."""
    chosen = [m for m in measures if _shown(m, filters.instrument)]
    results: dict[str, MeasureFigure] = {}
    months = filters.months()

    def source(m: Measure) -> tuple[str, str, int]:
        return (m.table.__name__, m.anchor, m.anchor_days)

    for _key, group in groupby(sorted(chosen, key=source), key=source):
        batch = list(group)
        table, anchor, days = batch[0].table, batch[0].anchor, batch[0].anchor_days
        placed = ExpressionWrapper(F(anchor) + dt.timedelta(days=days), DateField()) if days else F(anchor)
        rows = (
            table.objects.filter(filters.where(table), clinic=clinic)
            .annotate(placed=placed)
            .filter(placed__gte=filters.start, placed__lte=filters.end)
        )
        aggregates = {}
        for m in batch:
            numerator, denominator = m.counts(as_of)
            aggregates[f"{m.key}__n"], aggregates[f"{m.key}__d"] = numerator, denominator
        totals = rows.aggregate(**aggregates)
        by_month = {
            row["bucket"]: row
            for row in rows.annotate(bucket=TruncMonth("placed", output_field=DateField()))
            .values("bucket")
            .annotate(**aggregates)
            .order_by()
        }
        for m in batch:
            points = []
            for month in months:
                row: dict = dict(by_month.get(month) or {})
                n, d = float(row.get(f"{m.key}__n") or 0), float(row.get(f"{m.key}__d") or 0)
                points.append(MonthPoint(month, n, d, _value(m, n, d)))
            n, d = float(totals[f"{m.key}__n"] or 0), float(totals[f"{m.key}__d"] or 0)
            withheld = ""
            if m.outcome and filters.clinician_id:
                withheld = _(
                    "Not shown for one clinician: outcomes by clinician appear only in the adjusted "
                    "comparison below."
                )
            results[m.key] = MeasureFigure(m, n, d, _value(m, n, d), points, withheld)
    return [results[m.key] for m in chosen]


@dataclass(frozen=True)
class Report:
    clinic: Clinic
    filters: ReportFilters
    as_of: dt.date
    built_at: dt.datetime | None
    figures: list[MeasureFigure]
    comparison: comparison.Comparison

    def groups(self) -> list[tuple[str, list[MeasureFigure]]]:
        return [
            (str(title), [f for f in self.figures if f.measure.group == key])
            for key, title in GROUPS.items()
            if any(f.measure.group == key for f in self.figures)
        ]


def clinic_report(clinic: Clinic, filters: ReportFilters, *, as_of: dt.date | None = None) -> Report:
    as_of = as_of or timezone.localdate()
    return Report(
        clinic=clinic,
        filters=filters,
        as_of=as_of,
        built_at=facts.last_built(clinic),
        figures=measure_figures(clinic, filters, as_of=as_of),
        comparison=comparison.clinician_comparison(clinic, filters),
    )


def report_clinic(user: User, clinic_id: object = None) -> Clinic:
    """The clinic whose reports this user may read: a clinic admin's own; any, for a superuser (who
    picks one by id, or gets the first). Everyone else: 404, as for a page that does not exist."""
    if not (user.is_authenticated and user.is_active):
        raise Http404("Not found")
    if user.is_superuser:
        clinics = Clinic.objects.all()
        if clinic_id not in (None, ""):
            clinics = clinics.filter(pk=int(str(clinic_id))) if str(clinic_id).isdigit() else clinics.none()
        elif user.clinic_id:
            clinics = clinics.filter(pk=user.clinic_id)
        clinic = clinics.order_by("pk").first()
    elif user.role == User.Role.ADMIN and user.clinic_id:
        clinic = user.clinic
    else:
        clinic = None
    if clinic is None:
        raise Http404("Not found")
    return clinic
