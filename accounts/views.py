"""Staff sign-in pages after the password: give the second factor, set one up, see and change them,
and confirm it's you (care.reauth)."""

import base64
import time
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.forms import CodeForm, PasswordForm, TotpConfirmForm
from accounts.limits import lockout_response, second_factor_held_back
from accounts.policy import factors_of, has_second_factor, second_factor_pending
from care import reauth
from care.models import User
from care.text import TextError, clean_int

TOTP_SESSION_KEY = "totp_setup_device"
MAX_ID = 2**63 - 1  # the largest id PostgreSQL stores: anything bigger is no one's


def safe_next(request: HttpRequest, default: str = "home") -> str:
    """`next` from the query or form, if it stays on this site; else the person's home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, a recovery code, or a passkey."""
    next_url = safe_next(request)
    if not second_factor_pending(request):
        return HttpResponseRedirect(next_url)
    user = request.user
    if not has_second_factor(user):  # type: ignore[arg-type]
        return HttpResponseRedirect(_with_next("account-security", next_url))
    if second_factor_held_back(user.pk):
        logout(request)
        return lockout_response(request, second_factor=True)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.verify_code(request, form.cleaned_data["code"]):
            return HttpResponseRedirect(next_url)
        if second_factor_held_back(user.pk):
            logout(request)
            return lockout_response(request, second_factor=True)
        form.add_error(
            "code", _("That code didn't work. Check the app shows this account, and try the newest code.")
        )
    factors = factors_of(user)  # type: ignore[arg-type]
    context = {"form": form, "next": next_url, "factors": factors}
    return render(request, "accounts/verify.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    """The person's own sign-in security: their factors, recovery codes, and what to set up."""
    next_url = safe_next(request)
    pending = second_factor_pending(request)
    context = {
        "factors": factors_of(request.user),  # type: ignore[arg-type]
        "pending": pending,
        "may_change": services.may_change_factors(request),
        "next": next_url,
        # Just set up on the way somewhere (the sign-in's first time): offer to go on there.
        "continue_to": next_url if "next" in request.GET and not pending and next_url != request.path else "",
    }
    return render(request, "accounts/security.html", context)


def _confirm_first(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reauth.reauth_url(request, reverse("account-security")))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Scan a QR code (drawn here as SVG: no outside service sees the key), then type one code."""
    if not services.may_change_factors(request):
        return _confirm_first(request)
    next_url = safe_next(request)
    device = None
    device_id = request.session.get(TOTP_SESSION_KEY)
    if request.method == "POST" and device_id:
        device = TOTPDevice.objects.filter(pk=device_id, user=request.user, confirmed=False).first()
    if device is None:
        device = services.totp_begin(request.user)  # type: ignore[arg-type]
        request.session[TOTP_SESSION_KEY] = device.pk
    form = TotpConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if services.totp_confirm(request, device, form.cleaned_data["code"]):
            del request.session[TOTP_SESSION_KEY]
            if factors_of(request.user)["recovery"] is None:  # type: ignore[arg-type]
                return _show_recovery_codes(request, next_url, first=True)
            return HttpResponseRedirect(reverse("account-security"))
        form.add_error("code", _("That code didn't match. Type the 6 digits the app shows now."))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    qr = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, dark="#111111", light="#ffffff", omitsize=True
    )
    context = {
        "form": form,
        "qr_svg": mark_safe(qr),  # noqa: S308 - segno's own markup, from our key and username only
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": next_url,
    }
    return render(request, "accounts/totp_setup.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
def passkey_setup(request: HttpRequest) -> HttpResponse:
    """Add a passkey (the browser and the library's static script do the ceremony)."""
    if not services.may_change_factors(request):
        return _confirm_first(request)
    return render(request, "accounts/passkey_setup.html", {"next": safe_next(request)})


def _show_recovery_codes(request: HttpRequest, next_url: str, *, first: bool = False) -> HttpResponse:
    codes = services.recovery_codes_issue(request.user)  # type: ignore[arg-type]
    response = render(
        request, "accounts/recovery_codes.html", {"codes": codes, "first": first, "next": next_url}
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """A new set of recovery codes, shown this once (the old set stops working)."""
    if not services.may_change_factors(request) or not has_second_factor(request.user):  # type: ignore[arg-type]
        return _confirm_first(request)
    return _show_recovery_codes(request, safe_next(request, "account-security"))


@login_required
@require_POST
def remove_factor(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in {"totp", "passkey"} or not 0 < pk <= MAX_ID:
        return redirect("account-security")
    if not reauth.recently_authenticated(request):
        return _confirm_first(request)
    services.factor_remove(request.user, kind=kind, pk=pk)  # type: ignore[arg-type]
    return redirect("account-security")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    """Confirm it's you: the password, then the second factor when the person has one. Records the time
    (care.reauth) and returns to `next` on this site."""
    next_url = safe_next(request)
    user = request.user
    has_factor = has_second_factor(user)  # type: ignore[arg-type]
    step = "code" if has_factor and services.password_recently_confirmed(request) else "password"
    password_form = PasswordForm(request.POST if request.method == "POST" and step == "password" else None)
    code_form = CodeForm(request.POST if request.method == "POST" and step == "code" else None)
    if request.method == "POST" and step == "password" and password_form.is_valid():
        checked = authenticate(
            request, username=user.get_username(), password=password_form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request)
        if checked is not None and checked.pk == user.pk:
            if not has_factor:
                reauth.mark_authenticated(request)
                return HttpResponseRedirect(next_url)
            request.session[services.PASSWORD_CONFIRMED_KEY] = time.time()
            step = "code"
        else:
            password_form.add_error("password", _("That password didn't match."))
    elif request.method == "POST" and step == "code" and code_form.is_valid():
        if second_factor_held_back(user.pk):
            logout(request)
            return lockout_response(request, second_factor=True)
        if services.verify_code(request, code_form.cleaned_data["code"]):
            request.session.pop(services.PASSWORD_CONFIRMED_KEY, None)
            return HttpResponseRedirect(next_url)
        code_form.add_error("code", _("That code didn't work. Try the newest code from the app."))
    context = {
        "step": step,
        "password_form": password_form,
        "code_form": code_form,
        "factors": factors_of(user) if has_factor else None,  # type: ignore[arg-type]
        "next": next_url,
    }
    failed = password_form.errors or code_form.errors
    return render(request, "accounts/confirm.html", context, status=400 if failed else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reset_colleague(request: HttpRequest) -> HttpResponse:
    """The clinic admin resets a colleague's second step. Only the same clinic's admin, after
    confirming it's them; anyone else gets 404."""
    admin: User = request.user  # type: ignore[assignment]
    raw = request.POST.get("user") or request.GET.get("user") or ""
    if admin.role != User.Role.ADMIN or not admin.clinic_id:
        raise Http404
    if second_factor_pending(request):  # the admin's own second step comes first
        return HttpResponseRedirect(_with_next("two-factor-verify", request.get_full_path()))
    try:
        person_id = clean_int(raw, minimum=1, maximum=MAX_ID)
    except TextError as error:
        raise Http404 from error
    person = (
        User.objects.filter(pk=person_id, clinic_id=admin.clinic_id, is_active=True)
        .exclude(pk=admin.pk)
        .first()
    )
    if person is None:
        raise Http404
    if not reauth.recently_authenticated(request):
        return HttpResponseRedirect(
            reauth.reauth_url(request, f"{reverse('second-step-reset')}?user={person.pk}")
        )
    if request.method == "POST":
        services.second_factor_reset(actor=admin, person=person)
        messages.success(
            request, _("%(name)s will set up a new second step when they next sign in.") % {"name": person}
        )
        return HttpResponseRedirect(reverse("home"))
    return render(request, "accounts/reset.html", {"person": person})
