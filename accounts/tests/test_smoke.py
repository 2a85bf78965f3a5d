import pytest

pytestmark = pytest.mark.django_db


def test_register_login_me(api_client):
    response = api_client.post(
        "/api/auth/register/",
        {"username": "Alice", "email": "alice@example.com", "password": "a-long-enough-pw-42"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["email"] == "alice@example.com"
    response = api_client.post(
        "/api/auth/token/", {"username": "alice", "password": "a-long-enough-pw-42"}, format="json"
    )
    assert response.status_code == 200, response.content
    access = response.json()["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    me = api_client.get("/api/users/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "Alice"
