"""Likes and reposts: idempotent, counted once, with the viewer's flags."""

import pytest

from tweets import services
from tweets.models import Like, Repost, Tweet

pytestmark = pytest.mark.django_db


@pytest.fixture
def tweet(alice):
    return services.tweet_create(author=alice, content="like me")


def num(tweet: Tweet, field: str) -> int:
    tweet.refresh_from_db()
    return getattr(tweet, field)


@pytest.mark.parametrize(
    ("action", "model", "counter", "flag"),
    [("like", Like, "num_likes", "liked"), ("repost", Repost, "num_reposts", "reposted")],
)
def test_201_then_200_then_204_then_204(make_client, bob, tweet, action, model, counter, flag):
    client = make_client(bob)
    url = f"/api/tweets/{tweet.pk}/{action}/"
    first = client.post(url)
    assert first.status_code == 201
    assert first.json()[counter] == 1
    assert first.json()[flag] is True
    second = client.post(url)
    assert second.status_code == 200
    assert second.json()[counter] == 1
    assert model.objects.filter(user=bob, tweet=tweet).count() == 1
    assert num(tweet, counter) == 1
    assert client.delete(url).status_code == 204
    assert num(tweet, counter) == 0
    assert client.delete(url).status_code == 204
    assert num(tweet, counter) == 0
    assert not model.objects.exists()
    body = client.get(f"/api/tweets/{tweet.pk}/").json()
    assert body[counter] == 0
    assert body[flag] is False


@pytest.mark.parametrize(("action", "counter"), [("like", "num_likes"), ("repost", "num_reposts")])
def test_counted_once_per_user(make_client, alice, bob, tweet, action, counter):
    from accounts.tests.factories import UserFactory

    others = UserFactory.create_batch(3)
    for user in [alice, bob, *others]:
        make_client(user).post(f"/api/tweets/{tweet.pk}/{action}/")
        make_client(user).post(f"/api/tweets/{tweet.pk}/{action}/")
    assert num(tweet, counter) == 5
    make_client(others[0]).delete(f"/api/tweets/{tweet.pk}/{action}/")
    assert num(tweet, counter) == 4


def test_flags_are_per_viewer(make_client, alice, bob, tweet):
    make_client(bob).post(f"/api/tweets/{tweet.pk}/like/")
    assert make_client(bob).get(f"/api/tweets/{tweet.pk}/").json()["liked"] is True
    as_alice = make_client(alice).get(f"/api/tweets/{tweet.pk}/").json()
    assert as_alice["liked"] is False
    assert as_alice["num_likes"] == 1


def test_like_and_repost_are_independent(make_client, bob, tweet):
    client = make_client(bob)
    client.post(f"/api/tweets/{tweet.pk}/like/")
    client.post(f"/api/tweets/{tweet.pk}/repost/")
    client.delete(f"/api/tweets/{tweet.pk}/like/")
    body = client.get(f"/api/tweets/{tweet.pk}/").json()
    assert (body["liked"], body["reposted"], body["num_likes"], body["num_reposts"]) == (False, True, 0, 1)


@pytest.mark.parametrize("action", ["like", "repost"])
def test_unknown_tweet_is_404(make_client, bob, action):
    client = make_client(bob)
    assert client.post(f"/api/tweets/424242/{action}/").status_code == 404
    assert client.delete(f"/api/tweets/424242/{action}/").status_code == 404


@pytest.mark.parametrize("action", ["like", "repost"])
def test_needs_authentication(api_client, tweet, action):
    assert api_client.post(f"/api/tweets/{tweet.pk}/{action}/").status_code == 401
    assert api_client.delete(f"/api/tweets/{tweet.pk}/{action}/").status_code == 401


def test_own_tweet_can_be_liked_and_reposted(make_client, alice, tweet):
    client = make_client(alice)
    assert client.post(f"/api/tweets/{tweet.pk}/like/").status_code == 201
    assert client.post(f"/api/tweets/{tweet.pk}/repost/").status_code == 201


def test_deleting_a_liked_tweet_removes_likes_and_reposts(make_client, alice, bob, tweet):
    make_client(bob).post(f"/api/tweets/{tweet.pk}/like/")
    make_client(bob).post(f"/api/tweets/{tweet.pk}/repost/")
    assert make_client(alice).delete(f"/api/tweets/{tweet.pk}/").status_code == 204
    assert not Like.objects.exists()
    assert not Repost.objects.exists()
    assert make_client(bob).get("/api/users/me/likes/").json()["count"] == 0


def test_like_service_is_idempotent_when_the_row_exists(bob, tweet):
    assert services.like_create(user=bob, tweet=tweet) is True
    assert services.like_create(user=bob, tweet=tweet) is False
    assert services.repost_create(user=bob, tweet=tweet) is True
    assert services.repost_create(user=bob, tweet=tweet) is False
    assert (num(tweet, "num_likes"), num(tweet, "num_reposts")) == (1, 1)
    assert services.like_delete(user=bob, tweet=tweet) is True
    assert services.like_delete(user=bob, tweet=tweet) is False
    assert services.repost_delete(user=bob, tweet=tweet) is True
    assert services.repost_delete(user=bob, tweet=tweet) is False
    assert (num(tweet, "num_likes"), num(tweet, "num_reposts")) == (0, 0)
