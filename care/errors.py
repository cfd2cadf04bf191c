"""Failure pages people can read: 400/403/404/405/410/429/500 in the page's language, on the site's own
template. On the client's pages (check-in `/c/`, own page `/me/`) they carry the clinic's crisis text
when the address names a link we know, else a general "call your local emergency number".

Rendered without the request's context processors, so a 500 caused by a database that is down does not
fail again reading the signed-in user or their messages; if even that fails, a plain page answers."""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from care import denials
from care.links import hash_secret
from care.models import AccessLink, Clinic

log = logging.getLogger(__name__)

CLIENT_PREFIXES = ("/c/", "/me/")
TOKEN_MAX = 64

MESSAGES = {
    400: (
        _("We couldn't read that request"),
        _("Something in what was sent was not in the form we expected. Go back and try again."),
    ),
    403: (
        _("This page isn't open to you"),
        _("You don't have access to this page. If you think you should, ask your clinic's administrator."),
    ),
    404: (
        _("We can't find this page"),
        _("The address may be mistyped or cut short, or the page may have moved."),
    ),
    405: (
        _("This page can't be used that way"),
        _("The page was asked to do something it doesn't do. Go back and use the page's own buttons."),
    ),
    410: (
        _("This page is no longer available"),
        _("It was available for a limited time. Nothing is wrong and nothing was lost."),
    ),
    429: (
        _("Too many tries — please wait a little"),
        _("For safety we pause after many tries in a short time. Please wait 15 minutes, then try again."),
    ),
    500: (
        _("Something went wrong on our side"),
        _(
            "Nothing you did caused this, and what you had already saved is safe. Please try again in a few minutes."
        ),
    ),
}
FRIENDLY = frozenset(MESSAGES)

FALLBACK = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Error</title>"
    "<h1>Something went wrong</h1><p>Please try again in a few minutes. If you are in danger, call your "
    "local emergency number now.</p></html>"
)


def _link_clinic(path: str) -> tuple[Clinic | None, str]:
    """The clinic (and the client's language) behind a /c/<token>/ or /me/<token>/ address, if known."""
    parts = path.strip("/").split("/")
    if len(parts) < 2 or not parts[1] or len(parts[1]) > TOKEN_MAX:
        return None, ""
    try:
        link = (
            AccessLink.objects.filter(token_hash=hash_secret(parts[1]))
            .select_related("client__clinic")
            .first()
        )
    except Exception:  # the database may be what failed
        log.warning("error page: clinic lookup failed", exc_info=True)
        return None, ""
    return (link.client.clinic, link.client.preferred_language) if link else (None, "")


def _language(request: HttpRequest, preferred: str) -> str:
    available = dict(settings.LANGUAGES)
    for choice in (request.GET.get("lang", ""), preferred):
        if choice in available:
            return choice
    return translation.get_language() or settings.LANGUAGE_CODE


def _crisis(clinic: Clinic | None, language: str) -> str:
    if clinic is None:
        return ""
    if language == "es" and clinic.crisis_instructions_es.strip():
        return clinic.crisis_instructions_es
    return clinic.crisis_instructions


def error_page(request: HttpRequest, status: int) -> HttpResponse:
    """The styled page for `status`; JSON under /api/, where programs read the answer."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(MESSAGES[status][0])}, status=status)
    client_facing = request.path.startswith(CLIENT_PREFIXES)
    clinic, preferred = _link_clinic(request.path) if client_facing else (None, "")
    language = _language(request, preferred)
    try:
        with translation.override(language):
            title, explanation = MESSAGES[status]
            context = {
                "status": status,
                "title": title,
                "explanation": explanation,
                "client_facing": client_facing,
                "clinic": clinic,
                "crisis": _crisis(clinic, language),
                "page_language": language,
            }
            body = render_to_string("errors/error.html", context)
    except Exception:
        log.exception("error page could not be rendered")
        return HttpResponse(FALLBACK, status=status)
    response = HttpResponse(body, status=status)
    response["Content-Language"] = language
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    denials.record_exception(request, exception, denials.FORBIDDEN)
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Someone else's object (a scoped loader's 404), or any 404 a signed-in user meets; an anonymous
    # mistyped address is not a refusal worth a row.
    user = getattr(request, "user", None)
    if isinstance(exception, denials.NotVisible) or (user is not None and user.is_authenticated):
        denials.record_exception(request, exception, denials.NOT_FOUND)
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500)


class FriendlyErrorsMiddleware:
    """A bare failure answer (405 from a method check, a 410 or 429 with no page of its own) gets the
    styled page; its headers (Allow, Retry-After) are kept. Answers that already have a body are left."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 429:  # a too-many-tries limit (tablet codes): a lockout, recorded
            denials.record_denial(request, denials.LOCKOUT, object_type="rate limit")
        if response.status_code not in FRIENDLY or getattr(response, "streaming", False) or response.content:
            return response
        page = error_page(request, response.status_code)
        for header in ("Allow", "Retry-After"):
            if header in response:
                page[header] = response[header]
        return page
