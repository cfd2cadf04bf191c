"""The regimen pillar on the client page (care.pillars hook): the treatment plan with its revisions, and
the form to change it for the clinician who holds the episode. Not on the client's own page."""

from django.utils.translation import gettext as _

from care.pillars import ClientPageContribution, ClientPageInput, Section
from regimen.models import PlanRevision
from regimen.views import PlanForm


def client_page(view: ClientPageInput) -> ClientPageContribution:
    """The registry hook: one query (the episode's plan revisions, newest first)."""
    if view.for_client:
        return ClientPageContribution()
    revisions = list(
        PlanRevision.objects.filter(episode=view.episode).select_related("revised_by").order_by("-number")
    )
    plan = revisions[0] if revisions else None
    section = Section(
        key="plan",
        title=_("Treatment plan"),
        template="regimen/_plan.html",
        context={
            "plan": plan,
            "revisions": revisions,
            "episode": view.episode,
            "form": PlanForm(initial=PlanForm.initial_from(plan)) if view.may_write else None,
        },
    )
    return ClientPageContribution(sections=(section,))
