"""What the risk thresholds page says of each rule and each setting, in the clinic admin's words.

The meanings and figures are those of docs/risk.md ("The rules" and "Per-rule figures": cohort of 3,000
clients, seed 11, thresholds at their defaults). A test fails if a registered rule or setting has no
words here, so a new rule cannot reach the page unexplained."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RuleNote:
    meaning: Promise
    # How well the rule separated later dropouts from stayers (AUC), and how often it fired; None when
    # the cohort could not judge it.
    auc: float | None = None
    per_100_sessions: float | None = None


NOTES: dict[str, RuleNote] = {
    "relationship.low_total": RuleNote(
        _(
            "The latest check-in's relationship total (heard, goals, approach and overall, out of 40) is "
            "below this fraction of the maximum: 0.9 means below 36. Below the red fraction (0.75: 30) "
            "the flag is red unless the total is rising."
        ),
        0.75,
        10.0,
    ),
    "relationship.low_item": RuleNote(
        _("Heard (bond), goals or approach is rated this low or lower, out of 10; 3 or lower is red."),
        0.74,
        4.0,
    ),
    "relationship.drop": RuleNote(
        _(
            "Compared with the client's previous check-in, the total fell by more than its measurement "
            "noise (reliable change from the total's spread and reliability: 3.8 of 40 by default), or "
            "fell below the cutoff."
        ),
        0.56,
        4.4,
    ),
    "relationship.rupture": RuleNote(
        _(
            "The client said they felt misunderstood at a moment in the session, or the clinician noted a rupture."
        ),
        0.57,
        4.9,
    ),
    "relationship.discrepancy": RuleNote(
        _("The clinician rates the same items this many points higher than the client does, on average."),
        0.56,
        2.0,
    ),
    "relationship.low_relative": RuleNote(
        _(
            "The total is among the lowest share of this clinic's totals at the same session number, once "
            "the clinic has at least the minimum number of such ratings."
        ),
        0.73,
        3.8,
    ),
    "relationship.persistent_low": RuleNote(
        _(
            "The total is below the cutoff at the two latest check-ins, the latest from this session on; "
            "the suggested step is to talk about fit and offer a transfer."
        ),
        0.68,
        5.2,
    ),
    "readiness.low_ruler": RuleNote(
        _(
            "How important change is, or how confident the client is about it, is rated this low or lower, out of 10."
        ),
        0.52,
        0.5,
    ),
    "readiness.goal_not_endorsed": RuleNote(_("A current goal the client does not endorse.")),
    "regimen.fit": RuleNote(
        _("The client finds sessions too frequent or too rare, or the format not quite right."), 0.63, 2.8
    ),
    "regimen.plan": RuleNote(
        _(
            'The client understands or agrees with the plan only this much: 1 flags "partly" and "no", '
            '0 only "no".'
        ),
        0.76,
        4.3,
    ),
    "reliability.clinician_disruption": RuleNote(
        _(
            "Up to this session, the clinician cancelled, rescheduled, or started this many minutes late "
            "or more; twice or more is red when the rule raises flags."
        ),
        0.48,
        1.8,
    ),
    "reliability.no_show": RuleNote(_("A no-show not yet followed by an attended session.")),
    "reliability.no_rebooking": RuleNote(
        _("This many days after the last session, nothing later is scheduled and no next session is booked.")
    ),
    "reliability.no_checkin": RuleNote(
        _("No check-in this many hours after the end of the latest attended session."), 0.58, 7.7
    ),
    "phq9_item9_safety": RuleNote(
        _(
            "PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered above 0: a red flag "
            "at once, in the client's own request."
        )
    ),
}

# Each setting's name on the page; `enabled` and `informational` are switches.
SETTING_LABELS: dict[str, Promise] = {
    "enabled": _("Rule on"),
    "informational": _("Informational only (adds to a flag, never raises one)"),
    "fraction": _("Cutoff, as a fraction of the maximum"),
    "red_fraction": _("Red below, as a fraction of the maximum"),
    "at_most": _("Flag at or below"),
    "total_sd": _("Spread of the total (SD)"),
    "total_reliability": _("Reliability of the total"),
    "cutoff_fraction": _("Cutoff, as a fraction of the maximum"),
    "mean_gap": _("Average gap in points"),
    "bottom_share": _("Lowest share of the clinic"),
    "min_ratings": _("Minimum ratings before it applies"),
    "from_session": _("From session"),
    "late_minutes": _("Late start, in minutes"),
    "up_to_session": _("Up to session"),
    "days": _("Days"),
    "hours": _("Hours"),
}
