"""OAuth 2 as Mastodon clients expect it, on django-oauth-toolkit: scopes, grants, bodies."""

import hashlib
import json

from oauth2_provider.models import get_access_token_model, get_refresh_token_model
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from oauth2_provider.settings import oauth2_settings

from accounts.selectors import user_for_sign_in

TOP_SCOPES = ("read", "write", "follow", "push", "profile")
# The legacy `follow` scope grants these (Mastodon's doorkeeper configuration).
FOLLOW_SCOPES = ("read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes")
GRANT_TYPES = frozenset({"authorization_code", "password", "client_credentials", "refresh_token"})


def expand_scopes(scopes: set[str] | list[str] | tuple[str, ...]) -> set[str]:
    """Every scope that `scopes` grants: `read` grants each `read:*`, `follow` its six, and so on."""
    granted = set(scopes)
    for name in oauth2_settings.SCOPES:
        prefix, _, sub = name.partition(":")
        if sub and prefix in scopes:
            granted.add(name)
    if "follow" in granted:
        granted.update(FOLLOW_SCOPES)
    return granted


def normalize_scopes(raw: str | None) -> list[str] | None:
    """Scopes from a space- (or `+`-, or comma-) separated string; None when one is unknown."""
    names = [part for part in (raw or "read").replace("+", " ").replace(",", " ").split() if part]
    if not names or any(name not in oauth2_settings.SCOPES for name in names):
        return None
    return list(dict.fromkeys(names))


class AppScopes(BaseScopes):
    """A token may carry the scopes its app registered, and what those grant."""

    def get_all_scopes(self) -> dict[str, str]:
        return oauth2_settings.SCOPES

    def get_available_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
        registered = getattr(getattr(application, "mastodon", None), "scopes", "read")
        return sorted(expand_scopes(registered.split()))

    def get_default_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
        return ["read"]


class MastodonValidator(OAuth2Validator):
    """Every Mastodon app may use every grant Mastodon offers; the password grant takes a username or an email."""

    def _load_application(self, client_id, request):  # type: ignore[no-untyped-def]
        # PostgreSQL text cannot hold NUL: such a client id names no app (an error, not a 500).
        if client_id and "\x00" in client_id:
            request.client = None
            return None
        return super()._load_application(client_id, request)

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs) -> bool:  # type: ignore[no-untyped-def]
        return grant_type in GRANT_TYPES

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs) -> bool:  # type: ignore[no-untyped-def]
        return response_type == "code"

    def validate_user(self, username, password, client, request, *args, **kwargs) -> bool:  # type: ignore[no-untyped-def]
        user = user_for_sign_in(identifier=username or "", password=password or "")
        if user is None:
            return False
        request.user = user
        return True


class FormOrJsonOAuthLibCore(OAuthLibCore):
    """Token and revoke requests with a form body, as RFC 6749 says, or a JSON one, as Mastodon also takes."""

    def extract_body(self, request):  # type: ignore[no-untyped-def]
        if request.content_type == "application/json":
            try:
                data = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError):
                return []
            if not isinstance(data, dict):
                return []
            return [(str(key), "" if value is None else str(value)) for key, value in data.items()]
        return super().extract_body(request)


def token_owner(raw: str) -> int | None:
    """The user id of an access or refresh token (looked up by its checksum), or None."""
    if not raw or "\x00" in raw:
        return None
    checksum = hashlib.sha256(raw.encode()).hexdigest()
    for model in (get_access_token_model(), get_refresh_token_model()):
        owner = model.objects.filter(token_checksum=checksum).values_list("user_id", flat=True).first()
        if owner is not None:
            return int(owner)
    return None
