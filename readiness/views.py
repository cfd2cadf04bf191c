"""Goals in the client's words: add, endorse, achieve — from the client page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from care.access import access_episode
from care.http import StaffRequest
from care.text import limit_hint
from readiness import services
from readiness.selectors import access_goal


class GoalForm(forms.Form):
    # The limit is services.goal_add's (it refuses longer words with a message, counting a line break
    # once as the browser does); here it is shown as maxlength and in words.
    text = forms.CharField(
        label=gettext_lazy("New goal, in the client's words"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": services.MAX_GOAL}),
        help_text=lazy(limit_hint, str)(services.MAX_GOAL),
        error_messages={"required": gettext_lazy("Write the goal in the client's own words.")},
    )
    endorsed = forms.TypedChoiceField(
        label=gettext_lazy("Did the client say this is their goal?"),
        choices=[
            ("", gettext_lazy("Not asked yet")),
            ("yes", gettext_lazy("Yes")),
            ("no", gettext_lazy("No")),
        ],
        required=False,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
    )


def _back(client_id: int) -> HttpResponse:
    return redirect(reverse("client-detail", args=[client_id]) + "#goals")


@require_POST
@login_required
def goal_add(request: StaffRequest, episode_id: int) -> HttpResponse:
    # A supervisor sees the goals (403 here); the clinician holding the episode records them.
    episode = access_episode(request.user, episode_id, for_write=True)
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            services.goal_add(
                actor=request.user,
                episode=episode,
                text=form.cleaned_data["text"],
                endorsed_by_client=form.cleaned_data["endorsed"],
            )
        except services.GoalError as problem:
            messages.error(request, str(problem))
        else:
            messages.success(request, _("Goal added."))
    else:
        messages.error(request, " ".join(str(m) for field in form.errors.values() for m in field))
    return _back(episode.client_id)


@require_POST
@login_required
def goal_endorse(request: StaffRequest, goal_id: int) -> HttpResponse:
    goal = access_goal(request.user, goal_id, for_write=True)
    endorsed = request.POST.get("endorsed") == "yes"
    services.goal_set_endorsement(actor=request.user, goal=goal, endorsed=endorsed)
    messages.success(request, _("Goal updated."))
    return _back(goal.episode.client_id)


@require_POST
@login_required
def goal_achieve(request: StaffRequest, goal_id: int) -> HttpResponse:
    goal = access_goal(request.user, goal_id, for_write=True)
    try:
        services.goal_achieve(actor=request.user, goal=goal)
    except services.GoalError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, _("Goal marked achieved."))
    return _back(goal.episode.client_id)
