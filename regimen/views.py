"""The treatment plan: edit it from the client page; every change is kept as a revision."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from care.access import require_write
from care.http import StaffRequest
from care.text import limit_hint
from regimen import selectors, services
from regimen.models import PlanRevision

_hint = lazy(limit_hint, str)


class PlanForm(forms.Form):
    """The limits are services.plan_revise's own (it refuses what is over them); shown here as maxlength
    and in words. The note's limit is left to the service, which counts a line break once as the browser
    does (a textarea posts CR LF)."""

    diagnosis_code = forms.CharField(
        label=gettext_lazy("Diagnosis (ICD-10 code)"),
        max_length=services.MAX_CODE,
        help_text=gettext_lazy("For example F33.1"),
    )
    diagnosis_label = forms.CharField(
        label=gettext_lazy("Diagnosis in words"),
        max_length=services.MAX_LABEL,
        help_text=_hint(services.MAX_LABEL),
    )
    modality = forms.ChoiceField(label=gettext_lazy("Modality"), choices=PlanRevision.Modality.choices)
    frequency = forms.ChoiceField(label=gettext_lazy("Frequency"), choices=PlanRevision.Frequency.choices)
    container = forms.ChoiceField(label=gettext_lazy("Container"), choices=PlanRevision.Container.choices)
    note = forms.CharField(
        label=gettext_lazy("Why the plan changed"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": services.MAX_NOTE}),
        help_text=_hint(services.MAX_NOTE),
    )

    @staticmethod
    def initial_from(plan: PlanRevision | None) -> dict:
        if plan is None:
            return {
                "frequency": PlanRevision.Frequency.WEEKLY,
                "container": PlanRevision.Container.INDIVIDUAL,
            }
        return {
            "diagnosis_code": plan.diagnosis_code,
            "diagnosis_label": plan.diagnosis_label,
            "modality": plan.modality,
            "frequency": plan.frequency,
            "container": plan.container,
        }


@never_cache
@login_required
def plan_edit(request: StaffRequest, episode_id: int) -> HttpResponse:
    """GET: the plan with its history and a form; POST: save a new revision, back to the client page."""
    episode, revisions = selectors.plan_history_read(request.user, episode_id)
    current = revisions[0] if revisions else None
    if request.method == "POST":
        require_write(request.user, episode)  # a supervisor reads the plan (403 on a post)
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                revision = services.plan_revise(actor=request.user, episode=episode, **form.cleaned_data)
            except services.PlanError as problem:
                for name, message in problem.errors.items():
                    form.add_error(name, message)
            else:
                messages.success(request, _("Plan saved as revision %(n)s.") % {"n": revision.number})
                return redirect(reverse("client-detail", args=[episode.client_id]) + "#plan")
    else:
        form = PlanForm(initial=PlanForm.initial_from(current))
    return render(
        request,
        "regimen/plan_edit.html",
        {"episode": episode, "client": episode.client, "revisions": revisions, "form": form},
        status=400 if request.method == "POST" else 200,
    )
