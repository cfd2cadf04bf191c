"""The readiness pillar on the client page (care.pillars hook): goals in the client's words (with the
forms for the clinician who holds the episode) and the importance and confidence chart."""

from django.utils.translation import gettext as _

from care.pillars import ClientPageContribution, ClientPageInput, Figure, Section
from readiness.charts import readiness_figure
from readiness.models import Goal
from readiness.views import GoalForm

IMPORTANCE, CONFIDENCE = "readiness.importance", "readiness.confidence"


def _chart_rows(view: ClientPageInput) -> list[dict]:
    return [
        {
            "number": record.session.number,
            "date": record.date,
            "importance": record.value(IMPORTANCE),
            "confidence": record.value(CONFIDENCE),
        }
        for record in view.sessions
        if IMPORTANCE in record.scores or CONFIDENCE in record.scores
    ]


def _goals_section(view: ClientPageInput, goals: list[Goal]) -> Section:
    if view.for_client:
        return Section(
            key="goals",
            title=_("Your goals"),
            template="readiness/_portal_goals.html",
            context={"goals": goals},
        )
    return Section(
        key="goals",
        title=_("Goals, in the client's words"),
        template="readiness/_goals.html",
        context={
            "goals": goals,
            "episode": view.episode,
            "form": GoalForm() if view.may_write else None,
        },
    )


def client_page(view: ClientPageInput) -> ClientPageContribution:
    """The registry hook: one query (the episode's goals)."""
    goals = list(Goal.objects.filter(episode=view.episode).order_by("achieved_on", "set_on", "id"))
    rows = _chart_rows(view)
    figures = (Figure(key="readiness", figure=readiness_figure(rows), order=30),) if rows else ()
    return ClientPageContribution(sections=(_goals_section(view, goals),), figures=figures)
