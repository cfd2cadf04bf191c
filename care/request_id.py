"""A request id on every request, its response and every log line written while it is handled; and error
reports that never carry what was posted.

- The id is the proxy's `X-Request-ID` when a proxy is trusted (TRUSTED_PROXY_COUNT > 0, as for the
  client's address in care/client_ip.py) and the value is a plain token (letters, digits, `.`, `_`, `-`,
  8–64 characters: nothing that could forge a log line); otherwise a new uuid4. It is answered in the
  response's `X-Request-ID`, so a person reporting a failure page can quote it.
- `RequestIdFilter` puts it on every log record as `request_id` ("-" outside a request: Celery, commands),
  for the LOGGING formatter in config/settings.py.
- `NoBodyExceptionReporterFilter` (DEFAULT_EXCEPTION_REPORTER_FILTER): an error report (the 500 email,
  the technical page) shows every posted field as stars — a check-in's answers, a note, a password — and,
  outside DEBUG, no local variables of the failing code, which may hold the same words.
"""

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.debug import SafeExceptionReporterFilter

HEADER = "X-Request-ID"
_SAFE = re.compile(r"[A-Za-z0-9._-]{8,64}")
_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    """The id of the request being handled, or "-" outside one."""
    return _current.get()


def request_id_for(request: HttpRequest) -> str:
    given = request.headers.get(HEADER, "")
    if settings.TRUSTED_PROXY_COUNT > 0 and _SAFE.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Outermost, so the id is set before anything logs and is still set when Django logs a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `record.request_id` (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True


class NoBodyExceptionReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        if self.is_active(request):
            return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
        return super().get_traceback_frame_variables(request, tb_frame)
