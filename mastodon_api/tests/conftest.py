"""Mastodon API fixtures: a registered client app and OAuth tokens for the named users."""

from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application
from rest_framework.test import APIClient

from mastodon_api.models import ClientApp

SECRET = "s3cret-for-tests"


@pytest.fixture
def oauth_app(db) -> Application:  # type: ignore[no-untyped-def]
    app = Application.objects.create(
        name="Test client",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="urn:ietf:wg:oauth:2.0:oob https://client.example/cb",
        client_secret=SECRET,
    )
    ClientApp.objects.create(application=app, scopes="read write follow push")
    return app


def token_for(user, app: Application, scope: str = "read write follow push") -> AccessToken:  # type: ignore[no-untyped-def]
    """A token as the token endpoint would issue it (the endpoint itself is tested separately)."""
    return AccessToken.objects.create(
        user=user,
        application=app,
        token=generate_client_secret(),
        scope=scope,
        expires=timezone.now() + timedelta(days=30),
    )


@pytest.fixture
def mclient(oauth_app):  # type: ignore[no-untyped-def]
    """mclient(user, scope=...) -> an APIClient sending that user's Mastodon token."""

    def make(user, scope: str = "read write follow push") -> APIClient:  # type: ignore[no-untyped-def]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, oauth_app, scope).token}")
        return client

    return make
