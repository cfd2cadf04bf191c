"""The client's check-in pages, reached from a link or a tablet code, with no password.

The token in the address is the only authority: these views set no cookies (no browsing session, no
CSRF cookie — the unguessable token already stops a forged post), put nothing about the client in
the address, and explain an expired, used or edited link kindly instead of failing."""

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from care.links import link_find, link_status
from care.models import AccessLink, Clinic
from checkin.emails import checkin_email_portal_link
from checkin.services import (
    CheckInInvalid,
    LinkGone,
    checkin_link_from_code,
    checkin_mark_opened,
    checkin_submit,
    instruments_of,
)
from checkin.tablets import code_tries_left, note_wrong_code, tablet_of
from instruments.forms import build_steps, parse_answers

TOKEN_MAX = 64
# The thank-you page on a shared tablet carries a signed, short-lived proof of which check-in was just
# answered, so "email me my page" needs no cookie and works for no other check-in.
OWN_PAGE_SALT = "checkin-own-page-by-email"
OWN_PAGE_WINDOW = 30 * 60


def languages_offered(clinic: Clinic | None) -> list[str]:
    """The languages the clinic offers its clients (Settings › Clinic), English always; every language
    the site has when the clinic has not chosen, or the page is not yet known to be a clinic's."""
    site = [code for code, _name in settings.LANGUAGES]
    if clinic is None or not clinic.languages:
        return site
    return [code for code in site if code == "en" or code in clinic.languages]


def _language(request: HttpRequest, preferred: str = "", clinic: Clinic | None = None) -> str:
    """The page language: the one chosen on the page, else the client's own, else the browser's — each
    only if the clinic offers it; English otherwise."""
    offered = languages_offered(clinic)
    chosen = request.POST.get("lang") or request.GET.get("lang") or ""
    for candidate in (chosen, preferred, translation.get_language_from_request(request)):
        if candidate in offered:
            return candidate
    return "en"


def _page(request: HttpRequest, template: str, context: dict, *, language: str, status: int = 200):
    offered = languages_offered(context.get("clinic"))
    with translation.override(language):
        response = render(
            request,
            template,
            {**context, "page_language": language, "languages_offered": offered},
            status=status,
        )
    response["Content-Language"] = language
    return response


def _problem(request: HttpRequest, token: str, language: str) -> HttpResponse:
    """A kind page for a link that can't be used, without saying whose it was."""
    state = (
        link_status(purpose=AccessLink.Purpose.CHECKIN, token=token) if len(token) <= TOKEN_MAX else "unknown"
    )
    if state == "used":
        return _page(request, "checkin/thanks.html", {"replay": True}, language=language)
    status = 410 if state == "expired" else 404
    return _page(request, "checkin/link_problem.html", {"state": state}, language=language, status=status)


def _portal_url(token: str) -> str:
    if not token:
        return ""
    try:
        return reverse("portal", args=[token])
    except NoReverseMatch:
        return ""  # the client's own page is not installed


def _crisis_text(clinic: Clinic, language: str) -> str:
    if language == "es" and clinic.crisis_instructions_es.strip():
        return clinic.crisis_instructions_es
    return clinic.crisis_instructions


@csrf_exempt
@require_http_methods(["GET", "POST"])
def checkin_form(request: HttpRequest, token: str) -> HttpResponse:
    link = link_find(purpose=AccessLink.Purpose.CHECKIN, token=token) if len(token) <= TOKEN_MAX else None
    if link is None or link.checkin is None:
        return _problem(request, token, _language(request))
    client = link.client
    language = _language(request, client.preferred_language, client.clinic)
    checkin = link.checkin
    instruments = instruments_of(checkin, client.clinic_id)
    context = {"clinic": client.clinic, "token": token, "crisis": _crisis_text(client.clinic, language)}
    if request.method == "GET":
        checkin_mark_opened(checkin=checkin)
        context["steps"] = build_steps(instruments, language)
        return _page(request, "checkin/form.html", context, language=language)

    answers = parse_answers(instruments, request.POST)
    try:
        outcome = checkin_submit(link=link, answers=answers, language=language)
    except CheckInInvalid as invalid:
        context["steps"] = build_steps(instruments, language, request.POST, invalid.errors)
        context["error_count"] = sum(len(v) for v in invalid.errors.values())
        return _page(request, "checkin/form.html", context, language=language, status=400)
    except LinkGone:
        return _problem(request, token, language)
    context = {
        "clinic": client.clinic,
        "replay": not outcome.stored,
        "portal_url": _portal_url(outcome.portal_token),
        "crisis": _crisis_text(client.clinic, language),
        "shared_device": outcome.shared_device,
        "token": token,
    }
    if outcome.shared_device and outcome.stored and client.email and _portal_url("x"):
        context["own_page_proof"] = signing.dumps(outcome.checkin.pk, salt=OWN_PAGE_SALT)
    template = "checkin/crisis.html" if outcome.safety_concern else "checkin/thanks.html"
    return _page(request, template, context, language=language)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def checkin_code(request: HttpRequest) -> HttpResponse:
    """The clinic tablet: type the short code the clinician shows, then answer on the tablet."""
    language = _language(request)
    if request.method == "GET":
        return _page(request, "checkin/code.html", {}, language=language)
    # Wrong codes count per registered tablet, or per address for any other device (checkin.tablets).
    tablet = tablet_of(request)
    if not code_tries_left(request, tablet):
        return _page(request, "checkin/code.html", {"locked": True}, language=language, status=429)
    code = request.POST.get("code", "")[:32]
    link = link_find(purpose=AccessLink.Purpose.CHECKIN, code=code) if code.strip() else None
    if link is None:
        note_wrong_code(request, tablet)
        return _page(
            request, "checkin/code.html", {"wrong": True, "code": code}, language=language, status=400
        )
    token = checkin_link_from_code(link=link)
    url = reverse("checkin", args=[token])
    if request.POST.get("lang") in dict(settings.LANGUAGES):
        url += f"?lang={request.POST['lang']}"
    return redirect(url)


@csrf_exempt
@require_http_methods(["POST"])
def checkin_own_page_by_email(request: HttpRequest, token: str) -> HttpResponse:
    """On the clinic tablet, the client asked for their own page by email instead of a link on the
    tablet. The answer page never shows the link itself and says the tablet can be handed back."""
    language = _language(request)
    try:
        checkin_id = signing.loads(
            request.POST.get("proof", "")[:200], salt=OWN_PAGE_SALT, max_age=OWN_PAGE_WINDOW
        )
    except signing.BadSignature:
        return _page(
            request, "checkin/link_problem.html", {"state": "expired"}, language=language, status=410
        )
    checkin = checkin_email_portal_link(checkin_id=int(checkin_id))
    context = {
        "replay": True,
        "shared_device": True,
        "own_page_emailed": checkin is not None,
        "clinic": checkin.session.episode.client.clinic if checkin else None,
    }
    return _page(request, "checkin/thanks.html", context, language=language)
