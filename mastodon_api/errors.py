"""Mastodon's error bodies: {"error": "..."} with 401, 403, 404, 422 and 429."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response

from core.exceptions import exception_handler as chirp_exception_handler

logger = logging.getLogger(__name__)


class Unprocessable(exceptions.APIException):
    status_code = 422
    default_detail = "Validation failed"
    default_code = "unprocessable"


def _text(detail: object) -> str:
    """One sentence from DRF's or Django's nested error details."""
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_text(value)}" if key != "detail" else _text(value) for key, value in detail.items())
    if isinstance(detail, list | tuple):
        return " ".join(_text(item) for item in detail)
    return str(detail)


def mastodon_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Chirp's handler first (service exceptions, database outages), then Mastodon's shapes."""
    if isinstance(exc, DjangoValidationError):
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = Unprocessable(f"Validation failed: {_text(messages)}")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Record not found")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "This action is not allowed")
    elif isinstance(exc, exceptions.ValidationError):
        exc = Unprocessable(f"Validation failed: {_text(exc.detail)}")
    elif isinstance(exc, exceptions.NotFound):
        exc = exceptions.NotFound("Record not found")
    response = chirp_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data:
        response.data = {"error": _text(data["detail"])}
    elif not (isinstance(data, dict) and "error" in data):
        response.data = {"error": _text(data)}
    return response
