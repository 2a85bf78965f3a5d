"""Denormalised counters move with their rows; recount_stats repairs them."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts import services as account_services
from accounts.models import User
from accounts.tests.factories import UserFactory
from tweets import services
from tweets.models import Tweet

pytestmark = pytest.mark.django_db


def user_counts(user: User) -> tuple[int, int, int]:
    user.refresh_from_db()
    return user.num_tweets, user.num_followers, user.num_following


def tweet_counts(tweet: Tweet) -> tuple[int, int, int]:
    tweet.refresh_from_db()
    return tweet.num_likes, tweet.num_replies, tweet.num_reposts


def test_counters_follow_every_write(make_client, alice, bob):
    a, b = make_client(alice), make_client(bob)
    tweet_id = a.post("/api/tweets/", {"content": "counted"}, format="json").json()["id"]
    tweet = Tweet.objects.get(pk=tweet_id)
    assert user_counts(alice) == (1, 0, 0)
    b.post(f"/api/tweets/{tweet_id}/like/")
    b.post(f"/api/tweets/{tweet_id}/repost/")
    reply_id = b.post(f"/api/tweets/{tweet_id}/replies/", {"content": "r"}, format="json").json()["id"]
    assert tweet_counts(tweet) == (1, 1, 1)
    assert user_counts(bob) == (1, 0, 0)
    b.delete(f"/api/tweets/{tweet_id}/like/")
    assert tweet_counts(tweet) == (0, 1, 1)
    b.delete(f"/api/tweets/{tweet_id}/repost/")
    assert tweet_counts(tweet) == (0, 1, 0)
    b.delete(f"/api/tweets/{reply_id}/")
    assert tweet_counts(tweet) == (0, 0, 0)
    assert user_counts(bob) == (0, 0, 0)
    b.post("/api/users/alice/follow/")
    assert user_counts(alice) == (1, 1, 0)
    assert user_counts(bob) == (0, 0, 1)
    a.delete(f"/api/tweets/{tweet_id}/")
    assert user_counts(alice) == (0, 1, 0)


def test_failed_writes_do_not_move_counters(make_client, alice):
    client = make_client(alice)
    client.post("/api/tweets/", {"content": ""}, format="json")
    client.post("/api/tweets/", {"content": "x" * 281}, format="json")
    assert user_counts(alice) == (0, 0, 0)


def test_recount_stats_repairs_corrupted_counters(alice, bob):
    carol = UserFactory(username="carol")
    tweet = services.tweet_create(author=alice, content="root")
    services.tweet_create(author=bob, content="reply", in_reply_to=tweet)
    services.like_create(user=bob, tweet=tweet)
    services.like_create(user=carol, tweet=tweet)
    services.repost_create(user=carol, tweet=tweet)
    account_services.follow_create(follower=bob, followee=alice)
    account_services.follow_create(follower=carol, followee=alice)
    expected_users = {u.pk: user_counts(u) for u in (alice, bob, carol)}
    expected_tweet = tweet_counts(tweet)
    assert expected_tweet == (2, 1, 1)

    User.objects.update(num_tweets=7, num_followers=99, num_following=3)
    Tweet.objects.update(num_likes=42, num_replies=5, num_reposts=0)

    out = StringIO()
    call_command("recount_stats", stdout=out)
    assert {u.pk: user_counts(u) for u in (alice, bob, carol)} == expected_users
    assert tweet_counts(tweet) == expected_tweet
    text = out.getvalue()
    assert "user.num_followers: 3 row(s) corrected" in text
    assert "tweet.num_likes: 2 row(s) corrected" in text

    # Safe to re-run: nothing left to correct.
    out = StringIO()
    call_command("recount_stats", stdout=out)
    assert "0 row(s)" in out.getvalue()
    assert "1 row(s)" not in out.getvalue()
    assert services.recount_stats() == dict.fromkeys(services.recount_stats(), 0)
