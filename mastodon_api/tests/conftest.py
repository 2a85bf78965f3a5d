"""Mastodon API fixtures: a registered client app and OAuth tokens for the named users."""

from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application, set_token_value
from rest_framework.test import APIClient

# The feed app's real-worker fixtures, for the real-client tests (test_real_clients).
from feed.tests.conftest import live_celery, worker_env  # noqa: F401
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


def token_for(user, app: Application, scope: str = "read write follow push") -> str:  # type: ignore[no-untyped-def]
    """A token as the token endpoint would issue it (stored hashed); returns the raw token.
    The endpoint itself is tested in test_oauth."""
    raw = generate_client_secret()
    token = AccessToken(user=user, application=app, scope=scope, expires=timezone.now() + timedelta(days=30))
    set_token_value(token, raw)
    token.save()
    return raw


@pytest.fixture
def mclient(oauth_app):  # type: ignore[no-untyped-def]
    """mclient(user, scope=...) -> an APIClient sending that user's Mastodon token."""

    def make(user, scope: str = "read write follow push") -> APIClient:  # type: ignore[no-untyped-def]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, oauth_app, scope)}")
        return client

    return make
