"""JWT: token pair, expiry, forgery, rotation with blacklist, logout, suspension."""

import base64
import json
from datetime import timedelta

import jwt
import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"
REFRESH_URL = "/api/auth/token/refresh/"
LOGOUT_URL = "/api/auth/logout/"
ME_URL = "/api/users/me/"


def obtain(client: APIClient, username: str, password: str = PASSWORD):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.fixture
def user():
    return UserFactory(username="Carol")


@pytest.fixture
def pair(api_client, user):
    response = obtain(api_client, "Carol")
    assert response.status_code == 200, response.content
    return response.json()


def decode(token: str) -> dict:
    return jwt.decode(token, settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])


def test_token_pair_is_200_with_access_and_refresh(api_client, user):
    response = obtain(api_client, "Carol")
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


@pytest.mark.parametrize("username", ["carol", "CAROL", "cArOl"])
def test_login_ignores_username_case(api_client, user, username):
    assert obtain(api_client, username).status_code == 200


@pytest.mark.parametrize(("username", "password"), [("Carol", "wrong-password"), ("nobody", PASSWORD), ("Carol", "x")])
def test_bad_credentials_are_401(api_client, user, username, password):
    response = obtain(api_client, username, password)
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "body", [{}, {"username": "Carol"}, {"password": PASSWORD}, {"username": ["x"], "password": 1}]
)
def test_token_with_missing_or_bad_fields_is_400(api_client, user, body):
    assert api_client.post(TOKEN_URL, body, format="json").status_code == 400


def test_access_token_claims(pair, user):
    claims = decode(pair["access"])
    assert {"exp", "iat", "jti", "user_id", "token_type"} <= set(claims)
    assert claims["token_type"] == "access"
    assert str(claims["user_id"]) == str(user.pk)
    # iat carries microseconds (accounts.tokens), exp whole seconds as SimpleJWT writes it.
    assert claims["exp"] - int(claims["iat"]) == settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()
    assert settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] == timedelta(minutes=15)
    assert jwt.get_unverified_header(pair["access"])["alg"] == "HS256"
    refresh = decode(pair["refresh"])
    assert refresh["token_type"] == "refresh"
    assert refresh["exp"] - int(refresh["iat"]) == 24 * 3600


def test_access_token_works_then_expires_after_access_token_minutes(pair):
    client = bearer(pair["access"])
    assert client.get(ME_URL).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=14, seconds=50), tick=False):
        assert client.get(ME_URL).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=5), tick=False):
        response = client.get(ME_URL)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"].lower()
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_refresh_token_expires_after_refresh_token_hours(api_client, pair):
    with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=5), tick=False):
        response = api_client.post(REFRESH_URL, {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"].lower()


def test_refresh_token_still_works_before_refresh_token_hours(api_client, pair):
    with time_machine.travel(timezone.now() + timedelta(hours=23, minutes=59), tick=False):
        response = api_client.post(REFRESH_URL, {"refresh": pair["refresh"]}, format="json")
        assert response.status_code == 200
        # The new access token works although the original one has long expired.
        assert bearer(response.json()["access"]).get(ME_URL).status_code == 200


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _assert_refused(client: APIClient, fragment: str):
    response = client.get(ME_URL)
    assert response.status_code == 401, response.content
    detail = response.json()["detail"]
    assert fragment in detail.lower(), detail
    return response


def test_tampered_payload_is_401(pair, user):
    header, payload, signature = pair["access"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    other = UserFactory()
    claims["user_id"] = str(other.pk)
    forged = ".".join([header, _b64(claims), signature])
    _assert_refused(bearer(forged), "signature")


def test_alg_none_token_is_401(pair):
    claims = decode(pair["access"])
    forged = jwt.encode(claims, key=None, algorithm="none")
    _assert_refused(bearer(forged), "algorithm")


def test_token_signed_with_another_secret_is_401(pair):
    claims = decode(pair["access"])
    forged = jwt.encode(claims, "another-secret-" * 5, algorithm="HS256")
    _assert_refused(bearer(forged), "signature")


def test_token_signed_with_hs512_is_401(pair):
    claims = decode(pair["access"])
    forged = jwt.encode(claims, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS512")
    _assert_refused(bearer(forged), "algorithm")


@pytest.mark.parametrize("raw", ["garbage", "a.b.c", "", "x" * 5000])
def test_garbage_bearer_is_401(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.get(ME_URL)
    assert response.status_code == 401


def test_refresh_token_used_as_access_is_401(pair):
    _assert_refused(bearer(pair["refresh"]), "type")


def test_missing_credentials_are_401_with_www_authenticate(api_client):
    response = api_client.get(ME_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_refresh_rotates_and_old_refresh_is_rejected(api_client, pair):
    response = api_client.post(REFRESH_URL, {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == 200
    new = response.json()
    assert set(new) == {"access", "refresh"}
    assert new["refresh"] != pair["refresh"]
    assert bearer(new["access"]).get(ME_URL).status_code == 200
    again = api_client.post(REFRESH_URL, {"refresh": pair["refresh"]}, format="json")
    assert again.status_code == 401
    assert "blacklisted" in again.json()["detail"].lower()
    # The rotated token works once, too.
    assert api_client.post(REFRESH_URL, {"refresh": new["refresh"]}, format="json").status_code == 200


@pytest.mark.parametrize("body", [{}, {"refresh": ""}, {"refresh": 5}])
def test_refresh_with_bad_body_is_400(api_client, body):
    assert api_client.post(REFRESH_URL, body, format="json").status_code == 400


def test_refresh_with_garbage_or_access_token_is_401(api_client, pair):
    assert api_client.post(REFRESH_URL, {"refresh": "garbage"}, format="json").status_code == 401
    response = api_client.post(REFRESH_URL, {"refresh": pair["access"]}, format="json")
    assert response.status_code == 401


def test_refresh_for_a_deleted_user_is_401_not_500(api_client, pair, user):
    user.delete()
    response = api_client.post(REFRESH_URL, {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == 401


def test_logout_blacklists_the_refresh_token(api_client, pair):
    client = bearer(pair["access"])
    response = client.post(LOGOUT_URL, {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == 205
    refused = api_client.post(REFRESH_URL, {"refresh": pair["refresh"]}, format="json")
    assert refused.status_code == 401
    # A second logout with the same (now blacklisted) token is a clear 400.
    assert client.post(LOGOUT_URL, {"refresh": pair["refresh"]}, format="json").status_code == 400


def test_logout_requires_a_bearer_token(api_client, pair):
    response = api_client.post(LOGOUT_URL, {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == 401
    assert api_client.post(REFRESH_URL, {"refresh": pair["refresh"]}, format="json").status_code == 200


def test_logout_with_someone_elses_refresh_is_400(api_client, pair):
    other = UserFactory()
    other_pair = obtain(api_client, other.username).json()
    response = bearer(pair["access"]).post(LOGOUT_URL, {"refresh": other_pair["refresh"]}, format="json")
    assert response.status_code == 400
    assert "refresh" in response.json()
    # Not blacklisted: its owner can still use it.
    assert api_client.post(REFRESH_URL, {"refresh": other_pair["refresh"]}, format="json").status_code == 200


@pytest.mark.parametrize("refresh", ["garbage", None, 7, ""])
def test_logout_with_garbage_refresh_is_400(pair, refresh):
    response = bearer(pair["access"]).post(LOGOUT_URL, {"refresh": refresh}, format="json")
    assert response.status_code == 400
    assert "refresh" in response.json()


def test_logout_with_access_token_as_refresh_is_400(pair):
    response = bearer(pair["access"]).post(LOGOUT_URL, {"refresh": pair["access"]}, format="json")
    assert response.status_code == 400


def test_suspended_users_tokens_stop_working_at_once(api_client, pair, user):
    client = bearer(pair["access"])
    assert client.get(ME_URL).status_code == 200
    rotated = api_client.post(REFRESH_URL, {"refresh": pair["refresh"]}, format="json").json()
    services.user_suspend(user=user)
    assert client.get(ME_URL).status_code == 401
    assert bearer(rotated["access"]).get(ME_URL).status_code == 401
    assert api_client.post(REFRESH_URL, {"refresh": rotated["refresh"]}, format="json").status_code == 401
    assert obtain(api_client, "Carol").status_code == 401


def test_unsuspended_user_can_log_in_again(api_client, user):
    services.user_suspend(user=user)
    assert obtain(api_client, "Carol").status_code == 401
    services.user_unsuspend(user=user)
    assert obtain(api_client, "Carol").status_code == 200


def test_access_token_of_a_deleted_user_is_401(pair, user):
    client = bearer(pair["access"])
    user.delete()
    response = client.get(ME_URL)
    assert response.status_code == 401
    assert "not found" in response.json()["detail"].lower()


def test_each_token_has_its_own_jti(api_client, user):
    tokens = [obtain(api_client, "Carol").json() for _ in range(3)]
    jtis = {decode(t["access"])["jti"] for t in tokens} | {decode(t["refresh"])["jti"] for t in tokens}
    assert len(jtis) == 6


def test_refresh_reasons_are_clear(api_client, pair):
    claims = decode(pair["refresh"])
    forged = jwt.encode(claims, key=None, algorithm="none")
    response = api_client.post(REFRESH_URL, {"refresh": forged}, format="json")
    assert response.status_code == 401
    assert "algorithm" in response.json()["detail"].lower()
    forged = jwt.encode(claims, "another-secret-" * 5, algorithm="HS256")
    response = api_client.post(REFRESH_URL, {"refresh": forged}, format="json")
    assert response.status_code == 401
    assert "signature" in response.json()["detail"].lower()
