"""Mastodon endpoints authenticate with OAuth 2 access tokens only, and check their scopes.

A token is looked up with one prepared statement (the token's row and its user's, by the
indexed checksum) instead of django-oauth-toolkit's path (oauthlib's request machinery and an
ORM query with two joins compiled on every request): on the home timeline that path cost
as much as reading the feed (bench/README.md, `mastodon_home`). The decision is the same as
django-oauth-toolkit's `validate_bearer_token` for our tokens (unknown or expired: 401); a
token restricted to resource servers (RFC 8707, which Mastodon clients never ask for) still
goes through django-oauth-toolkit's own check.
"""

import hashlib
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import AccessToken
from rest_framework import exceptions
from rest_framework.request import Request

from accounts.models import User
from core.prepared import prepared_cursor
from core.replicas import primary_reads, read_connection, reading_from_replica
from mastodon_api.oauth import expand_scopes

# In the models' field order: Model.from_db pairs values with the concrete fields in order.
_TOKEN_FIELDS = [
    field.attname
    for field in AccessToken._meta.concrete_fields
    if field.attname in {"id", "application_id", "scope", "expires", "created"}
]
_EXPIRES = _TOKEN_FIELDS.index("expires")
_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]
_USER_COLUMNS = [field.column for field in User._meta.concrete_fields]
_TOKEN_SQL = f"""
SELECT {", ".join(f"t.{name}" for name in _TOKEN_FIELDS)}, t.resource <> '[]'::jsonb,
       {", ".join(f"u.{column}" for column in _USER_COLUMNS)}
FROM {AccessToken._meta.db_table} t LEFT JOIN {User._meta.db_table} u ON u.id = t.user_id
WHERE t.token_checksum = %s
"""
_RESTRICTED = len(_TOKEN_FIELDS)


def _bearer(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (scheme in any case, as oauthlib
    reads it), "" for a Bearer header without one, None for no Bearer header at all."""
    scheme, _, rest = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return rest.split(" ")[0]


def _load(raw_token: str) -> tuple[Any, ...] | None:
    """The token's row and its user's (user columns NULL for an app token), or None."""
    checksum = hashlib.sha256(raw_token.encode("utf-8")).hexdigest()
    connection = read_connection(AccessToken)
    with prepared_cursor(connection) as cursor:
        cursor.execute(_TOKEN_SQL, [checksum])
        row = cursor.fetchone()
    return (connection.alias, *row) if row is not None else None


def _token(row: tuple[Any, ...]) -> AccessToken | None:
    """The AccessToken (only the fields authentication reads; the rest load on use) with its
    user attached, or None when it has expired."""
    alias, values = row[0], row[1:]
    expires: datetime | None = values[_EXPIRES]
    if expires is None or timezone.now() >= expires:
        return None
    token = AccessToken.from_db(alias, _TOKEN_FIELDS, values[:_RESTRICTED])
    user_values = values[_RESTRICTED + 1 :]
    token.user = User.from_db(alias, _USER_FIELDS, user_values) if user_values[0] is not None else None
    return token


class MastodonTokenAuthentication(OAuth2Authentication):
    """A django-oauth-toolkit token; refused once its user is suspended or changed their password."""

    def authenticate(self, request: Request):  # type: ignore[no-untyped-def]
        raw_token = _bearer(request)
        if raw_token is None:
            return None  # anonymous: the view decides whether that is enough
        row = _load(raw_token) if raw_token else None
        if row is None and raw_token and reading_from_replica():
            # Issued a moment ago: the replica may not have the token yet; the primary has.
            with primary_reads():
                row = _load(raw_token)
        if row is not None and row[1 + _RESTRICTED]:
            result = super().authenticate(request)  # RFC 8707 audience check: the toolkit's own
            token = result[1] if result is not None else None
        else:
            token = _token(row) if row is not None else None
        if token is None:
            raise exceptions.AuthenticationFailed("The access token is invalid")
        user = token.user
        if user is None:  # client_credentials: the app itself
            return AnonymousUser(), token
        if not user.is_active:
            raise exceptions.AuthenticationFailed("Your login is currently disabled")
        changed = getattr(user, "password_changed_at", None)
        if changed is not None and token.created < changed:
            raise exceptions.AuthenticationFailed("The access token is invalid")
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="Mastodon"'


def token_allows(token: object, scope: str) -> bool:
    """Whether the token's scopes grant `scope` (`read` grants `read:statuses`, and so on)."""
    return scope in expand_scopes(getattr(token, "scope", "").split())


class MastodonTokenScheme(OpenApiAuthenticationExtension):
    """The Mastodon paths in the OpenAPI schema (the public timeline) take a Mastodon OAuth token."""

    target_class = "mastodon_api.auth.MastodonTokenAuthentication"
    name = "mastodonToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A Mastodon OAuth 2 access token (POST /oauth/token); JWTs are not accepted here.",
        }
