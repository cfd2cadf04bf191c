"""The flag inbox and the clinician's steps on a flag: acknowledge, record a repair, resolve.

Every step is a plain form POST that redirects back (works without JavaScript). static/js/flags/
actions.js sends the same POST with `X-Requested-With: fetch` and swaps in the updated card instead."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from care.access import may_write
from care.http import StaffRequest
from care.models import User
from risk import selectors
from risk.models import Flag
from risk.services import FlagStepError, flag_acknowledge, flag_record_repair, flag_resolve
from risk.titles import titled

EVENT_WORDS = {
    "raised": gettext_lazy("Raised"),
    "updated": gettext_lazy("New evidence"),
    "reopened": gettext_lazy("Open again: new since acknowledged"),
    "acknowledged": gettext_lazy("Acknowledged"),
    "repair_recorded": gettext_lazy("Repair recorded"),
    "resolved": gettext_lazy("Resolved"),
    "marked_stale": gettext_lazy("Unacknowledged too long"),
}


def _wants_fragment(request: StaffRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _back(request: StaffRequest, flag: Flag) -> HttpResponse:
    target = request.POST.get("next", "")
    # Only a path on this site: anything else (another host, or a word that redirect() would try to
    # reverse as a URL name) goes to the inbox.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=False
    ):
        target = ""
    return redirect(target or "flag-inbox")


def _may_act(user: User, flag: Flag) -> bool:
    # The clinician who holds the episode acts on its flags; a supervisor sees them, read-only.
    return may_write(user, flag.episode)


@login_required
@require_GET
def flag_inbox(request: StaffRequest) -> HttpResponse:
    if request.user.role == User.Role.ADMIN:
        raise PermissionDenied
    active, stale, resolved = selectors.flag_inbox_read(request.user)
    titled([*active, *stale, *resolved])
    return render(
        request,
        "risk/inbox.html",
        {"flags": active, "stale": stale, "resolved": resolved},
    )


@login_required
@require_GET
def flag_detail(request: StaffRequest, flag_id: int) -> HttpResponse:
    flag = titled([selectors.flag_detail_read(request.user, flag_id)])[0]
    for event in flag.history:
        event.label = EVENT_WORDS.get(event.action, event.action)
    return render(request, "risk/detail.html", {"flag": flag, "may_act": _may_act(request.user, flag)})


def _step(request: StaffRequest, flag_id: int, do, done_message: str) -> HttpResponse:
    flag = selectors.access_flag(request.user, flag_id, for_write=True)
    error = ""
    try:
        flag = do(flag)
    except FlagStepError as problem:
        error = str(problem)
    if _wants_fragment(request):
        flag = titled([selectors.access_flag(request.user, flag.pk)])[0]
        return render(
            request,
            "risk/_card.html",
            {
                "flag": flag,
                "may_act": True,
                "error": error,
                "done": "" if error else done_message,
                # the card keeps its heading level where it sits (h2 on the flag page, h3 in lists)
                "card_heading": 2 if request.POST.get("card_heading") == "2" else 3,
            },
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done_message)
    return _back(request, flag)


def _text(request: StaffRequest, name: str) -> str:
    # Not cut short here: the service refuses words over its limit with a message (risk.services.MAX_NOTE).
    return request.POST.get(name, "")


@login_required
@require_POST
def flag_acknowledge_view(request: StaffRequest, flag_id: int) -> HttpResponse:
    return _step(
        request,
        flag_id,
        lambda flag: flag_acknowledge(flag=flag, actor=request.user),
        _("Acknowledged. Record what you did once you have talked it through."),
    )


@login_required
@require_POST
def flag_repair_view(request: StaffRequest, flag_id: int) -> HttpResponse:
    return _step(
        request,
        flag_id,
        lambda flag: flag_record_repair(flag=flag, actor=request.user, note=_text(request, "note")),
        _("Repair recorded. The flag resolves by itself when a later check-in shows recovery."),
    )


@login_required
@require_POST
def flag_resolve_view(request: StaffRequest, flag_id: int) -> HttpResponse:
    return _step(
        request,
        flag_id,
        lambda flag: flag_resolve(flag=flag, actor=request.user, reason=_text(request, "reason")),
        _("Resolved."),
    )
