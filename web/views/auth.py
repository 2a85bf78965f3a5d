"""Sign up, sign in (username or email), sign out, and the live stream's token.

Sign-up and sign-in are throttled per client address at AUTH_THROTTLE_RATE, as the API's
register and token endpoints are; input is judged by the API's own input serializers and
the accounts services.
"""

from typing import Any

from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.api.serializers import UserRegisterInput
from web import live
from web.throttles import auth_wait
from web.views.base import field_errors, next_url, page, signed_in, viewer

_BACKEND = "django.contrib.auth.backends.ModelBackend"
SIGN_IN_FAILED = "Invalid username, email or password."


def _too_many(wait: int) -> str:
    return f"Too many attempts. Try again in {wait} seconds."


def _throttled_page(request: HttpRequest, template: str, context: dict[str, Any], wait: int) -> HttpResponse:
    response = page(request, template, {**context, "errors": {"form": [_too_many(wait)]}}, status=429)
    response["Retry-After"] = str(wait)
    return response


def sign_in_page(request: HttpRequest, *, status: int = 200, **context: Any) -> HttpResponse:
    """The sign-in form (also what `/` shows to someone signed out)."""
    default = next_url(request, "", referer=False) if request.method == "GET" else request.POST.get("next", "")
    context.setdefault("next", default)
    return page(request, "web/login.html", {"title": "Sign in", **context}, status=status)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if request.user.is_authenticated:
            return HttpResponseRedirect(next_url(request, "/", referer=False))
        return sign_in_page(request)
    identifier = request.POST.get("username", "")
    form = {"username": identifier}
    wait = auth_wait(request, "web_login")
    if wait is not None:
        return _throttled_page(request, "web/login.html", {"title": "Sign in", "form": form}, wait)
    user = account_selectors.user_for_sign_in(identifier=identifier.strip(), password=request.POST.get("password", ""))
    if user is None:
        return sign_in_page(request, status=400, form=form, errors={"form": [SIGN_IN_FAILED]})
    login(request, user, backend=_BACKEND)
    return HttpResponseRedirect(next_url(request, "/", referer=False))


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"title": "Sign up"}
    if request.method == "GET":
        if request.user.is_authenticated:
            return HttpResponseRedirect("/")
        return page(request, "web/signup.html", context)
    form = {key: request.POST.get(key, "") for key in ("username", "email", "password")}
    context["form"] = {key: value for key, value in form.items() if key != "password"}
    wait = auth_wait(request, "web_signup")
    if wait is not None:
        return _throttled_page(request, "web/signup.html", context, wait)
    data = UserRegisterInput(data=form)
    if not data.is_valid():
        errors = {field: [str(message) for message in messages] for field, messages in data.errors.items()}
        return page(request, "web/signup.html", {**context, "errors": errors}, status=400)
    try:
        user = account_services.user_register(**data.validated_data)
    except ValidationError as exc:
        return page(request, "web/signup.html", {**context, "errors": field_errors(exc)}, status=400)
    login(request, user, backend=_BACKEND)
    return HttpResponseRedirect("/")


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks (a link or a bookmark must not sign anyone out); POST signs out."""
    if request.method == "GET":
        if not request.user.is_authenticated:
            return HttpResponseRedirect("/")
        return page(request, "web/logout.html", {"title": "Sign out"})
    logout(request)
    return HttpResponseRedirect("/")


@require_POST
@signed_in
def stream_token(request: HttpRequest) -> HttpResponse:
    """A fresh short-lived token for the live stream (web/static/web/live.js, on reconnecting)."""
    return JsonResponse(
        {
            "url": live.streaming_url(request),
            "token": live.stream_token(viewer(request)),
        },
        headers={"Cache-Control": "no-store"},
    )
