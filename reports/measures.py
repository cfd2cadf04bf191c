"""Every report measure, as code and as its written definition, in one registry.

The page, the exports and docs/reports.md (`manage.py report_definitions`) all read MEASURES, so a
definition cannot drift from what is counted. Each measure counts over one pre-aggregated table
(reports.models) as a numerator and a denominator aggregate, placed in time by one date field (its
anchor): the report's period and its monthly sparkline both use that date."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.db.models import Aggregate, Count, F, Q, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reports.facts import HEDIS_WINDOW, LAPSE_DAYS, WINDOW_DAYS, add_months
from reports.models import EpisodeFact, EpisodeMonth

Group = Literal["outcomes", "engagement", "alliance", "access"]
GROUPS: dict[Group, str | Promise] = {
    "outcomes": _("Outcomes"),
    "engagement": _("Engagement"),
    "alliance": _("Alliance"),
    "access": _("Access"),
}


@dataclass(frozen=True)
class Measure:
    key: str
    title: str | Promise
    group: Group
    numerator: str
    denominator: str
    window: str
    exclusions: str
    source: str
    table: type[EpisodeFact] | type[EpisodeMonth]
    anchor: str  # the date field that places a row in the period and in a month …
    # (numerator, denominator) aggregates for a given "as of" date: the day the figures are read.
    counts: Callable[[dt.date], tuple[Aggregate, Aggregate]]
    anchor_days: int = 0  # … this many days after it (a window measure is placed where its window ends)
    unit: Literal["percent", "days"] = "percent"
    higher_is_better: bool = True
    instrument: str = ""  # the outcome instrument it reads ("phq9", "gad7", "phq9+gad7"), if any
    attune_own: bool = False

    @property
    def outcome(self) -> bool:
        return self.group == "outcomes"


def _rate(eligible: Callable[[dt.date], Q], met: Q) -> Callable[[dt.date], tuple[Aggregate, Aggregate]]:
    def counts(as_of: dt.date) -> tuple[Aggregate, Aggregate]:
        where = eligible(as_of)
        return Count("pk", filter=where & met), Count("pk", filter=where)

    return counts


def _ratio(numerator: str, denominator: str, where: Q | None = None):
    def counts(as_of: dt.date) -> tuple[Aggregate, Aggregate]:
        return Sum(numerator, filter=where, default=0), Sum(denominator, filter=where, default=0)

    return counts


# --- Outcome measures ------------------------------------------------------------------------------
# The index is the episode's first PHQ-9. An episode counts once its window has closed by the day the
# report is read; inside the window the latest score counts (no score there = not in remission).

DEPRESSION_INDEX = Q(depression=True, exclusion="", age_at_start__gte=12, phq9_first__gt=9)


def _window_closed(months: int) -> Callable[[dt.date], Q]:
    def eligible(as_of: dt.date) -> Q:
        # index + months + window <= as_of, solved for the index (month arithmetic kept exact).
        latest_index = add_months(as_of - dt.timedelta(days=WINDOW_DAYS), -months)
        return DEPRESSION_INDEX & Q(phq9_first_on__lte=latest_index)

    return eligible


def _window_end_days(months: int) -> int:
    # Where a window measure sits in the period: its window's last day (months counted as 30.44 days:
    # this only places the episode in a month; whether a score is inside the window is exact).
    return round(months * 30.44) + WINDOW_DAYS


def _hedis_closed(as_of: dt.date) -> Q:
    return DEPRESSION_INDEX & Q(phq9_first_on__lte=as_of - dt.timedelta(days=HEDIS_WINDOW[1]))


FINISHED = Q(ended_on__isnull=False, exclusion="")
BOTH_PAIRED = FINISHED & Q(phq9_count__gte=2, gad7_count__gte=2)
GAD7_PAIRED = FINISHED & Q(gad7_count__gte=2)
CASE_AT_START = Q(phq9_first__gte=10) | Q(gad7_first__gte=8)
NOT_CASE_AT_END = Q(phq9_last__lt=10, gad7_last__lt=8)
RELIABLY_BETTER = Q(phq9_last__lte=F("phq9_first") - 6) | Q(gad7_last__lte=F("gad7_first") - 4)
RELIABLY_WORSE = Q(phq9_last__gte=F("phq9_first") + 6) | Q(gad7_last__gte=F("gad7_first") + 4)


def _finished(where: Q) -> Callable[[dt.date], Q]:
    return lambda as_of: where


DEPRESSION_WHO = (
    "Clients aged 12 or over at the episode's start with major depression or dysthymia on the treatment "
    "plan (ICD-10-CM F32.0–F32.5, F32.9, F32.A, F33.x, F34.1) whose first PHQ-9 of the episode (the "
    "index) is above 9"
)
DEPRESSION_EXCLUSIONS = (
    "Bipolar disorder (F30–F31), personality disorder (F60), psychotic disorders (F20–F29), pervasive "
    "developmental disorder (F84) on any plan revision; episodes ended by death or a move to hospice or "
    "palliative care. Not applied (Attune does not record it): permanent nursing-home residence."
)
NHS_EXCLUSIONS = "Episodes with an exclusion above (diagnosis, death, hospice)."
FINISHED_WHO = (
    "Finished courses: episodes that have ended (closed, or lapsed: no attended session for "
    f"{LAPSE_DAYS} days and nothing booked) with at least two PHQ-9 and two GAD-7 scores"
)

GAD7_FINISHED = "Finished courses (ended: closed, or lapsed as above) with at least two GAD-7 scores"


def _remission(months: int, title: str | Promise, nqf: str, cms: str) -> Measure:
    column = f"phq9_at_{months}m"
    return Measure(
        key=f"depression_remission_{months}m",
        title=title,
        group="outcomes",
        numerator=f"The latest PHQ-9 between {months} months − {WINDOW_DAYS} days and {months} months + "
        f"{WINDOW_DAYS} days after the index is below 5",
        denominator=DEPRESSION_WHO + f", whose {months}-month window has closed",
        window=f"{months} months ± {WINDOW_DAYS} days after the index PHQ-9 (the version with ± 60 days; "
        "older versions used ± 30 days — reports.facts.WINDOW_DAYS); placed in time by the day the window "
        "ends, so a year's report counts the windows that closed in it",
        exclusions=DEPRESSION_EXCLUSIONS,
        source=f"{nqf} ({cms}), version with the ± 60-day window; adults and adolescents together (the "
        "age filter gives each stratum)",
        table=EpisodeFact,
        anchor="phq9_first_on",
        counts=_rate(_window_closed(months), Q(**{f"{column}__lt": 5})),
        anchor_days=_window_end_days(months),
        instrument="phq9",
    )


def _response(months: int, title: str | Promise, nqf: str) -> Measure:
    column = f"phq9_at_{months}m"
    return Measure(
        key=f"depression_response_{months}m",
        title=title,
        group="outcomes",
        numerator=f"The latest PHQ-9 in the {months}-month window (± {WINDOW_DAYS} days) is at least 50% "
        "below the index score",
        denominator=DEPRESSION_WHO + f", whose {months}-month window has closed",
        window=f"{months} months ± {WINDOW_DAYS} days after the index PHQ-9; placed in time by the day the "
        "window ends",
        exclusions=DEPRESSION_EXCLUSIONS,
        source=nqf,
        table=EpisodeFact,
        anchor="phq9_first_on",
        counts=_rate(_window_closed(months), Q(**{f"{column}__lte": F("phq9_first") * 0.5})),
        anchor_days=_window_end_days(months),
        instrument="phq9",
    )


HEDIS_WHO = DEPRESSION_WHO + f", whose {HEDIS_WINDOW[0]}–{HEDIS_WINDOW[1]}-day window has closed"
HEDIS_WINDOW_TEXT = (
    f"{HEDIS_WINDOW[0]}–{HEDIS_WINDOW[1]} days after the index PHQ-9 (the latest score in it counts); "
    "placed in time by the day the window ends"
)

MEASURES: tuple[Measure, ...] = (
    _remission(12, _("Depression remission at 12 months"), "NQF 0710", "CMS159"),
    _remission(6, _("Depression remission at 6 months"), "NQF 0711", "CMS159 at six months"),
    _response(12, _("Depression response at 12 months"), "NQF 1885"),
    _response(6, _("Depression response at 6 months"), "NQF 1884"),
    Measure(
        key="hedis_follow_up",
        title=_("Depression follow-up (HEDIS)"),
        group="outcomes",
        numerator="A PHQ-9 in the follow-up window",
        denominator=HEDIS_WHO,
        window=HEDIS_WINDOW_TEXT,
        exclusions=DEPRESSION_EXCLUSIONS,
        source="HEDIS DRR-E, follow-up rate",
        table=EpisodeFact,
        anchor="phq9_first_on",
        counts=_rate(_hedis_closed, Q(phq9_hedis__isnull=False)),
        anchor_days=HEDIS_WINDOW[1],
        instrument="phq9",
    ),
    Measure(
        key="hedis_remission",
        title=_("Depression remission (HEDIS)"),
        group="outcomes",
        numerator="The latest PHQ-9 in the follow-up window is below 5",
        denominator=HEDIS_WHO,
        window=HEDIS_WINDOW_TEXT,
        exclusions=DEPRESSION_EXCLUSIONS,
        source="HEDIS DRR-E, remission rate",
        table=EpisodeFact,
        anchor="phq9_first_on",
        counts=_rate(_hedis_closed, Q(phq9_hedis__lt=5)),
        anchor_days=HEDIS_WINDOW[1],
        instrument="phq9",
    ),
    Measure(
        key="hedis_response",
        title=_("Depression response (HEDIS)"),
        group="outcomes",
        numerator="The latest PHQ-9 in the follow-up window is at least 50% below the index score",
        denominator=HEDIS_WHO,
        window=HEDIS_WINDOW_TEXT,
        exclusions=DEPRESSION_EXCLUSIONS,
        source="HEDIS DRR-E, response rate",
        table=EpisodeFact,
        anchor="phq9_first_on",
        counts=_rate(_hedis_closed, Q(phq9_hedis__lte=F("phq9_first") * 0.5)),
        anchor_days=HEDIS_WINDOW[1],
        instrument="phq9",
    ),
    Measure(
        key="reliable_improvement",
        title=_("Reliable improvement"),
        group="outcomes",
        numerator="PHQ-9 down by 6 or more or GAD-7 down by 4 or more (first to last), and neither up "
        "by that much",
        denominator=FINISHED_WHO,
        window="The whole episode; placed in time by the day it ended",
        exclusions=NHS_EXCLUSIONS,
        source="NHS Talking Therapies",
        table=EpisodeFact,
        anchor="ended_on",
        counts=_rate(_finished(BOTH_PAIRED), RELIABLY_BETTER & ~RELIABLY_WORSE),
        instrument="phq9+gad7",
    ),
    Measure(
        key="reliable_deterioration",
        title=_("Reliable deterioration"),
        group="outcomes",
        numerator="PHQ-9 up by 6 or more or GAD-7 up by 4 or more (first to last)",
        denominator=FINISHED_WHO,
        window="The whole episode; placed in time by the day it ended",
        exclusions=NHS_EXCLUSIONS,
        source="NHS Talking Therapies",
        table=EpisodeFact,
        anchor="ended_on",
        counts=_rate(_finished(BOTH_PAIRED), RELIABLY_WORSE),
        higher_is_better=False,
        instrument="phq9+gad7",
    ),
    Measure(
        key="recovery",
        title=_("Recovery"),
        group="outcomes",
        numerator="Not a case on either scale at the last scores (PHQ-9 below 10 and GAD-7 below 8)",
        denominator=FINISHED_WHO + ", that were a case at the first (PHQ-9 10 or more, or GAD-7 8 or more)",
        window="The whole episode; placed in time by the day it ended",
        exclusions=NHS_EXCLUSIONS,
        source="NHS Talking Therapies",
        table=EpisodeFact,
        anchor="ended_on",
        counts=_rate(_finished(BOTH_PAIRED & CASE_AT_START), NOT_CASE_AT_END),
        instrument="phq9+gad7",
    ),
    Measure(
        key="reliable_recovery",
        title=_("Reliable recovery"),
        group="outcomes",
        numerator="Recovery (as above) and reliable improvement (as above)",
        denominator=FINISHED_WHO + ", that were a case at the first",
        window="The whole episode; placed in time by the day it ended",
        exclusions=NHS_EXCLUSIONS,
        source="NHS Talking Therapies",
        table=EpisodeFact,
        anchor="ended_on",
        counts=_rate(
            _finished(BOTH_PAIRED & CASE_AT_START), NOT_CASE_AT_END & RELIABLY_BETTER & ~RELIABLY_WORSE
        ),
        instrument="phq9+gad7",
    ),
    Measure(
        key="anxiety_reliable_improvement",
        title=_("Anxiety: reliable improvement (GAD-7)"),
        group="outcomes",
        numerator="GAD-7 down by 4 or more from the first score to the last",
        denominator=GAD7_FINISHED,
        window="The whole episode; placed in time by the day it ended",
        exclusions=NHS_EXCLUSIONS,
        source="NHS Talking Therapies' GAD-7 reliable change criterion, on GAD-7 alone",
        table=EpisodeFact,
        anchor="ended_on",
        counts=_rate(_finished(GAD7_PAIRED), Q(gad7_last__lte=F("gad7_first") - 4)),
        instrument="gad7",
    ),
    Measure(
        key="anxiety_recovery",
        title=_("Anxiety: recovery (GAD-7)"),
        group="outcomes",
        numerator="GAD-7 below 8 at the last score",
        denominator=GAD7_FINISHED + ", that were a case at the first (GAD-7 8 or more)",
        window="The whole episode; placed in time by the day it ended",
        exclusions=NHS_EXCLUSIONS,
        source="NHS Talking Therapies' GAD-7 caseness, on GAD-7 alone",
        table=EpisodeFact,
        anchor="ended_on",
        counts=_rate(_finished(GAD7_PAIRED & Q(gad7_first__gte=8)), Q(gad7_last__lt=8)),
        instrument="gad7",
    ),
    Measure(
        key="checkin_completion",
        title=_("Check-in completion"),
        group="engagement",
        numerator="Attended sessions whose check-in the client submitted",
        denominator="Attended sessions (including late starts)",
        window="Each session in the month it was held (clinic time)",
        exclusions="None",
        source="Attune's own",
        table=EpisodeMonth,
        anchor="month",
        counts=_ratio("completed_checkins", "attended_sessions"),
        attune_own=True,
    ),
    Measure(
        key="early_dropout",
        title=_("Early dropout"),
        group="engagement",
        numerator=f"Episodes that ended before session 4: closed as a dropout, or no attended session for "
        f"{LAPSE_DAYS} days and nothing booked",
        denominator=f"Episodes started (opened) at least {LAPSE_DAYS} days before the report is read",
        window="Placed in time by the day the episode opened",
        exclusions="Transfers and planned endings are not dropouts",
        source="Attune's own",
        table=EpisodeFact,
        anchor="opened_on",
        counts=_rate(
            lambda as_of: Q(opened_on__lte=as_of - dt.timedelta(days=LAPSE_DAYS)), Q(dropped_early=True)
        ),
        higher_is_better=False,
        attune_own=True,
    ),
    Measure(
        key="relationship_low",
        title=_("Check-ins below the relationship line"),
        group="alliance",
        numerator="Check-ins whose relationship total is below the clinic's line (the relationship.low_total "
        "rule's threshold)",
        denominator="Check-ins with a relationship total, on attended sessions",
        window="Each session in the month it was held",
        exclusions="None",
        source="Attune's own",
        table=EpisodeMonth,
        anchor="month",
        counts=_ratio("relationship_low", "relationship_rated"),
        higher_is_better=False,
        attune_own=True,
    ),
    Measure(
        key="early_risk",
        title=_("Early-risk rate"),
        group="alliance",
        numerator="Episodes with a flag raised on sessions 1–3 (any pillar)",
        denominator="Episodes with an attended session",
        window="Placed in time by the first attended session",
        exclusions="None",
        source="Attune's own",
        table=EpisodeFact,
        anchor="first_attended_on",
        counts=_rate(lambda as_of: Q(first_attended_on__isnull=False), Q(flagged_early=True)),
        higher_is_better=False,
        attune_own=True,
    ),
    Measure(
        key="repair_rate",
        title=_("Repair rate"),
        group="alliance",
        numerator="Relationship flags with a recorded repair followed, on a later check-in, by a relationship "
        "total at or above the clinic's line",
        denominator="Relationship flags",
        window="Placed in time by the episode's first attended session",
        exclusions="None",
        source="Attune's own",
        table=EpisodeFact,
        anchor="first_attended_on",
        counts=_ratio("repairs_recovered", "relationship_flags"),
        attune_own=True,
    ),
    Measure(
        key="days_to_first_session",
        title=_("Days from referral to first session"),
        group="access",
        numerator="Days from the referral (the intake when no referral date is recorded) to the first "
        "attended session, added up",
        denominator="Episodes with an attended session and a referral or intake date (the figure is the "
        "mean)",
        window="Placed in time by the first attended session",
        exclusions="Episodes without a referral or intake date",
        source="Attune's own",
        table=EpisodeFact,
        anchor="first_attended_on",
        counts=lambda as_of: (
            Sum("days_to_first_session", default=0),
            Count("days_to_first_session"),
        ),
        unit="days",
        higher_is_better=False,
        attune_own=True,
    ),
    Measure(
        key="days_between_sessions",
        title=_("Days between sessions"),
        group="access",
        numerator="Days between consecutive attended sessions of an episode, added up",
        denominator="Gaps between consecutive attended sessions (the figure is the mean)",
        window="Each gap in the month of the later session",
        exclusions="None",
        source="Attune's own",
        table=EpisodeMonth,
        anchor="month",
        counts=_ratio("gap_days", "gaps"),
        unit="days",
        higher_is_better=False,
        attune_own=True,
    ),
)

MEASURE_BY_KEY = {m.key: m for m in MEASURES}
