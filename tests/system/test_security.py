"""Security: no user enumeration on log-in, object-level permissions, body size limits over HTTP.

Complements accounts/tests (JWT forgery, suspension, throttling) and config/tests
(check --deploy, secrets, escaping): this module checks what crosses those lines.
"""

from __future__ import annotations

import statistics
import time

import pytest
import requests
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services as account_services
from accounts.models import Follow, User
from accounts.tests.factories import PASSWORD, UserFactory
from tweets import services as tweet_services
from tweets.models import Like, Repost, Tweet

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"


@pytest.fixture
def no_throttle(settings):
    settings.AUTH_THROTTLE_RATE = "100000/minute"


# --- user enumeration -----------------------------------------------------------------


def test_login_failures_say_the_same_thing_whoever_the_user_is(api_client, no_throttle):
    UserFactory(username="alice")
    suspended = UserFactory(username="suspended")
    account_services.user_suspend(user=suspended)
    answers = {
        "unknown user": api_client.post(TOKEN_URL, {"username": "nobody", "password": PASSWORD}, format="json"),
        "wrong password": api_client.post(TOKEN_URL, {"username": "alice", "password": "wrong-pw-123"}, format="json"),
        "suspended user": api_client.post(TOKEN_URL, {"username": "suspended", "password": PASSWORD}, format="json"),
    }
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 401)
    bodies = {r.content for r in answers.values()}
    assert len(bodies) == 1, bodies
    headers = {(r.get("WWW-Authenticate"), r.get("Content-Type")) for r in answers.values()}
    assert len(headers) == 1


def test_login_takes_as_long_for_an_unknown_user_as_for_a_wrong_password(api_client, no_throttle, monkeypatch):
    """Django's ModelBackend hashes the password for an unknown user too; we must not short-cut it.

    The test suite makes Argon2 nearly free; here it costs tens of milliseconds again (a
    fraction of Django's production cost, to stay quick on 2 cores), so that a skipped
    hash would show as a path several times faster.
    """
    monkeypatch.setattr(Argon2PasswordHasher, "time_cost", 2)
    monkeypatch.setattr(Argon2PasswordHasher, "memory_cost", 32768)
    monkeypatch.setattr(Argon2PasswordHasher, "parallelism", 1)
    UserFactory(username="alice", password=make_password(PASSWORD))

    def timed(username: str, password: str) -> float:
        started = time.perf_counter()
        response = api_client.post(TOKEN_URL, {"username": username, "password": password}, format="json")
        elapsed = time.perf_counter() - started
        assert response.status_code == 401
        return elapsed

    timed("alice", "warm-up-pw-1")  # first-call costs (imports, connection) out of the sample
    unknown, wrong = [], []
    for i in range(5):
        unknown.append(timed(f"nobody{i}", "wrong-pw-123"))
        wrong.append(timed("alice", "wrong-pw-123"))
    unknown_median, wrong_median = statistics.median(unknown), statistics.median(wrong)
    # A real hash each time: tens of milliseconds in both paths, about equal (a skipped hash: ~10x faster).
    assert wrong_median > 0.02, wrong_median
    assert 0.4 < unknown_median / wrong_median < 2.5, (unknown, wrong)


# --- object-level permissions ------------------------------------------------------------


@pytest.fixture
def world():
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    mallory = UserFactory(username="mallory")
    tweet = tweet_services.tweet_create(author=alice, content="alice's tweet")
    tweet_services.like_create(user=alice, tweet=tweet)
    tweet_services.like_create(user=bob, tweet=tweet)
    tweet_services.repost_create(user=bob, tweet=tweet)
    account_services.follow_create(follower=bob, followee=alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(mallory).access_token}")
    return {"alice": alice, "bob": bob, "mallory": mallory, "tweet": tweet, "client": client}


def snapshot(world: dict) -> dict:
    tweet = Tweet.objects.get(pk=world["tweet"].pk)
    alice = User.objects.get(pk=world["alice"].pk)
    return {
        "tweet": (tweet.content, tweet.author_id, tweet.num_likes, tweet.num_reposts, tweet.num_replies),
        "likes": set(Like.objects.values_list("user_id", "tweet_id")),
        "reposts": set(Repost.objects.values_list("user_id", "tweet_id")),
        "follows": set(Follow.objects.values_list("follower_id", "followee_id")),
        "alice": (alice.username, alice.email, alice.display_name, alice.bio, alice.is_staff, alice.num_followers),
    }


def test_nobody_can_change_someone_elses_objects(world):
    client, tweet = world["client"], world["tweet"]
    before = snapshot(world)
    attempts = [
        # (method, path, body, acceptable statuses)
        ("delete", f"/api/tweets/{tweet.pk}/", None, {403}),
        ("patch", f"/api/tweets/{tweet.pk}/", {"content": "pwned"}, {405}),
        ("put", f"/api/tweets/{tweet.pk}/", {"content": "pwned"}, {405}),
        # Unlike/unrepost/unfollow act on one's own row only: a no-op here, never someone else's.
        ("delete", f"/api/tweets/{tweet.pk}/like/", None, {204}),
        ("delete", f"/api/tweets/{tweet.pk}/repost/", None, {204}),
        ("delete", "/api/users/alice/follow/", None, {204}),
        ("patch", "/api/users/alice/", {"display_name": "pwned", "bio": "pwned"}, {405}),
        ("put", "/api/users/alice/", {"display_name": "pwned"}, {405}),
        ("delete", "/api/users/alice/", None, {405}),
        # Mass assignment on one's own profile cannot touch other fields.
        (
            "patch",
            "/api/users/me/",
            {"username": "alice", "email": "alice@example.com", "is_staff": True, "num_followers": 9},
            {400},
        ),
        # Someone else's refresh token cannot be revoked.
        ("post", "/api/auth/logout/", {"refresh": str(RefreshToken.for_user(world["alice"]))}, {400}),
        # The author of a new tweet or reply is the caller, whatever the body says.
        (
            "post",
            "/api/tweets/",
            {"content": "mine", "author": world["alice"].pk, "author_id": world["alice"].pk},
            {201},
        ),
    ]
    for method, path, body, allowed in attempts:
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code in allowed, (method, path, response.status_code, response.content)
    assert snapshot(world) == before
    mallory = User.objects.get(pk=world["mallory"].pk)
    assert (mallory.username, mallory.is_staff, mallory.num_followers) == ("mallory", False, 0)
    assert not Tweet.objects.filter(content="mine").exclude(author=mallory).exists()


def test_a_reply_is_the_callers_and_a_hidden_tweet_is_out_of_reach(world):
    client, tweet = world["client"], world["tweet"]
    reply = client.post(
        f"/api/tweets/{tweet.pk}/replies/", {"content": "hi", "author": world["alice"].pk}, format="json"
    )
    assert reply.status_code == 201
    assert reply.json()["author"]["username"] == "mallory"
    tweet_services.tweet_hide(tweet=tweet, reason="spam")
    for method, path in [
        ("get", f"/api/tweets/{tweet.pk}/"),
        ("post", f"/api/tweets/{tweet.pk}/like/"),
        ("post", f"/api/tweets/{tweet.pk}/repost/"),
        ("post", f"/api/tweets/{tweet.pk}/replies/"),
        ("get", f"/api/tweets/{tweet.pk}/replies/"),
    ]:
        response = getattr(client, method)(path, {"content": "x"}, format="json")
        assert response.status_code == 404, (method, path, response.status_code)


def test_a_non_staff_session_cannot_open_the_admin(world):
    from django.test import Client

    browser = Client()
    browser.force_login(world["mallory"])
    response = browser.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- request body size over real HTTP ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_oversized_bodies_are_refused_over_http_not_500(live_server, settings):
    user = UserFactory(username="big")
    headers = {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    huge = '{"content": "' + "x" * (limit * 4) + '"}'
    for path, extra in [("/api/tweets/", headers), ("/api/auth/register/", {}), ("/api/auth/token/", {})]:
        response = requests.post(
            live_server.url + path, data=huge, headers={"Content-Type": "application/json", **extra}, timeout=30
        )
        assert response.status_code in (400, 413), (path, response.status_code)
        assert "Traceback" not in response.text
    # Many form fields: refused before they are parsed.
    form = "&".join(f"f{i}=x" for i in range(5000))
    response = requests.post(
        live_server.url + "/api/tweets/",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        timeout=30,
    )
    assert response.status_code in (400, 413), response.status_code
    assert not Tweet.objects.exists()
