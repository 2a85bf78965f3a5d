"""POST /api/auth/password/: refresh tokens blacklisted, older access tokens refused, validators, throttling."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
import time_machine
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/auth/password/"
TOKEN_URL = "/api/auth/token/"
REFRESH_URL = "/api/auth/token/refresh/"
ME_URL = "/api/users/me/"
NEW_PASSWORD = "violet-tractor-umbrella-42"


@pytest.fixture
def user() -> User:
    return UserFactory(username="Carol")


def login(username: str = "Carol", password: str = PASSWORD) -> dict:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def change(client: APIClient, old: str = PASSWORD, new: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(URL, {"old_password": old, "new_password": new}, format="json")


def refresh(token: str):  # type: ignore[no-untyped-def]
    return APIClient().post(REFRESH_URL, {"refresh": token}, format="json")


def test_change_blacklists_refresh_tokens_and_refuses_older_access_tokens(user):
    first, second = login(), login()
    rotated = refresh(second["refresh"]).json()  # a rotated pair is outstanding too
    response = change(bearer(first["access"]))
    assert response.status_code == 204, response.content
    assert response.content == b""
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.password_changed_at is not None

    for pair in (first, second, rotated):
        answer = refresh(pair["refresh"])
        assert answer.status_code == 401, answer.content
        me = bearer(pair["access"]).get(ME_URL)
        assert me.status_code == 401
        assert "password change" in me.json()["detail"]
        assert me["WWW-Authenticate"].startswith("Bearer")

    # The old password no longer logs in; the new one does, at once, and its tokens work.
    assert APIClient().post(TOKEN_URL, {"username": "Carol", "password": PASSWORD}, format="json").status_code == 401
    fresh = login(password=NEW_PASSWORD)
    assert bearer(fresh["access"]).get(ME_URL).status_code == 200
    renewed = refresh(fresh["refresh"])
    assert renewed.status_code == 200, renewed.content
    assert bearer(renewed.json()["access"]).get(ME_URL).status_code == 200


def test_tokens_carry_a_precise_iat():
    UserFactory(username="Carol")
    pair = login()
    for token in pair.values():
        iat = jwt.decode(token, settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])["iat"]
        assert isinstance(iat, float)
    rotated = refresh(pair["refresh"]).json()
    for token in rotated.values():
        assert isinstance(jwt.decode(token, settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])["iat"], float)


def test_within_one_second_a_token_before_the_change_fails_and_one_after_works(user):
    # All inside the same wall-clock second: whole-second iat could not tell them apart.
    start = datetime(2030, 5, 1, 12, 0, 0, 100_000, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        before = login()
    with time_machine.travel(start + timedelta(milliseconds=400), tick=False):
        assert change(bearer(before["access"])).status_code == 204
    with time_machine.travel(start + timedelta(milliseconds=700), tick=False):
        after = login(password=NEW_PASSWORD)
        assert int(after_iat := jwt.decode(after["access"], options={"verify_signature": False})["iat"]) == int(
            jwt.decode(before["access"], options={"verify_signature": False})["iat"]
        ), after_iat
        assert bearer(before["access"]).get(ME_URL).status_code == 401
        assert bearer(after["access"]).get(ME_URL).status_code == 200
        assert refresh(before["refresh"]).status_code == 401
        assert refresh(after["refresh"]).status_code == 200


def test_a_refresh_token_that_escaped_the_blacklist_is_refused_too(user):
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    pair = login()
    assert change(bearer(pair["access"])).status_code == 204
    # As if a concurrent refresh had rotated it just before the blacklisting saw it.
    BlacklistedToken.objects.all().delete()
    assert OutstandingToken.objects.filter(user=user).exists()
    response = refresh(pair["refresh"])
    assert response.status_code == 401
    assert "password change" in response.json()["detail"]


def test_wrong_old_password_is_a_400_on_old_password(user):
    pair = login()
    response = change(bearer(pair["access"]), old="not-my-password")
    assert response.status_code == 400
    assert set(response.json()) == {"old_password"}
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert user.password_changed_at is None
    assert bearer(pair["access"]).get(ME_URL).status_code == 200
    assert refresh(pair["refresh"]).status_code == 200


@pytest.mark.parametrize(
    "new",
    [
        "short",  # too short
        "password123",  # too common
        "83920174659",  # entirely numeric
        "carol-example",  # too similar to the username / email
        "",
        "x" * 129,
        "a\x00bcdefghijkl",
    ],
)
def test_validators_as_at_register_are_a_400_on_new_password(user, new):
    pair = login()
    response = change(bearer(pair["access"]), new=new)
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"new_password"}, response.json()
    assert bearer(pair["access"]).get(ME_URL).status_code == 200


@pytest.mark.parametrize(
    "body",
    [{}, {"old_password": PASSWORD}, {"new_password": NEW_PASSWORD}, {"old_password": 1, "new_password": NEW_PASSWORD}],
)
def test_missing_or_mistyped_fields_are_400(user, body):
    response = bearer(login()["access"]).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()


def test_anonymous_is_401(api_client):
    assert change(api_client).status_code == 401


def test_password_change_is_throttled_against_guessing(settings, user):
    settings.AUTH_THROTTLE_RATE = "3/minute"
    client = bearer(login()["access"])
    for _ in range(3):
        assert change(client, old="guess").status_code == 400
    response = change(client, old="guess")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_the_per_user_bucket_holds_across_addresses(settings, user):
    settings.AUTH_THROTTLE_RATE = "2/minute"
    access = login()["access"]
    for n in range(2):
        client = bearer(access)
        response = client.post(
            URL, {"old_password": "guess", "new_password": NEW_PASSWORD}, format="json", REMOTE_ADDR=f"10.0.0.{n}"
        )
        assert response.status_code == 400
    response = bearer(access).post(
        URL, {"old_password": "guess", "new_password": NEW_PASSWORD}, format="json", REMOTE_ADDR="10.0.0.99"
    )
    assert response.status_code == 429


def test_a_session_stays_signed_in_after_its_own_change(user):
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    response = client.post(
        URL, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 204, response.content
    assert client.get(ME_URL).status_code == 200


def test_other_users_are_not_affected(user):
    other = UserFactory(username="dora")
    other_pair = login("dora")
    assert change(bearer(login()["access"])).status_code == 204
    assert bearer(other_pair["access"]).get(ME_URL).status_code == 200
    assert refresh(other_pair["refresh"]).status_code == 200
    other.refresh_from_db()
    assert other.password_changed_at is None
