"""The clinic admin's instrument pages: list, load a definition file, switch versions, download as FHIR.

Only an admin of the clinic reaches them; anyone else gets the same 404 as for a page that isn't there."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from care.http import StaffRequest
from care.models import User
from instruments import fhir
from instruments.library import DefinitionError, builtin_instruments
from instruments.models import InstrumentDefinition
from instruments.schemas import Instrument
from instruments.services import (
    MAX_DEFINITION_BYTES,
    instrument_definition_set_active,
    instrument_definition_upload,
)


def _require_admin(request: StaffRequest) -> None:
    user = request.user
    if user.role != User.Role.ADMIN or not user.clinic_id or not user.is_active:
        raise Http404("Not found")


def _page(request: StaffRequest, *, errors: list[str] | None = None, status: int = 200) -> HttpResponse:
    rows = list(InstrumentDefinition.objects.filter(clinic=request.user.clinic).select_related("loaded_by"))
    loaded = []
    for row in rows:
        instrument = Instrument.model_validate(row.definition, strict=False)
        loaded.append({"row": row, "instrument": instrument})
    active_keys = {row.key for row in rows if row.active}
    builtins = [
        {"instrument": i, "overridden": key in active_keys} for key, i in builtin_instruments().items()
    ]
    context = {"loaded": loaded, "builtins": builtins, "errors": errors or [], "form": request.POST}
    return render(request, "instruments/list.html", context, status=status)


@login_required
@require_GET
def instrument_list(request: StaffRequest) -> HttpResponse:
    _require_admin(request)
    return _page(request)


@login_required
@require_POST
def instrument_upload(request: StaffRequest) -> HttpResponse:
    _require_admin(request)
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, errors=[_("Choose a definition file to load.")], status=400)
    key = request.POST.get("key", "").strip() or None
    version = request.POST.get("version", "").strip() or None
    try:
        row, warnings = instrument_definition_upload(
            actor=request.user,
            clinic=request.user.clinic,
            content=upload.read(MAX_DEFINITION_BYTES + 1),
            filename=upload.name or "",
            key=key,
            version=version,
            activate=request.POST.get("activate") == "1",
        )
    except DefinitionError as error:
        return _page(request, errors=error.problems, status=400)
    messages.success(
        request, _("Loaded %(key)s version %(version)s.") % {"key": row.key, "version": row.version}
    )
    for warning in warnings:
        messages.warning(request, warning)
    return redirect("instrument-list")


@login_required
@require_POST
def instrument_set_active(request: StaffRequest, definition_id: int) -> HttpResponse:
    _require_admin(request)
    get_object_or_404(InstrumentDefinition, clinic_id=request.user.clinic_id, pk=definition_id)
    active = request.POST.get("active") == "1"
    row = instrument_definition_set_active(
        actor=request.user, clinic=request.user.clinic, definition_id=definition_id, active=active
    )
    if active:
        messages.success(
            request,
            _("%(key)s version %(version)s is now in use.") % {"key": row.key, "version": row.version},
        )
    else:
        messages.success(
            request,
            _("%(key)s version %(version)s is switched off.") % {"key": row.key, "version": row.version},
        )
    return redirect("instrument-list")


def _questionnaire_download(instrument: Instrument) -> HttpResponse:
    body = json.dumps(fhir.instrument_to_questionnaire(instrument), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/fhir+json; charset=utf-8")
    filename = f"{instrument.key}-{instrument.version}.questionnaire.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def instrument_download(request: StaffRequest, definition_id: int) -> HttpResponse:
    _require_admin(request)
    row = get_object_or_404(InstrumentDefinition, clinic_id=request.user.clinic_id, pk=definition_id)
    return _questionnaire_download(Instrument.model_validate(row.definition, strict=False))


@login_required
@require_GET
def builtin_download(request: StaffRequest, key: str) -> HttpResponse:
    _require_admin(request)
    instrument = builtin_instruments().get(key)
    if instrument is None:
        raise Http404("Not found")
    return _questionnaire_download(instrument)
