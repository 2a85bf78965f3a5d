"""Request id middleware (every log line of a request carries the same id), outage answers, /api/ paths."""

import functools
import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, URLResolver, get_resolver

from core import replicas
from core.logging import request_id_var

logger = logging.getLogger(__name__)

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Take X-Request-ID from a trusted proxy when well-formed, else make one; echo it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class DatabaseUnavailableMiddleware:
    """A database outage outside the DRF views (admin, session log-in) is a 503, not a 500.

    DRF views get the same answer from core.exceptions; this covers plain Django views.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable: %s", exception.__class__.__name__)
        response = JsonResponse({"detail": "The database is unavailable; try again shortly."}, status=503)
        response["Retry-After"] = "5"
        return response


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReplicaReadMiddleware:
    """Let a safe request read from a replica unless its client wrote within REPLICA_PIN_SECONDS;
    pin the client of an unsafe request (core/replicas.py). Not installed without replicas.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.REPLICA_DATABASES:
            raise MiddlewareNotUsed  # one database: no per-request cost at all
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        safe = request.method in _SAFE_METHODS
        with replicas.replica_reads(allowed=safe and not replicas.is_pinned(request)):
            response = self.get_response(request)
        if not safe:
            replicas.pin(request, response)
        return response


def _resolves(request: HttpRequest, path: str) -> bool:
    return _resolvable(get_resolver(getattr(request, "urlconf", None)), path)


@functools.lru_cache(maxsize=4096)
def _resolvable(resolver: URLResolver, path: str) -> bool:
    """Whether `resolver` routes `path`; remembered, since Django resolves the path again to
    serve it (a resolver is replaced, not changed, when the URLconf changes)."""
    try:
        resolver.resolve(path)
    except Resolver404:
        return False
    return True


class ApiPathMiddleware:
    """Under /api/, serve a path given without (or with) its trailing slash; answer an unknown one in JSON.

    Django's APPEND_SLASH would answer a 301, which clients follow with a GET (a POST loses
    its body) or not at all, and its 404 page is HTML. Here the request is routed to the
    path that exists, and a path that exists neither way is `{"detail": "Not found."}`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if (path == "/api" or path.startswith("/api/")) and not _resolves(request, path):
            other = path[:-1] if path.endswith("/") else f"{path}/"
            if not _resolves(request, other):
                return JsonResponse({"detail": "Not found."}, status=404)
            prefix = request.path[: len(request.path) - len(path)]
            request.path_info = other
            request.path = prefix + other
        return self.get_response(request)
