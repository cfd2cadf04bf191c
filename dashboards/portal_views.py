"""The client's own page, reached by a link (no password)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from care.links import link_status
from care.models import AccessLink
from dashboards import portal


# Compressed: the page's charts are inline SVG, so its HTML grows with the episode (70 KB at 20 sessions
# becomes 7 KB). The page holds no CSRF token or other secret for a BREACH-style guess to recover, and
# Django's gzip adds random bytes to each response's header besides.
@gzip_page
@never_cache
@require_GET
def portal_page(request: HttpRequest, token: str) -> HttpResponse:
    page = portal.portal_read(token=token)
    if page is None:
        # Expired or unknown: a kind page that says what to do, and nothing about whose link it was.
        status = link_status(purpose=AccessLink.Purpose.PORTAL, token=token)
        return render(request, "portal/link_problem.html", {"status": status}, status=404)
    with translation.override(page.client.preferred_language):
        response = render(
            request,
            "portal/page.html",
            {
                "page": page,
                "client": page.client,
                "trend": portal.plain_trend(page),
                "charts": portal.portal_charts(page),
            },
        )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
