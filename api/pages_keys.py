"""The clinic admin's API keys page: make a key (its secret shown once), rotate, revoke; last use shown.
Only an admin of the clinic reaches it; anyone else gets the same 404 as for a page that isn't there."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from api.keys import ApiKeyError, key_issue, key_revoke, key_rotate
from api.models import ApiKey
from care.http import StaffRequest
from care.models import Clinic, User


def require_admin(request: StaffRequest) -> Clinic:
    """The admin's clinic; 404 for anyone but an active clinic admin."""
    user = request.user
    if user.role != User.Role.ADMIN or user.clinic is None or not user.is_active:
        raise Http404("Not found")
    return user.clinic


def _page(
    request: StaffRequest,
    clinic: Clinic,
    *,
    secret: str = "",
    made: ApiKey | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    keys = list(ApiKey.objects.filter(clinic=clinic).select_related("created_by"))
    context = {"keys": keys, "scopes": ApiKey.Scope.choices, "secret": secret, "made": made, "error": error}
    return render(request, "api/keys.html", context, status=status)


@login_required
@require_GET
def key_list(request: StaffRequest) -> HttpResponse:
    return _page(request, require_admin(request))


@login_required
@require_POST
def key_create(request: StaffRequest) -> HttpResponse:
    clinic = require_admin(request)
    try:
        key, secret = key_issue(
            actor=request.user,
            clinic=clinic,
            name=request.POST.get("name", ""),
            scopes=request.POST.getlist("scopes"),
        )
    except ApiKeyError as problem:
        return _page(request, clinic, error=str(problem), status=400)
    # Rendered, not redirected: the secret must not outlive this one answer (no session, no message).
    response = _page(request, clinic, secret=secret, made=key)
    response["Cache-Control"] = "no-store"
    return response


def _own_key(clinic: Clinic, key_id: int) -> ApiKey:
    key = ApiKey.objects.filter(pk=key_id, clinic=clinic).first()
    if key is None:
        raise Http404("Not found")
    return key


@login_required
@require_POST
def key_rotate_view(request: StaffRequest, key_id: int) -> HttpResponse:
    clinic = require_admin(request)
    try:
        new, secret = key_rotate(actor=request.user, key=_own_key(clinic, key_id))
    except ApiKeyError as problem:
        return _page(request, clinic, error=str(problem), status=400)
    response = _page(request, clinic, secret=secret, made=new)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def key_revoke_view(request: StaffRequest, key_id: int) -> HttpResponse:
    clinic = require_admin(request)
    key_revoke(actor=request.user, key=_own_key(clinic, key_id))
    return redirect("api-keys")
