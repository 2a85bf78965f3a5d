"""`/settings`: profile texts, password change, and the accounts one blocks or mutes."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.api.serializers import PasswordChangeInput, UserProfileInput
from web.throttles import auth_wait
from web.views.base import action, field_errors, page, signed_in, viewer

# The newest this many blocked (and muted) accounts are listed.
LIST_MAX = 100
# The form's names for the API's password fields.
_PASSWORD_FIELDS = {"old_password": "current_password", "new_password": "new_password"}


def _settings(request: HttpRequest, *, status: int = 200, **context: Any) -> HttpResponse:
    user = viewer(request)
    blocked = list(account_selectors.user_blocks(user=user)[: LIST_MAX + 1])
    muted = list(account_selectors.user_mutes(user=user)[: LIST_MAX + 1])
    profile = context.pop("profile", {"display_name": user.display_name, "bio": user.bio})
    full = {
        "title": "Settings",
        "nav": "settings",
        "profile": profile,
        "blocked": blocked[:LIST_MAX],
        "muted": muted[:LIST_MAX],
        "more_blocked": len(blocked) > LIST_MAX,
        "more_muted": len(muted) > LIST_MAX,
        **context,
    }
    return page(request, "web/settings.html", full, status=status)


@signed_in
def settings_page(request: HttpRequest) -> HttpResponse:
    return _settings(request)


def _errors(serializer_errors: dict, names: dict[str, str] | None = None) -> dict[str, list[str]]:
    names = names or {}
    return {names.get(field, field): [str(m) for m in messages] for field, messages in serializer_errors.items()}


@action
def save_profile(request: HttpRequest) -> HttpResponse:
    values = {key: request.POST.get(key, "") for key in ("display_name", "bio")}
    data = UserProfileInput(data=values, partial=True)
    if not data.is_valid():
        return _settings(request, status=400, profile=values, profile_errors=_errors(data.errors))
    account_services.user_update_profile(user=viewer(request), **data.validated_data)
    messages.success(request, "Your profile was saved.")
    return HttpResponseRedirect("/settings")


@action
def change_password(request: HttpRequest) -> HttpResponse:
    """Throttled as the API's password change (per address and per user); every other session
    and token of the user stops working (accounts.services.password_change), this one stays."""
    wait = auth_wait(request, "web_password", per_user=True)
    if wait is not None:
        errors = {"form": [f"Too many attempts. Try again in {wait} seconds."]}
        response = _settings(request, status=429, password_errors=errors)
        response["Retry-After"] = str(wait)
        return response
    fields = {api: request.POST.get(form, "") for api, form in _PASSWORD_FIELDS.items()}
    data = PasswordChangeInput(data=fields)
    if not data.is_valid():
        return _settings(request, status=400, password_errors=_errors(data.errors, _PASSWORD_FIELDS))
    user = viewer(request)
    try:
        account_services.password_change(user=user, **data.validated_data)
    except ValidationError as exc:
        errors = {_PASSWORD_FIELDS.get(k, k): v for k, v in field_errors(exc).items()}
        return _settings(request, status=400, password_errors=errors)
    update_session_auth_hash(request, user)
    messages.success(request, "Your password was changed.")
    return HttpResponseRedirect("/settings")
