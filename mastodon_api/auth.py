"""Mastodon endpoints authenticate with OAuth 2 access tokens only, and check their scopes."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions
from rest_framework.request import Request

from core.replicas import primary_reads, reading_from_replica
from mastodon_api.oauth import expand_scopes


class MastodonTokenAuthentication(OAuth2Authentication):
    """A django-oauth-toolkit token; refused once its user is suspended or changed their password."""

    def authenticate(self, request: Request):  # type: ignore[no-untyped-def]
        result = super().authenticate(request)
        bearer = request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")
        if result is None and bearer and reading_from_replica():
            # Issued a moment ago: the replica may not have the token yet; the primary has.
            with primary_reads():
                result = super().authenticate(request)
        if result is None:
            if bearer:
                raise exceptions.AuthenticationFailed("The access token is invalid")
            return None
        user, token = result
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
