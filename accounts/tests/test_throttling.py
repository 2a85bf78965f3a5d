"""Register, token and refresh are throttled per client address at AUTH_THROTTLE_RATE."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _three_per_minute(settings):
    settings.AUTH_THROTTLE_RATE = "3/minute"


def client_from(address: str) -> APIClient:
    return APIClient(REMOTE_ADDR=address)


def _register(client, n):
    return client.post(
        "/api/auth/register/",
        {"username": f"throttled{n}", "email": f"t{n}@example.com", "password": "quiet-lantern-orbit-73"},
        format="json",
    )


def _token(client, n):
    return client.post("/api/auth/token/", {"username": "throttle_me", "password": PASSWORD}, format="json")


def _refresh(client, n):
    return client.post("/api/auth/token/refresh/", {"refresh": f"garbage{n}"}, format="json")


@pytest.mark.parametrize("call", [_register, _token, _refresh], ids=["register", "token", "refresh"])
def test_fourth_request_in_a_minute_is_429_with_retry_after(call):
    UserFactory(username="throttle_me")
    client = client_from("203.0.113.7")
    for n in range(3):
        assert call(client, n).status_code != 429
    response = call(client, 3)
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 60
    assert "detail" in response.json()
    # Another address is not affected.
    assert call(client_from("198.51.100.9"), 4).status_code != 429


def test_failed_attempts_count_too():
    UserFactory(username="throttle_me")
    client = client_from("203.0.113.8")
    for _ in range(3):
        response = client.post("/api/auth/token/", {"username": "throttle_me", "password": "wrong"}, format="json")
        assert response.status_code == 401
    response = client.post("/api/auth/token/", {"username": "throttle_me", "password": PASSWORD}, format="json")
    assert response.status_code == 429


def test_buckets_are_per_endpoint():
    UserFactory(username="throttle_me")
    client = client_from("203.0.113.9")
    for n in range(3):
        _token(client, n)
    assert _token(client, 3).status_code == 429
    assert _register(client, 0).status_code == 201


def test_the_throttle_resets_after_the_window(settings):
    import time_machine
    from django.utils import timezone

    UserFactory(username="throttle_me")
    client = client_from("203.0.113.10")
    for n in range(3):
        _token(client, n)
    assert _token(client, 3).status_code == 429
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=61), tick=False):
        assert _token(client, 4).status_code == 200


def test_authenticated_endpoints_are_not_auth_throttled(make_client):
    client = make_client(UserFactory())
    for _ in range(6):
        assert client.get("/api/users/me/").status_code == 200
