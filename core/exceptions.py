"""Turn service-layer exceptions into DRF responses so services stay HTTP-free."""

import logging

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, DataError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is temporarily unavailable; try again shortly."
    default_code = "service_unavailable"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def _validation_body(exc: DjangoValidationError) -> dict:
    """Field errors stay lists under their field; an error about the whole request is
    DRF's `{"detail": "..."}` string."""
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    body: dict = {}
    for field, messages in fields.items():
        if field in ("detail", NON_FIELD_ERRORS):
            body["detail"] = " ".join(messages)
        else:
            body[field] = messages
    return body


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus Django ValidationError -> 400 and a database outage -> 503."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_validation_body(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):
        # Over DATA_UPLOAD_MAX_MEMORY_SIZE: a JSON 413 instead of Django's HTML 400.
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ParseError("Too many form fields.")
    elif isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("database unavailable: %s", exc.__class__.__name__, exc_info=exc)
        exc = ServiceUnavailable("The database is unavailable; try again shortly.")
    elif isinstance(exc, DataError):
        exc = exceptions.ValidationError({"detail": "A value is out of range or malformed."})
    elif isinstance(exc, DatabaseError):
        logger.exception("database error", exc_info=exc)
        exc = ServiceUnavailable("A database error occurred; try again shortly.")
    # Imported here: rest_framework.views loads DEFAULT_PARSER_CLASSES, i.e. core.parsers, which
    # imports this module; a process whose first import is this one (a search worker importing
    # ServiceUnavailable) would otherwise fail on the cycle.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 503:
        response["Retry-After"] = "5"
    return response
