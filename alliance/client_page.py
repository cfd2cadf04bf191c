"""The relationship pillar on the client page and the caseload (care.pillars hooks): the item-by-item
chart, the summary lines, each session's score and the clinician's own rating, and the caseload's trend.

Every cutoff here is the clinic's own: the fraction the relationship.low_total rule flags against."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.charts import ITEM_MAX, relationship_figure
from alliance.models import ClinicianRating
from alliance.rules import TOTAL_ITEMS
from care.models import Clinic
from care.pillars import CaseloadTrend, ClientPageContribution, ClientPageInput, Figure, SessionNote
from risk.rules import rule_by_id
from risk.thresholds import ThresholdsError, rule_params

TOTAL = "relationship.total"
LOW_TOTAL_RULE = "relationship.low_total"
MAXIMUM = ITEM_MAX * len(TOTAL_ITEMS)


def cutoff_fraction(clinic: Clinic) -> float:
    """The clinic's line for the relationship, as a fraction of the maximum (0.9 unless it set its own):
    the same number the relationship.low_total rule flags against."""
    try:
        return rule_params(clinic, LOW_TOTAL_RULE)["fraction"]
    except ThresholdsError:
        # Stored thresholds that no longer validate: the rules skip the clinic and its admin is told on
        # the clinic page; the pages still draw, with the rule's default line.
        return rule_by_id()[LOW_TOTAL_RULE].defaults["fraction"]


def total_cutoff(clinic: Clinic) -> float:
    """The clinic's line for the relationship total: 36 of 40 by default."""
    return round(cutoff_fraction(clinic) * MAXIMUM, 2)


CASELOAD_TREND = CaseloadTrend(
    instrument="relationship",
    scale="total",
    label=gettext_lazy("Relationship"),
    values_label=gettext_lazy("Relationship totals, oldest first:"),
    low=16,  # totals bunch near the top: a floor of 16 leaves the sparkline room to show a dip
    high=MAXIMUM,
    cutoff=total_cutoff,
)


def _totals(view: ClientPageInput) -> list[tuple[int, float]]:
    return [(r.session.number, v) for r in view.sessions if (v := r.value(TOTAL)) is not None]


def _staff_summary(totals: list[tuple[int, float]], cutoff: float) -> tuple[list[str], list[str]]:
    working: list[str] = []
    not_working: list[str] = []
    if not totals:
        return working, not_working
    number, latest = totals[-1]
    if latest >= cutoff:
        working.append(_("Relationship rated %(v)g/40 at session %(n)s.") % {"v": latest, "n": number})
    else:
        not_working.append(
            _("Relationship rated %(v)g/40 at session %(n)s, below %(c)g.")
            % {"v": latest, "n": number, "c": cutoff}
        )
    if len(totals) > 1 and latest < totals[-2][1]:
        not_working.append(
            _("Relationship dropped from %(a)g to %(b)g since the session before.")
            % {"a": totals[-2][1], "b": latest}
        )
    return working, not_working


def _client_summary(totals: list[tuple[int, float]]) -> tuple[list[str], list[str]]:
    """How the client rates the work together, in their own words: up, down or the same since the first."""
    if not totals:
        return [], []
    first, last = totals[0][1], totals[-1][1]
    if len(totals) == 1:
        line = _("After your first rated session, you gave our work together %(v)s out of 40.") % {
            "v": f"{last:g}"
        }
    elif last > first:
        line = _("How you rate our work together has gone up, from %(a)s to %(b)s out of 40.") % {
            "a": f"{first:g}",
            "b": f"{last:g}",
        }
    elif last < first:
        down = _(
            "How you rate our work together has gone down, from %(a)s to %(b)s out of 40. "
            "Your clinician sees this too and may ask you about it."
        )
        return [], [down % {"a": f"{first:g}", "b": f"{last:g}"}]
    else:
        line = _("How you rate our work together has stayed at %(v)s out of 40.") % {"v": f"{last:g}"}
    return [line], []


def _chart_rows(view: ClientPageInput, ratings: dict[int, ClinicianRating]) -> list[dict]:
    rows = []
    for record in view.sessions:
        client_items = record.answers.get("relationship") or None
        rating = ratings.get(record.session.pk)
        if client_items or rating is not None:
            rows.append(
                {
                    "number": record.session.number,
                    "date": record.date,
                    "client": client_items,
                    "clinician": rating.answers if rating is not None else None,
                }
            )
    return rows


def _session_notes(
    view: ClientPageInput, ratings: dict[int, ClinicianRating]
) -> dict[int, tuple[SessionNote, ...]]:
    """Each session's relationship total on its line; for the clinician, also their own rating."""
    label = _("Relationship")
    notes: dict[int, tuple[SessionNote, ...]] = {}
    for record in view.sessions:
        found = []
        score = record.scores.get(TOTAL)
        if score is not None:
            found.append(SessionNote(chip=f"{label} {score.value:.0f}/{score.maximum:g}"))
        rating = ratings.get(record.session.pk)
        if rating is not None:
            found.append(
                SessionNote(
                    title=_("Clinician's own rating"),
                    rows=tuple((str(k).capitalize(), str(v)) for k, v in rating.answers.items()),
                    remark=(_("Rupture noticed:"), rating.rupture_note) if rating.rupture_noticed else None,
                )
            )
        if found:
            notes[record.session.pk] = tuple(found)
    return notes


def client_page(view: ClientPageInput) -> ClientPageContribution:
    """The registry hook: one query (the clinician's ratings for the episode), whatever its length. The
    client's own page shows their ratings only, never the clinician's."""
    ratings = (
        {}
        if view.for_client
        else {r.session_id: r for r in ClinicianRating.objects.filter(session__episode=view.episode)}
    )
    fraction = cutoff_fraction(view.client.clinic)
    totals = _totals(view)
    if view.for_client:
        working, not_working = _client_summary(totals)
    else:
        working, not_working = _staff_summary(totals, round(fraction * MAXIMUM, 2))
    rows = _chart_rows(view, ratings)
    figures: tuple[Figure, ...] = ()
    if rows:
        figure = relationship_figure(rows, cutoff=round(fraction * ITEM_MAX, 2))
        figures = (Figure(key="relationship", figure=figure, wide=True, tall=True, order=10),)
    return ClientPageContribution(
        figures=figures,
        working=tuple(working),
        not_working=tuple(not_working),
        session_notes=_session_notes(view, ratings),
    )
