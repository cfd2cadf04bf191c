"""The real URLs plus a few that fail on purpose, for the failure-page tests."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseGone
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as real


def _denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [
    path("boom/gone/", lambda request: HttpResponseGone()),
    path("boom/busy/", lambda request: HttpResponse(status=429, headers={"Retry-After": "900"})),
    path("boom/denied/", _denied),
    path("boom/crash/", _crash),
    path("api/v1/boom/", _crash),
    *real,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
