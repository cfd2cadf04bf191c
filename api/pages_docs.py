"""The API docs page: Swagger UI served from our own static files (no CDN), so it works under the site's
Content Security Policy. Public, like the schema it reads: it holds no clinic's data."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs.html")
