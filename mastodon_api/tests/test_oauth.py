"""OAuth 2 as Mastodon clients use it: apps, authorize pages, token grants, revoke, scopes."""

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.services import password_change, user_suspend
from accounts.tests.factories import PASSWORD
from conftest import client_for
from mastodon_api.tests.conftest import SECRET

pytestmark = pytest.mark.django_db
OOB = "urn:ietf:wg:oauth:2.0:oob"


def _register(client: APIClient, **extra) -> dict:  # type: ignore[no-untyped-def]
    data = {"client_name": "My app", "redirect_uris": OOB, "scopes": "read write follow push", **extra}
    response = client.post("/api/v1/apps", data)
    assert response.status_code == 200, response.content
    return response.json()


def _bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


class TestApps:
    def test_form_and_json_bodies(self):
        form = _register(APIClient(), website="https://app.example")
        assert set(form) >= {"id", "name", "website", "redirect_uri", "client_id", "client_secret", "vapid_key"}
        assert form["website"] == "https://app.example" and form["redirect_uri"] == OOB
        json_body = APIClient().post(
            "/api/v1/apps",
            {"client_name": "JSON app", "redirect_uris": ["https://a.example/cb", OOB], "scopes": "read"},
            format="json",
        )
        assert json_body.status_code == 200
        assert json_body.json()["redirect_uris"] == ["https://a.example/cb", OOB]

    @pytest.mark.parametrize(
        "data",
        [
            {"redirect_uris": OOB},
            {"client_name": "x", "redirect_uris": "not a uri"},
            {"client_name": "x", "redirect_uris": "javascript:alert(1)"},
            {"client_name": "x", "redirect_uris": OOB, "scopes": "read admin:everything"},
        ],
    )
    def test_bad_input_is_a_422_with_an_error(self, data):
        response = APIClient().post("/api/v1/apps", data)
        assert response.status_code == 422
        assert set(response.json()) == {"error"}


class TestPasswordGrant:
    @pytest.mark.parametrize("login", ["alice", "ALICE", "alice@example.com"])
    def test_username_or_email(self, alice, oauth_app, login):
        response = Client().post(
            "/oauth/token",
            {
                "grant_type": "password",
                "username": login,
                "password": PASSWORD,
                "client_id": oauth_app.client_id,
                "client_secret": SECRET,
                "scope": "read write",
            },
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["token_type"] == "Bearer" and body["scope"] == "read write" and "created_at" in body
        assert body["expires_in"] >= 86400  # days, not minutes
        me = _bearer(body["access_token"]).get("/api/v1/accounts/verify_credentials")
        assert me.json()["username"] == "alice"

    def test_json_body(self, alice, oauth_app):
        response = Client().post(
            "/oauth/token/",
            {
                "grant_type": "password",
                "username": "alice",
                "password": PASSWORD,
                "client_id": oauth_app.client_id,
                "client_secret": SECRET,
            },
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["scope"] == "read"  # Mastodon's default

    @pytest.mark.parametrize("password", ["wrong", ""])
    def test_bad_password(self, alice, oauth_app, password):
        response = Client().post(
            "/oauth/token",
            {
                "grant_type": "password",
                "username": "alice",
                "password": password,
                "client_id": oauth_app.client_id,
                "client_secret": SECRET,
            },
        )
        assert response.status_code in (400, 401)
        assert response.json()["error"] in ("invalid_grant", "invalid_request")

    def test_wrong_client_secret(self, alice, oauth_app):
        response = Client().post(
            "/oauth/token",
            {"grant_type": "password", "username": "alice", "password": PASSWORD, "client_id": oauth_app.client_id},
        )
        assert response.status_code == 401 and response.json()["error"] == "invalid_client"

    def test_scope_beyond_the_app_is_refused(self, alice):
        app = _register(APIClient(), scopes="read")
        response = Client().post(
            "/oauth/token",
            {
                "grant_type": "password",
                "username": "alice",
                "password": PASSWORD,
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "scope": "read write",
            },
        )
        assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


def _approve(browser: Client, url: str):  # type: ignore[no-untyped-def]
    page = browser.get(url)
    assert page.status_code == 200 and b"Authorize" in page.content
    return browser.post(url, {"approve": "1"})


class TestAuthorizationCode:
    def test_sign_in_page_then_approval_then_out_of_band_code(self, alice):
        app = _register(APIClient())
        url = f"/oauth/authorize?response_type=code&client_id={app['client_id']}&redirect_uri={OOB}&scope=read+write"
        browser = Client()
        sign_in = browser.get(url)
        assert sign_in.status_code == 200 and b"Sign in to Chirp" in sign_in.content
        wrong = browser.post(url, {"username": "alice", "password": "nope"})
        assert b"Invalid username" in wrong.content
        signed_in = browser.post(url, {"username": "alice@example.com", "password": PASSWORD})
        assert signed_in.status_code == 302
        shown = _approve(browser, url)
        code = re.search(rb'id="authorization-code">([^<]+)<', shown.content).group(1).decode()
        token = Client().post(
            "/oauth/token",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": OOB,
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
            },
        )
        assert token.status_code == 200, token.content
        assert token.json()["scope"] == "read write"
        # a code is used once
        again = Client().post(
            "/oauth/token",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": OOB,
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
            },
        )
        assert again.status_code == 400

    def test_trailing_slash_redirect_and_pkce_s256(self, alice):
        app = _register(APIClient(), redirect_uris="https://client.example/cb")
        verifier = "v" * 64
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        url = (
            f"/oauth/authorize/?response_type=code&client_id={app['client_id']}"
            f"&redirect_uri=https://client.example/cb&scope=read&state=xyz"
            f"&code_challenge={challenge}&code_challenge_method=S256"
        )
        browser = Client()
        browser.force_login(alice)
        answer = _approve(browser, url)
        assert answer.status_code == 302 and answer["Location"].startswith("https://client.example/cb?")
        query = parse_qs(urlsplit(answer["Location"]).query)
        assert query["state"] == ["xyz"]
        exchange = {
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": "https://client.example/cb",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        }
        assert Client().post("/oauth/token", {**exchange, "code_verifier": "w" * 64}).status_code == 400

    def test_pkce_with_the_right_verifier(self, alice):
        app = _register(APIClient(), redirect_uris="https://client.example/cb")
        verifier = "x" * 50
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        url = (
            f"/oauth/authorize?response_type=code&client_id={app['client_id']}"
            f"&redirect_uri=https://client.example/cb&scope=read"
            f"&code_challenge={challenge}&code_challenge_method=S256"
        )
        browser = Client()
        browser.force_login(alice)
        code = parse_qs(urlsplit(_approve(browser, url)["Location"]).query)["code"][0]
        token = Client().post(
            "/oauth/token",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": "https://client.example/cb",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "code_verifier": verifier,
            },
            content_type="application/json",
        )
        assert token.status_code == 200, token.content

    def test_deny_redirects_with_access_denied(self, alice):
        app = _register(APIClient(), redirect_uris="https://client.example/cb")
        url = f"/oauth/authorize?response_type=code&client_id={app['client_id']}&redirect_uri=https://client.example/cb"
        browser = Client()
        browser.force_login(alice)
        answer = browser.post(url, {"deny": "1"})
        assert answer.status_code == 302 and "error=access_denied" in answer["Location"]

    @pytest.mark.parametrize(
        "query",
        ["response_type=code&client_id=nope&redirect_uri=" + OOB, "response_type=code"],
    )
    def test_unknown_client_is_an_error_page(self, query):
        response = Client().get(f"/oauth/authorize?{query}")
        assert response.status_code == 400 and b"Authorization failed" in response.content

    def test_unregistered_redirect_uri_is_refused(self, alice):
        app = _register(APIClient())
        response = Client().get(
            f"/oauth/authorize?response_type=code&client_id={app['client_id']}&redirect_uri=https://evil.example/"
        )
        assert response.status_code == 400


class TestClientCredentialsAndRevoke:
    def test_app_token(self, oauth_app):
        response = Client().post(
            "/oauth/token",
            {"grant_type": "client_credentials", "client_id": oauth_app.client_id, "client_secret": SECRET},
        )
        assert response.status_code == 200, response.content
        app_client = _bearer(response.json()["access_token"])
        assert app_client.get("/api/v1/apps/verify_credentials").json()["name"] == "Test client"
        needs_user = app_client.get("/api/v1/accounts/verify_credentials")
        assert needs_user.status_code == 422 and "error" in needs_user.json()

    def test_revoke(self, alice, oauth_app):
        token = (
            Client()
            .post(
                "/oauth/token",
                {
                    "grant_type": "password",
                    "username": "alice",
                    "password": PASSWORD,
                    "client_id": oauth_app.client_id,
                    "client_secret": SECRET,
                },
            )
            .json()["access_token"]
        )
        assert _bearer(token).get("/api/v1/accounts/verify_credentials").status_code == 200
        revoked = Client().post(
            "/oauth/revoke", {"token": token, "client_id": oauth_app.client_id, "client_secret": SECRET}
        )
        assert revoked.status_code == 200 and revoked.json() == {}
        gone = _bearer(token).get("/api/v1/accounts/verify_credentials")
        assert gone.status_code == 401 and gone.json() == {"error": "The access token is invalid"}


class TestThrottling:
    def test_password_guesses_are_throttled_per_address(self, alice, oauth_app, settings):
        settings.AUTH_THROTTLE_RATE = "3/minute"
        guess = {"grant_type": "password", "username": "alice", "password": "guess", "client_id": oauth_app.client_id}
        codes = [Client().post("/oauth/token", {**guess, "client_secret": SECRET}).status_code for _ in range(4)]
        assert codes[:3] != [429] * 3 and codes[3] == 429
        limited = Client().post("/oauth/token", {**guess, "client_secret": SECRET})
        assert limited.json() == {"error": "Too many requests"} and "Retry-After" in limited
        app_token = Client().post(
            "/oauth/token",
            {"grant_type": "client_credentials", "client_id": oauth_app.client_id, "client_secret": SECRET},
        )
        assert app_token.status_code == 200  # only password attempts count
        url = f"/oauth/authorize?response_type=code&client_id={oauth_app.client_id}&redirect_uri={OOB}"
        page = Client().post(url, {"username": "alice", "password": PASSWORD})
        assert page.status_code == 429 and b"Too many attempts" in page.content


class TestRefresh:
    def test_refresh_token_grant(self, alice, oauth_app):
        first = (
            Client()
            .post(
                "/oauth/token",
                {
                    "grant_type": "password",
                    "username": "alice",
                    "password": PASSWORD,
                    "client_id": oauth_app.client_id,
                    "client_secret": SECRET,
                    "scope": "read",
                },
            )
            .json()
        )
        refreshed = Client().post(
            "/oauth/token",
            {
                "grant_type": "refresh_token",
                "refresh_token": first["refresh_token"],
                "client_id": oauth_app.client_id,
                "client_secret": SECRET,
            },
        )
        assert refreshed.status_code == 200, refreshed.content
        token = refreshed.json()["access_token"]
        assert token != first["access_token"]
        assert _bearer(token).get("/api/v1/accounts/verify_credentials").status_code == 200


class TestTokens:
    def test_scopes_are_enforced(self, alice, mclient):
        read_only = mclient(alice, "read")
        refused = read_only.post("/api/v1/statuses", {"status": "hi"})
        assert refused.status_code == 403 and refused.json() == {
            "error": "This action is outside the authorized scopes"
        }
        assert mclient(alice, "write:statuses").post("/api/v1/statuses", {"status": "hi"}).status_code == 200
        assert mclient(alice, "read:accounts").get("/api/v1/accounts/verify_credentials").status_code == 200
        assert mclient(alice, "read:statuses").get("/api/v1/accounts/verify_credentials").status_code == 403

    def test_follow_scope_grants_follows_blocks_and_mutes(self, alice, bob, mclient):
        client = mclient(alice, "follow")
        for action in ("follow", "block", "mute"):
            assert client.post(f"/api/v1/accounts/{bob.pk}/{action}").status_code == 200

    def test_only_oauth_tokens_open_mastodon_endpoints(self, alice, mclient, oauth_app):
        jwt_client = client_for(alice)
        assert jwt_client.get("/api/v1/accounts/verify_credentials").status_code == 401
        assert APIClient().get("/api/v1/accounts/verify_credentials").json() == {"error": "The access token is invalid"}
        # and the native API does not take Mastodon tokens
        assert mclient(alice).get("/api/users/me/").status_code == 401

    def test_password_change_and_suspension_end_tokens(self, alice, bob, mclient):
        a, b = mclient(alice), mclient(bob)
        password_change(user=alice, old_password=PASSWORD, new_password="another-long-passphrase-42")
        assert a.get("/api/v1/accounts/verify_credentials").status_code == 401
        user_suspend(user=bob)
        assert b.get("/api/v1/accounts/verify_credentials").status_code == 401


class TestTokenLookup:
    """mastodon_api.auth reads a token with one prepared statement, deciding as django-oauth-toolkit does."""

    def _token(self, user, app, **fields) -> str:  # type: ignore[no-untyped-def]
        from datetime import timedelta

        from django.utils import timezone
        from oauth2_provider.generators import generate_client_secret
        from oauth2_provider.models import AccessToken, set_token_value

        raw = generate_client_secret()
        values = {"scope": "read write", "expires": timezone.now() + timedelta(days=1), **fields}
        token = AccessToken(user=user, application=app, **values)
        set_token_value(token, raw)
        token.save()
        return raw

    def test_one_query_authenticates_and_the_user_is_complete(self, alice, oauth_app):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        alice.display_name, alice.bio = "Ada", "Engines"
        alice.save()
        client = _bearer(self._token(alice, oauth_app))
        with CaptureQueriesContext(connection) as ctx:
            me = client.get("/api/v1/accounts/verify_credentials").json()
        assert len(ctx.captured_queries) == 1  # the token and its user, nothing else
        assert (me["username"], me["display_name"], me["source"]["note"]) == ("alice", "Ada", "Engines")
        assert me["statuses_count"] == 0 and me["created_at"].endswith("Z")

    def test_expired_unknown_empty_and_query_string_tokens_are_refused(self, alice, oauth_app):
        from datetime import timedelta

        from django.utils import timezone

        expired = self._token(alice, oauth_app, expires=timezone.now() - timedelta(seconds=1))
        for client in (_bearer(expired), _bearer("no-such-token"), _bearer("")):
            response = client.get("/api/v1/accounts/verify_credentials")
            assert response.status_code == 401 and response.json() == {"error": "The access token is invalid"}
            assert response["WWW-Authenticate"] == 'Bearer realm="Mastodon"'
        # only the Authorization header carries a token (RFC 9700): a query-string token is no token
        good = self._token(alice, oauth_app)
        assert APIClient().get("/api/v1/accounts/verify_credentials", {"access_token": good}).status_code == 401
        # the scheme in any case, as oauthlib reads it
        lower = APIClient(HTTP_AUTHORIZATION=f"bearer {good}")
        assert lower.get("/api/v1/accounts/verify_credentials").json()["username"] == "alice"
        # an expired token on a public endpoint is still a 401, not an anonymous read
        assert _bearer(expired).get("/api/v1/instance").status_code == 401

    def test_a_token_restricted_to_resource_servers_is_checked_by_the_toolkit(self, alice, oauth_app):
        here = self._token(alice, oauth_app, resource=["http://testserver/"])
        elsewhere = self._token(alice, oauth_app, resource=["https://elsewhere.example/"])
        assert _bearer(here).get("/api/v1/accounts/verify_credentials").status_code == 200
        assert _bearer(elsewhere).get("/api/v1/accounts/verify_credentials").status_code == 401

    def test_a_deleted_apps_tokens_are_refused(self, alice, oauth_app):
        raw = self._token(alice, oauth_app)
        oauth_app.delete()  # its tokens go with it
        assert _bearer(raw).get("/api/v1/accounts/verify_credentials").status_code == 401
