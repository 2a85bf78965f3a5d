"""What every web view shares: the page's frame (navigation, unread count, live stream),
where a form's POST goes back to, paging, and how refusals become pages.

The web app has no rules of its own: a refusal is the service's or selector's exception
(ValidationError, PermissionDenied, Http404) shown with the status the API would answer.
"""

import gzip
import re
import secrets
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib.auth.views import redirect_to_login
from django.contrib.messages import get_messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.backends.utils import csrf_input
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import User
from notifications.selectors import unread_count
from web import live

PAGE_SIZE = 20
_MAX_OFFSET = 100_000

View = Callable[..., HttpResponse]


def viewer(request: HttpRequest) -> User:
    """The signed-in user (the views that call this are behind `signed_in`)."""
    user = request.user
    assert isinstance(user, User)
    return user


def offset_param(request: HttpRequest) -> int:
    """`?offset=` as a number of items from the top; BadRequest (400) when it is not one."""
    raw = request.GET.get("offset", "0")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6 or int(raw) > _MAX_OFFSET:
        raise BadRequest("offset must be a whole number from 0.")
    return int(raw)


def _safe(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def here(request: HttpRequest) -> str:
    """The path of the page a person is on: this request's, or for an htmx request the page's
    that made it (forms in a fragment go back there)."""
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.current_url_abs_path and _safe(request, htmx.current_url_abs_path):
        return str(htmx.current_url_abs_path)
    return request.get_full_path()


def next_url(request: HttpRequest, default: str, *, referer: bool = True) -> str:
    """Where a form goes back to: its `next` field, else (with `referer`) the Referer, when on
    this site; else `default`."""
    candidates = [request.POST.get("next", ""), request.GET.get("next", "")]
    if referer:
        candidates.append(request.headers.get("Referer", ""))
    for candidate in candidates:
        if _safe(request, candidate):
            parts = urlsplit(candidate)
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return default


def back(request: HttpRequest, default: str) -> HttpResponse:
    """After a POST without JavaScript: see the page it came from (POST, redirect, GET)."""
    return HttpResponseRedirect(next_url(request, default))


def frame(request: HttpRequest) -> dict[str, Any]:
    """The page frame's context: the viewer, their unread count and the live stream's address and token."""
    user = request.user
    if not isinstance(user, User):
        return {}
    return {
        "me": user,
        "unread": unread_count(viewer=user),
        "stream_url": live.streaming_url(request),
        "stream_token": live.stream_token(user),
    }


def _common(request: HttpRequest) -> dict[str, Any]:
    """What every template may use: the page's path, the CSRF field (masked once per
    response, not once per form)."""
    return {"here": here(request), "csrf": csrf_input(request)}


# Pages are sent gzipped to browsers that ask (a timeline's HTML shrinks about sevenfold), for
# the web pages only: the API's JSON is left as it was. In the app rather than left to a
# proxy, since `make run` and the image serve browsers directly (static files too come
# compressed, by WhiteNoise). Django's GZipMiddleware, but at level 1: a third of level 6's
# time (0.05 against 0.16 ms for a timeline), 10% more bytes (bench/README.md, issue 23). As
# Django's, each response is padded at random (its BREACH mitigation: a file name of random
# length in the gzip header) and the CSRF token is masked anew per response.
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
_GZIP_LEVEL = 1
_MAX_RANDOM_BYTES = 100  # GZipMiddleware.max_random_bytes


def _gzipped(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The response compressed in place when the browser accepts gzip (GZipMiddleware's rules)."""
    if response.streaming or len(response.content) < 200 or response.has_header("Content-Encoding"):
        return response
    patch_vary_headers(response, ("Accept-Encoding",))
    if not _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        return response
    compressed = gzip.compress(response.content, compresslevel=_GZIP_LEVEL, mtime=0)
    header = bytearray(compressed[:10])
    header[3] = gzip.FNAME
    padding = b"a" * secrets.randbelow(_MAX_RANDOM_BYTES) + b"\x00"
    body = bytes(header) + padding + compressed[10:]
    if len(body) >= len(response.content):
        return response
    response.content = body
    response.headers["Content-Length"] = str(len(body))
    etag = response.get("ETag")
    if etag and etag.startswith('"'):
        response.headers["ETag"] = "W/" + etag
    response.headers["Content-Encoding"] = "gzip"
    return response


def page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """A whole page: the template within the frame, with the page's CSP additions."""
    full = {**frame(request), **_common(request), "messages": get_messages(request), **context}
    response = render(request, template, full, status=status)
    response._csp_update = live.csp_update(request)  # type: ignore[attr-defined]  # read by django-csp
    return _gzipped(request, response)


def fragment(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """A piece of a page, for htmx to swap in."""
    return _gzipped(request, render(request, template, {**_common(request), **context}, status=status))


def problem(request: HttpRequest, status: int, messages: Iterable[str]) -> HttpResponse:
    """A refusal: an error page, or for htmx the same with its status (web/static/web/app.js shows it)."""
    context = {"status": status, "errors": list(messages) or ["Something went wrong."], "title": "Not possible"}
    if getattr(request, "htmx", False):
        return fragment(request, "web/_problem.html", context, status=status)
    return page(request, "web/problem.html", context, status=status)


def error_messages(exc: ValidationError) -> list[str]:
    """A ValidationError's messages, without the field names (the page says what they are about)."""
    if hasattr(exc, "error_dict"):
        return [message for messages in exc.message_dict.values() for message in messages]
    return list(exc.messages)


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A ValidationError's messages by field (`form` for those about no field: templates
    cannot read Django's `__all__`)."""
    if hasattr(exc, "error_dict"):
        return {("form" if field == "__all__" else field): messages for field, messages in exc.message_dict.items()}
    return {"form": list(exc.messages)}


def refusals(view: View) -> View:
    """Exceptions of the services and selectors as the status the API gives them."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Http404 as exc:
            return problem(request, 404, [str(exc) or "Not found."])
        except PermissionDenied as exc:
            return problem(request, 403, [str(exc) or "You cannot do that."])
        except ValidationError as exc:
            return problem(request, 400, error_messages(exc))
        except BadRequest as exc:
            return problem(request, 400, [str(exc)])

    return wrapped


def signed_in(view: View) -> View:
    """Pages and actions for signed-in people: others are sent to sign in (and back)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        target = next_url(request, "/") if request.method == "POST" else request.get_full_path()
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = "/login?" + urlencode({"next": target})
            return response
        return redirect_to_login(target, "/login")

    return refusals(wrapped)


def action(view: View) -> View:
    """A form's POST: signed in, CSRF-checked (middleware), refusals shown as pages."""
    return require_POST(signed_in(view))


def more_url(path: str, offset: int, has_more: bool, **query: str) -> str | None:
    """The "Load more" address of a list (`path?…&offset=N`), or None at its end."""
    if not has_more:
        return None
    return f"{path}?{urlencode({**query, 'offset': offset + PAGE_SIZE})}"
