"""The clinic admin's tablets page: register the device it is opened on as a clinic tablet, or revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from care.models import Tablet, User
from care.text import TextError, clean_int, clean_text
from checkin.tablets import set_tablet_cookie, tablet_of, tablet_register, tablet_revoke

MAX_ID = 2**63 - 1


@login_required
@require_http_methods(["GET", "POST"])
def tablets(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.role != User.Role.ADMIN or not user.clinic_id:
        raise Http404
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            try:
                tablet_id = clean_int(request.POST.get("tablet", ""), minimum=1, maximum=MAX_ID)
            except TextError as error:
                raise Http404 from error
            revoked = tablet_revoke(actor=user, tablet_id=tablet_id)
            messages.success(
                request, _("%(name)s can no longer be used as a clinic tablet.") % {"name": revoked.name}
            )
            return redirect("checkin-tablets")
        try:
            name = clean_text(request.POST.get("name", ""), max_length=60)
        except TextError as error:
            messages.error(request, str(error))
            return redirect("checkin-tablets")
        if request.POST.get("action") == "register" and name:
            tablet = tablet_register(actor=user, name=name)
            response = redirect("checkin-tablets")
            set_tablet_cookie(response, tablet)
            messages.success(request, _("This device is now registered as %(name)s.") % {"name": tablet.name})
            return response
        messages.error(request, _("Give the tablet a name, such as “Front desk”."))
        return redirect("checkin-tablets")
    context = {
        "tablets": Tablet.objects.filter(clinic_id=user.clinic_id, revoked_at__isnull=True),
        "this_tablet": tablet_of(request),
    }
    return render(request, "checkin/tablets.html", context)
