"""What's working and what isn't, in a few plain sentences: the spine's own lines (outcome measures,
attendance, flags) after each pillar's (care.pillars.ClientPageContribution.working / not_working)."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from care.models import Session
from care.pillars import ClientPageContribution, SessionRecord
from instruments import outcomes
from risk.models import Flag

# How the client's own page names each outcome measure: what it asks about, not its initials.
PLAIN_NAMES = {"phq9": gettext_lazy("low mood"), "gad7": gettext_lazy("worry and anxiety")}


@dataclass
class Summary:
    working: list[str] = field(default_factory=list)
    not_working: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # both, in the order they were added (the client's list)

    def add(self, working: Sequence[str] = (), not_working: Sequence[str] = ()) -> None:
        self.working += working
        self.not_working += not_working
        self.lines += [*working, *not_working]


def _measure_values(records: Sequence[SessionRecord]) -> dict[str, list[float]]:
    """Each outcome measure's totals in session order, for the measures with at least two."""
    found = {
        key: [v for r in records if (v := r.value(f"{key}.total")) is not None] for key in outcomes.NORMS
    }
    return {key: values for key, values in found.items() if len(values) > 1}


def _outcome_lines(records: Sequence[SessionRecord], summary: Summary) -> None:
    """First against latest on each outcome measure, with Jacobson & Truax's reliable change."""
    for key, values in _measure_values(records).items():
        result = outcomes.outcome(key, values[0], values[-1])
        words = {
            "improved": _("reliable improvement"),
            "deteriorated": _("reliable deterioration"),
        }.get(result.change.direction, _("no reliable change"))
        sentence = _("%(m)s from %(a)g to %(b)g: %(words)s.") % {
            "m": outcomes.NORMS[key].name,
            "a": values[0],
            "b": values[-1],
            "words": words,
        }
        if result.change.direction == "deteriorated":
            summary.add(not_working=[sentence])
        else:
            summary.add(working=[sentence])


def _attendance_lines(records: Sequence[SessionRecord], summary: Summary) -> None:
    sessions = [r.session for r in records]
    missed = [
        s for s in sessions if s.attendance in {Session.Attendance.NO_SHOW, *Session.CLINICIAN_INITIATED}
    ]
    if missed:
        summary.add(
            not_working=[
                ngettext(
                    "%(n)s no-show or clinician cancellation so far.",
                    "%(n)s no-shows or clinician cancellations so far.",
                    len(missed),
                )
                % {"n": len(missed)}
            ]
        )
    late = [s for s in sessions if s.attendance == Session.Attendance.LATE_START]
    if late:
        summary.add(
            not_working=[ngettext("%(n)s late start.", "%(n)s late starts.", len(late)) % {"n": len(late)}]
        )
    if any(s.was_attended for s in sessions) and not missed and not late:
        summary.add(working=[_("Every session so far started on time.")])


def staff_summary(
    records: Sequence[SessionRecord],
    active_flags: Sequence[Flag],
    contributions: Sequence[ClientPageContribution],
) -> Summary:
    """The clinician's summary: each pillar's lines, the outcome measures, attendance, open flags."""
    summary = Summary()
    for contribution in contributions:
        summary.add(contribution.working, contribution.not_working)
    _outcome_lines(records, summary)
    _attendance_lines(records, summary)
    if active_flags:
        summary.add(
            not_working=[
                ngettext("%(n)s active flag: see below.", "%(n)s active flags: see below.", len(active_flags))
                % {"n": len(active_flags)}
            ]
        )
    return summary


def client_summary(
    records: Sequence[SessionRecord], contributions: Sequence[ClientPageContribution]
) -> Summary:
    """The client's own page: each pillar's lines in the client's words, then whether each outcome
    measure shows less or more than at the start."""
    summary = Summary()
    for contribution in contributions:
        summary.add(contribution.working, contribution.not_working)
    for key, values in _measure_values(records).items():
        if key not in PLAIN_NAMES:
            continue
        what = {"what": PLAIN_NAMES[key]}
        if values[-1] < values[0]:
            summary.add(
                working=[_("Your answers about %(what)s show less of it than when you started.") % what]
            )
        elif values[-1] > values[0]:
            summary.add(
                not_working=[_("Your answers about %(what)s show more of it than when you started.") % what]
            )
        else:
            summary.add(
                working=[_("Your answers about %(what)s are about the same as when you started.") % what]
            )
    return summary
