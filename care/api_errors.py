"""JSON API errors: every 4xx is a clear JSON body; a parser RecursionError is a 400, not a 500."""

import logging

from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger("attune.api")


def exception_handler(exc, context):
    if isinstance(exc, RecursionError):
        exc = exceptions.ParseError("The JSON body is nested too deeply.")
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
    return response
