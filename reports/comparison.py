"""Fair comparison between clinicians: severity-adjusted PHQ-9 effect sizes, shrunk toward the clinic mean.

The model (docs/reports.md, "Comparing clinicians"):
1. Each finished episode's pre–post effect size: ES = (first PHQ-9 − last PHQ-9) / SD of the clinic's
   first scores.
2. Severity adjustment (ACORN's SAES): ES is regressed on the first score across the clinic (ordinary
   least squares); an episode's adjusted ES is the clinic mean ES plus its residual, so a clinician whose
   clients start more severe (and so have more room to change) is neither helped nor penalised.
3. Empirical Bayes: a clinician's mean adjusted ES is pulled toward the clinic mean by the weight
   w = τ² / (τ² + σ²/n), where σ² is the within-clinician variance and τ² the between-clinician
   variance (method of moments, floored at 0); the 90% interval is the estimate ± 1.645 × √(w·σ²/n).
Only clinicians with at least MIN_CASES finished episodes are shown, in alphabetical order: never ranked."""

import dataclasses
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

from care.models import Clinic
from clinicians.models import Clinician
from reports.filters import ReportFilters
from reports.models import EpisodeFact

MIN_CASES = 15
Z90 = 1.645


@dataclass(frozen=True)
class ClinicianEstimate:
    name: str
    cases: int
    estimate: float  # shrunk, severity-adjusted effect size
    low: float
    high: float


@dataclass(frozen=True)
class Comparison:
    cases: int  # finished episodes with two PHQ-9 scores in the period
    clinic_effect_size: float | None  # pre–post, unadjusted, the whole clinic
    estimates: list[ClinicianEstimate]
    clinicians_below_minimum: int
    min_cases: int = MIN_CASES


def _ols(xs: list[float], ys: list[float]) -> tuple[float, float]:
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return mean_y, 0.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return mean_y - slope * mean_x, slope


def compare(rows: list[tuple[int, float, float]], names: dict[int, str]) -> Comparison:
    """`rows`: (clinician id, first PHQ-9, last PHQ-9) per finished episode. Pure, for the tests."""
    if len(rows) < 2:
        return Comparison(len(rows), None, [], len({r[0] for r in rows}))
    firsts = [r[1] for r in rows]
    sd = statistics.stdev(firsts)
    if sd == 0:
        return Comparison(len(rows), None, [], len({r[0] for r in rows}))
    effect = [(first - last) / sd for _, first, last in rows]
    clinic_es = statistics.fmean(effect)
    intercept, slope = _ols(firsts, effect)
    by_clinician: dict[int, list[float]] = defaultdict(list)
    for (clinician_id, first, _last), es in zip(rows, effect, strict=True):
        by_clinician[clinician_id].append(clinic_es + es - (intercept + slope * first))

    means = {c: statistics.fmean(v) for c, v in by_clinician.items()}
    within = [x - means[c] for c, v in by_clinician.items() for x in v]
    dof = len(within) - len(by_clinician)
    sigma2 = sum(x * x for x in within) / dof if dof > 0 else 0.0
    grand = statistics.fmean(x for v in by_clinician.values() for x in v)
    if len(means) > 1:
        between = statistics.variance(means.values())
        noise = statistics.fmean(sigma2 / len(v) for v in by_clinician.values())
        tau2 = max(0.0, between - noise)
    else:
        tau2 = 0.0

    estimates = []
    below = 0
    for clinician_id, values in by_clinician.items():
        n = len(values)
        if n < MIN_CASES:
            below += 1
            continue
        error2 = sigma2 / n
        weight = tau2 / (tau2 + error2) if tau2 + error2 > 0 else 0.0
        estimate = grand + weight * (means[clinician_id] - grand)
        half = Z90 * math.sqrt(weight * error2) if weight > 0 else Z90 * math.sqrt(sigma2 / len(within))
        estimates.append(
            ClinicianEstimate(
                name=names.get(clinician_id, "?"),
                cases=n,
                estimate=round(estimate, 2),
                low=round(estimate - half, 2),
                high=round(estimate + half, 2),
            )
        )
    estimates.sort(key=lambda e: e.name.casefold())
    return Comparison(len(rows), round(clinic_es, 2), estimates, below)


def clinician_comparison(clinic: Clinic, filters: ReportFilters) -> Comparison:
    """Finished episodes (ended in the period, no exclusion) with at least two PHQ-9 scores."""
    # The comparison is of every clinician, whoever the page is filtered to.
    where = dataclasses.replace(filters, clinician_id=None).where(EpisodeFact)
    rows = list(
        EpisodeFact.objects.filter(
            where,
            clinic=clinic,
            exclusion="",
            phq9_count__gte=2,
            ended_on__gte=filters.start,
            ended_on__lte=filters.end,
        ).values_list("clinician_id", "phq9_first", "phq9_last")
    )
    ids = {r[0] for r in rows}
    names = {
        c.pk: str(c.user)
        for c in Clinician.objects.filter(pk__in=ids, clinic=clinic)
        .select_related("user")
        .only("user__first_name", "user__last_name", "user__username")
    }
    return compare([(c, f, last) for c, f, last in rows if f is not None and last is not None], names)
