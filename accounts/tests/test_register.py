"""POST /api/auth/register/: every field rule, duplicate handling and password policy."""

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/auth/register/"
GOOD_PASSWORD = "quiet-lantern-orbit-73"


def register(client, **overrides):
    body = {"username": "newbie", "email": "newbie@example.com", "password": GOOD_PASSWORD}
    body.update(overrides)
    body = {key: value for key, value in body.items() if value is not ...}
    return client.post(URL, body, format="json")


def test_register_returns_201_with_the_user_and_email(api_client):
    response = register(api_client)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "id",
        "username",
        "display_name",
        "bio",
        "created_at",
        "num_tweets",
        "num_followers",
        "num_following",
        "email",
    }
    assert body["username"] == "newbie"
    assert body["email"] == "newbie@example.com"
    assert isinstance(body["id"], str)
    assert body["display_name"] == "" and body["bio"] == ""
    assert body["num_tweets"] == body["num_followers"] == body["num_following"] == 0
    assert "password" not in body


def test_password_is_stored_as_argon2(api_client):
    register(api_client)
    user = User.objects.get(username="newbie")
    assert user.password.startswith("argon2$")
    assert user.check_password(GOOD_PASSWORD)


@pytest.mark.parametrize("field", ["username", "email", "password"])
def test_every_field_is_required(api_client, field):
    response = register(api_client, **{field: ...})
    assert response.status_code == 400
    assert field in response.json()
    assert not User.objects.exists()


def test_empty_body_names_all_fields(api_client):
    response = api_client.post(URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "email", "password"}


@pytest.mark.parametrize("username", ["a", "A_b_9", "x" * 30, "___", "007"])
def test_valid_usernames(api_client, username):
    response = register(api_client, username=username)
    assert response.status_code == 201, response.content
    assert response.json()["username"] == username


@pytest.mark.parametrize(
    "username",
    [
        "",
        "x" * 31,
        "with space",
        "dash-ed",
        "dot.ted",
        "émile",
        "名前",
        "\uff41\uff42\uff43",  # full-width letters
        "\u0661\u0662\u0663",  # Arabic-Indic digits
        "tab\t",
        "newline\n",
        " lead",
        "at@sign",
    ],
)
def test_invalid_usernames_are_400_on_username(api_client, username):
    response = register(api_client, username=username)
    assert response.status_code == 400
    assert "username" in response.json()
    assert not User.objects.exists()


@pytest.mark.parametrize("username", ["me", "ME", "Me"])
def test_me_is_reserved(api_client, username):
    response = register(api_client, username=username)
    assert response.status_code == 400
    assert "reserved" in response.json()["username"][0]


@pytest.mark.parametrize("value", [123, None, ["newbie"], {"a": 1}, True])
def test_non_string_username_is_400(api_client, value):
    response = register(api_client, username=value)
    assert response.status_code == 400
    assert "username" in response.json()


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", "a b@example.com", "", "x" * 250 + "@e.com"])
def test_invalid_email_is_400_on_email(api_client, email):
    response = register(api_client, email=email)
    assert response.status_code == 400
    assert "email" in response.json()


def test_duplicate_username_in_another_case_is_400_on_username(api_client):
    UserFactory(username="Taken", email="taken@example.com")
    response = register(api_client, username="tAKEN", email="other@example.com")
    assert response.status_code == 400
    assert list(response.json()) == ["username"]
    assert "already exists" in response.json()["username"][0]


def test_duplicate_email_in_another_case_is_400_on_email(api_client):
    UserFactory(username="first", email="Shared@Example.com")
    response = register(api_client, username="second", email="shared@EXAMPLE.com")
    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Sh0rt!", "too short"),
        ("password123", "too common"),
        ("83920174650193", "entirely numeric"),
        ("newbie2026", "too similar"),
    ],
)
def test_password_validators_answer_400_on_password(api_client, password, fragment):
    response = register(api_client, password=password)
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == ["password"]
    assert any(fragment in message for message in body["password"]), body
    assert not User.objects.exists()


def test_password_similar_to_email_is_refused(api_client):
    response = register(api_client, username="zed", email="moonlightsonata@example.com", password="moonlightsonata")
    assert response.status_code == 400
    assert "password" in response.json()


def test_password_is_not_trimmed(api_client):
    password = f"  {GOOD_PASSWORD}  "
    assert register(api_client, password=password).status_code == 201
    assert User.objects.get().check_password(password)


def test_form_encoded_register_also_works(api_client):
    response = api_client.post(URL, {"username": "formy", "email": "formy@example.com", "password": GOOD_PASSWORD})
    assert response.status_code == 201


def test_new_user_can_log_in(api_client):
    register(api_client)
    response = api_client.post("/api/auth/token/", {"username": "NEWBIE", "password": GOOD_PASSWORD}, format="json")
    assert response.status_code == 200
