"""Where media files live: Django's STORAGES["default"] (the file system, or S3 through
django-storages), random names, and the absolute URLs clients fetch them from.

URLs are built here, not by the storage: `base + name` costs nothing per media object on
a feed page (S3Storage.url() goes through botocore), and the base is the same for every
file. With a relative MEDIA_URL (the file system under `make run`), the base is taken from
the request being served (`MediaBaseMiddleware`), so a client reaching the server as
http://127.0.0.1:8000 or https://chirp.example gets URLs it can open.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from contextvars import ContextVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.http import HttpRequest, HttpResponse

_request: ContextVar[HttpRequest | None] = ContextVar("media_request", default=None)


def storage() -> Storage:
    return storages["default"]


def new_name(extension: str) -> str:
    """A fresh unguessable name (128 random bits), spread over 256 folders: `ab/<32 hex>.jpg`."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}.{extension}"


def save(name: str, data: bytes) -> None:
    """Write a file under exactly `name` (random names never collide; S3 skips its existence check)."""
    stored = storage().save(name, ContentFile(data))
    if stored != name:  # pragma: no cover - FileSystemStorage renames only on a collision
        storage().delete(stored)
        raise RuntimeError(f"storage wrote {stored} instead of {name}")


def delete(names: Iterable[str]) -> None:
    """Delete files; one that is already gone is fine (every caller may run twice)."""
    target = storage()
    for name in names:
        target.delete(name)


def public_base() -> str:
    """The absolute URL files are served under, ending in "/". Within a request it is worked
    out once and kept on the request (a feed page renders 80 media objects)."""
    request = _request.get()
    if request is not None:
        cached = request.__dict__.get("_media_base")
        if cached is not None:
            return str(cached)
    base = _base(request)
    if request is not None:
        request._media_base = base  # type: ignore[attr-defined]
    return base


def public_base_for(site: str) -> str:
    """public_base() for a server URL (`https://chirp.example`) rather than the request being
    served: the stream process renders statuses outside any Django request."""
    absolute = _absolute_base()
    if absolute is not None:
        return absolute
    return site.rstrip("/") + _media_path()


def _media_path() -> str:
    return settings.MEDIA_URL if settings.MEDIA_URL.endswith("/") else settings.MEDIA_URL + "/"


def _absolute_base() -> str | None:
    """The base when it does not depend on the host a client used (a public URL, S3), else None."""
    configured = settings.MEDIA_PUBLIC_URL
    if configured:
        return configured if configured.endswith("/") else configured + "/"
    if settings.MEDIA_S3_BUCKET:
        endpoint = (settings.MEDIA_S3_ENDPOINT_URL or "https://s3.amazonaws.com").rstrip("/")
        return f"{endpoint}/{settings.MEDIA_S3_BUCKET}/"
    path = _media_path()
    return path if "://" in path else None


def _base(request: HttpRequest | None) -> str:
    absolute = _absolute_base()
    if absolute is not None:
        return absolute
    if request is None:  # a task or a command: no host to go by
        return f"http://localhost{_media_path()}"
    # What build_absolute_uri(path) gives for an absolute path, without its URL parsing.
    return f"{request.scheme}://{request.get_host()}{_media_path()}"


def public_url(name: str) -> str:
    return public_base() + name


class MediaBaseMiddleware:
    """Remember the request being served, for `public_base` (the host of relative MEDIA_URLs).

    Costs a context variable set per request; the host is read only when a media URL is built.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
