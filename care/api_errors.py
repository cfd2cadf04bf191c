"""JSON API errors: every 4xx is a clear JSON body; a parser RecursionError is a 400, not a 500."""

import logging

from django.core.exceptions import PermissionDenied
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from care import denials

logger = logging.getLogger("attune.api")


def exception_handler(exc, context):
    if isinstance(exc, RecursionError):
        exc = exceptions.ParseError("The JSON body is nested too deeply.")
    # Refused access through the API is recorded as on a page (care/denials.py).
    if isinstance(exc, denials.NotVisible):
        denials.record_exception(context.get("request"), exc, denials.NOT_FOUND)
    elif isinstance(exc, (PermissionDenied, exceptions.PermissionDenied)):
        denials.record_exception(context.get("request"), exc, denials.FORBIDDEN)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
    return response
