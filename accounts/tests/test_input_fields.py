"""Input is never silently ignored (issue 12 point 8): accepted, or a 400 naming the field."""

import pytest

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from tweets.models import Tweet

pytestmark = pytest.mark.django_db


def test_register_takes_display_name_and_bio(api_client):
    response = api_client.post(
        "/api/auth/register/",
        {
            "username": "ada",
            "email": "ada@example.com",
            "password": "analytical-engine-1843",
            "display_name": "Ada L.",
            "bio": "First programmer",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["display_name"], response.json()["bio"]) == ("Ada L.", "First programmer")
    assert User.objects.get(username="ada").bio == "First programmer"


@pytest.mark.parametrize("field", ["username", "password", "id", "num_followers", "created_at"])
def test_patch_me_with_a_read_only_field_is_400_naming_it(make_client, alice, field):
    response = make_client(alice).patch("/api/users/me/", {field: "x", "bio": "new"}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    alice.refresh_from_db()
    assert alice.bio == "" and alice.username == "alice" and alice.check_password(PASSWORD)


def test_patch_me_changes_email_with_the_current_password(make_client, alice):
    client = make_client(alice)
    missing = client.patch("/api/users/me/", {"email": "new@example.com"}, format="json")
    assert missing.status_code == 400 and "current_password" in missing.json()
    wrong = client.patch("/api/users/me/", {"email": "new@example.com", "current_password": "nope"}, format="json")
    assert wrong.status_code == 400 and "current_password" in wrong.json()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    ok = client.patch("/api/users/me/", {"email": "new@example.com", "current_password": PASSWORD}, format="json")
    assert ok.status_code == 200
    assert ok.json()["email"] == "new@example.com"


def test_patch_me_email_taken_ignoring_case_is_400(make_client, alice):
    UserFactory(username="other", email="taken@example.com")
    response = make_client(alice).patch(
        "/api/users/me/", {"email": "TAKEN@example.com", "current_password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()


def test_post_tweet_with_in_reply_to_creates_a_reply(make_client, alice, bob):
    parent = Tweet.objects.create(author=bob, content="parent")
    response = make_client(alice).post(
        "/api/tweets/", {"content": "reply", "in_reply_to": str(parent.pk)}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["in_reply_to"] == str(parent.pk)
    parent.refresh_from_db()
    assert parent.num_replies == 1


@pytest.mark.parametrize("bad", ["999999", "abc", "0", "1" * 25])
def test_post_tweet_with_unknown_parent_is_400_and_creates_nothing(make_client, alice, bad):
    response = make_client(alice).post("/api/tweets/", {"content": "reply", "in_reply_to": bad}, format="json")
    assert response.status_code == 400
    assert "in_reply_to" in response.json()
    assert not Tweet.objects.exists()


def test_post_tweet_with_null_in_reply_to_is_top_level(make_client, alice):
    response = make_client(alice).post("/api/tweets/", {"content": "top", "in_reply_to": None}, format="json")
    assert response.status_code == 201
    assert response.json()["in_reply_to"] is None
