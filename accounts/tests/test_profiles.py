"""GET/PATCH /api/users/me/ and GET /api/users/{username}/."""

import pytest

from accounts import services
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

USER_KEYS = {"id", "username", "display_name", "bio", "created_at", "num_tweets", "num_followers", "num_following"}


def test_me_returns_own_profile_with_email(make_client, alice):
    response = make_client(alice).get("/api/users/me/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == USER_KEYS | {"email"}
    assert body["id"] == str(alice.pk)
    assert body["email"] == alice.email
    assert body["created_at"].endswith("Z") or "+" in body["created_at"]


def test_public_profile_has_no_email(make_client, alice, bob):
    response = make_client(alice).get("/api/users/bob/")
    assert response.status_code == 200
    # Another user's profile also says how the viewer stands towards them (section 6).
    assert set(response.json()) == USER_KEYS | {"relationship"}
    assert response.json()["username"] == "bob"


@pytest.mark.parametrize("name", ["BOB", "Bob", "bOb"])
def test_public_profile_lookup_ignores_case(make_client, alice, bob, name):
    response = make_client(alice).get(f"/api/users/{name}/")
    assert response.status_code == 200
    assert response.json()["id"] == str(bob.pk)


@pytest.mark.parametrize("name", ["nobody", "x" * 31, "bad%20name", "%E5%90%8D", "b%00b"])
def test_unknown_user_is_404(make_client, alice, name):
    assert make_client(alice).get(f"/api/users/{name}/").status_code == 404


def test_profiles_need_authentication(api_client, bob):
    assert api_client.get("/api/users/bob/").status_code == 401
    assert api_client.get("/api/users/me/").status_code == 401
    assert api_client.patch("/api/users/me/", {"bio": "x"}, format="json").status_code == 401


def test_suspended_user_is_404_except_for_staff(make_client, alice, bob):
    services.user_suspend(user=bob)
    assert make_client(alice).get("/api/users/bob/").status_code == 404
    staff = UserFactory(is_staff=True)
    response = make_client(staff).get("/api/users/bob/")
    assert response.status_code == 200


def test_patch_me_updates_display_name_and_bio(make_client, alice):
    client = make_client(alice)
    response = client.patch("/api/users/me/", {"display_name": "  Alice A.  ", "bio": "Hello 👋"}, format="json")
    assert response.status_code == 200
    assert response.json()["display_name"] == "Alice A."
    assert response.json()["bio"] == "Hello 👋"
    alice.refresh_from_db()
    assert (alice.display_name, alice.bio) == ("Alice A.", "Hello 👋")
    # Partial: changing only the bio keeps the name.
    response = client.patch("/api/users/me/", {"bio": ""}, format="json")
    assert response.status_code == 200
    assert response.json()["display_name"] == "Alice A."
    assert response.json()["bio"] == ""


def test_patch_me_limits_by_characters(make_client, alice):
    client = make_client(alice)
    assert (
        client.patch("/api/users/me/", {"display_name": "é" * 50, "bio": "🙂" * 160}, format="json").status_code == 200
    )
    response = client.patch("/api/users/me/", {"display_name": "x" * 51}, format="json")
    assert response.status_code == 400
    assert "display_name" in response.json()
    response = client.patch("/api/users/me/", {"bio": "x" * 161}, format="json")
    assert response.status_code == 400
    assert "bio" in response.json()


@pytest.mark.parametrize("body", [{"bio": None}, {"bio": 5}, {"display_name": ["x"]}, {"bio": "nul\x00byte"}])
def test_patch_me_bad_values_are_400(make_client, alice, body):
    response = make_client(alice).patch("/api/users/me/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == set(body)


def test_patch_me_cannot_change_username_or_email_or_counters(make_client, alice):
    response = make_client(alice).patch(
        "/api/users/me/",
        {"username": "mallory", "email": "m@example.com", "num_followers": 1000, "is_staff": True},
        format="json",
    )
    # Refused and named (issue 12 point 8), never silently ignored; nothing changes.
    assert response.status_code == 400
    assert {"username", "num_followers", "is_staff", "current_password"} <= set(response.json())
    alice.refresh_from_db()
    assert alice.username == "alice"
    assert alice.email == "alice@example.com"
    assert alice.num_followers == 0
    assert not alice.is_staff


def test_put_me_is_405(make_client, alice):
    response = make_client(alice).put("/api/users/me/", {"bio": "x"}, format="json")
    assert response.status_code == 405


def test_display_name_and_bio_are_empty_strings_when_unset(make_client, alice):
    body = make_client(alice).get("/api/users/alice/").json()
    assert body["display_name"] == ""
    assert body["bio"] == ""
