"""The clinic admin's webhooks page: add an endpoint (its signing secret shown once), switch it off, read
the delivery log and replay a delivery. Clinic admins only (404 for anyone else)."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from api import webhooks
from api.models import WebhookDelivery, WebhookEndpoint
from api.outbox import replay
from api.pages_keys import require_admin
from care.audit import audit_record
from care.http import StaffRequest
from care.models import AuditEvent, Clinic

LOG_ROWS = 50


def _page(request: StaffRequest, clinic: Clinic, *, secret: str = "", error: str = "", status: int = 200):
    endpoints = list(WebhookEndpoint.objects.filter(clinic=clinic))
    deliveries = list(
        WebhookDelivery.objects.filter(endpoint__clinic=clinic).select_related("endpoint")[:LOG_ROWS]
    )
    context = {
        "endpoints": endpoints,
        "deliveries": deliveries,
        "events": WebhookEndpoint.Event.values,
        "secret": secret,
        "error": error,
        "form": request.POST,
    }
    return render(request, "api/webhooks.html", context, status=status)


@login_required
@require_GET
def webhook_list(request: StaffRequest) -> HttpResponse:
    return _page(request, require_admin(request))


@login_required
@require_POST
def webhook_create(request: StaffRequest) -> HttpResponse:
    clinic = require_admin(request)
    url = request.POST.get("url", "").strip()[:500]
    events = [e for e in request.POST.getlist("events") if e in WebhookEndpoint.Event.values]
    try:
        webhooks.check_url(url)
    except webhooks.EndpointRefused as refused:
        return _page(request, clinic, error=str(refused), status=400)
    if not events:
        return _page(request, clinic, error=_("Choose at least one event."), status=400)
    secret = webhooks.new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(clinic=clinic, url=url, events=events, secret=secret)
        audit_record(
            actor=request.user, action=AuditEvent.Action.CREATE, obj=endpoint, detail={"events": events}
        )
    response = _page(request, clinic, secret=secret)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def webhook_toggle(request: StaffRequest, endpoint_id: int) -> HttpResponse:
    clinic = require_admin(request)
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, clinic=clinic).first()
    if endpoint is None:
        raise Http404("Not found")
    with transaction.atomic():
        endpoint.active = not endpoint.active
        endpoint.save(update_fields=["active"])
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.UPDATE,
            obj=endpoint,
            detail={"active": endpoint.active},
        )
    return redirect("api-webhooks")


@login_required
@require_POST
def webhook_replay(request: StaffRequest, delivery_id: int) -> HttpResponse:
    clinic = require_admin(request)
    delivery = (
        WebhookDelivery.objects.filter(pk=delivery_id, endpoint__clinic=clinic)
        .select_related("endpoint")
        .first()
    )
    if delivery is None:
        raise Http404("Not found")
    replay(delivery)
    return redirect("api-webhooks")
