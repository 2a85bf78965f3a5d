"""Bookmarks (DESIGN.md section 7): codes as for likes, private to their owner, newest first."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import block_create
from notifications.models import Notification
from tweets import services
from tweets.models import Bookmark, Tweet

pytestmark = pytest.mark.django_db


@pytest.fixture
def tweet(alice):
    return services.tweet_create(author=alice, content="worth keeping")


def test_201_then_200_then_204_then_204(make_client, bob, tweet, django_capture_on_commit_callbacks):
    client = make_client(bob)
    url = f"/api/tweets/{tweet.pk}/bookmark/"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
        second = client.post(url)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == str(tweet.pk)  # the tweet object
    assert Bookmark.objects.filter(user=bob, tweet=tweet).count() == 1
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 204  # also when there is none
    assert not Bookmark.objects.exists()


def test_private_no_counter_no_notification_no_change_for_others(
    make_client, alice, bob, tweet, django_capture_on_commit_callbacks
):
    before = Tweet.objects.values("num_likes", "num_replies", "num_reposts").get(pk=tweet.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert make_client(bob).post(f"/api/tweets/{tweet.pk}/bookmark/").status_code == 201
    assert callbacks == []  # nothing announced after commit: no notification, no feed change
    assert Tweet.objects.values("num_likes", "num_replies", "num_reposts").get(pk=tweet.pk) == before
    assert not Notification.objects.exists()
    # The author does not see it anywhere.
    assert make_client(alice).get("/api/users/me/bookmarks/").json()["count"] == 0
    assert (
        make_client(alice).get(f"/api/tweets/{tweet.pk}/").json()
        == make_client(bob).get(f"/api/tweets/{tweet.pk}/").json()
    )  # the native tweet object carries no bookmark flag or count


def test_my_bookmarks_newest_bookmark_first(make_client, alice, bob):
    t1, t2, t3 = (services.tweet_create(author=alice, content=f"t{i}") for i in range(3))
    now = timezone.now()
    # Bookmarked in an order unrelated to the tweets' own order.
    Bookmark.objects.create(user=bob, tweet=t2, created_at=now - timedelta(minutes=30))
    Bookmark.objects.create(user=bob, tweet=t3, created_at=now - timedelta(minutes=20))
    Bookmark.objects.create(user=bob, tweet=t1, created_at=now - timedelta(minutes=10))
    Bookmark.objects.create(user=alice, tweet=t1)  # someone else's
    body = make_client(bob).get("/api/users/me/bookmarks/").json()
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == 3
    assert [t["id"] for t in body["results"]] == [str(t1.pk), str(t3.pk), str(t2.pk)]


def test_my_bookmarks_leave_out_hidden_deleted_and_blocked(make_client, alice, bob, carol):
    kept = services.tweet_create(author=carol, content="kept")
    hidden = services.tweet_create(author=carol, content="hidden")
    deleted = services.tweet_create(author=carol, content="deleted")
    blocked = services.tweet_create(author=alice, content="by a blocked author")
    for tweet in (kept, hidden, deleted, blocked):
        services.bookmark_create(user=bob, tweet=tweet)
    services.tweet_hide(tweet=hidden, reason="spam")
    services.tweet_delete(tweet=deleted, by=carol)
    block_create(user=alice, target=bob)
    body = make_client(bob).get("/api/users/me/bookmarks/").json()
    assert [t["id"] for t in body["results"]] == [str(kept.pk)]
    assert not Bookmark.objects.filter(tweet_id=deleted.pk).exists()  # gone with the tweet


def test_blocks_as_for_likes(make_client, alice, bob, tweet):
    block_create(user=alice, target=bob)
    response = make_client(bob).post(f"/api/tweets/{tweet.pk}/bookmark/")
    assert response.status_code == 403 and "blocked you" in response.json()["detail"]
    assert make_client(bob).delete(f"/api/tweets/{tweet.pk}/bookmark/").status_code == 403
    # The blocker cannot bookmark the blocked user's tweets either.
    theirs = services.tweet_create(author=bob, content="bob's")
    response = make_client(alice).post(f"/api/tweets/{theirs.pk}/bookmark/")
    assert response.status_code == 403 and "unblock" in response.json()["detail"]
    assert not Bookmark.objects.exists()


def test_unknown_tweet_is_404_and_anonymous_is_401(make_client, api_client, bob, tweet):
    assert make_client(bob).post("/api/tweets/424242/bookmark/").status_code == 404
    assert make_client(bob).delete("/api/tweets/abc/bookmark/").status_code == 404
    assert api_client.post(f"/api/tweets/{tweet.pk}/bookmark/").status_code == 401
    assert api_client.get("/api/users/me/bookmarks/").status_code == 401


def test_service_is_idempotent_and_the_constraint_is_named(bob, tweet):
    assert services.bookmark_create(user=bob, tweet=tweet) is True
    assert services.bookmark_create(user=bob, tweet=tweet) is False
    with pytest.raises(IntegrityError, match="tweets_bookmark_uniq"), transaction.atomic():
        Bookmark.objects.create(user=bob, tweet=tweet)
    assert services.bookmark_delete(user=bob, tweet=tweet) is True
    assert services.bookmark_delete(user=bob, tweet=tweet) is False


def test_query_count_does_not_grow_with_the_page(make_client, alice, bob):
    for i in range(12):
        services.bookmark_create(user=bob, tweet=services.tweet_create(author=alice, content=f"#t{i} @bob"))
    client = make_client(bob)

    def queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/users/me/bookmarks/?limit={limit}")
        assert len(response.json()["results"]) == limit
        return len(ctx.captured_queries)

    assert queries(2) == queries(12) <= 3


@pytest.mark.django_db(transaction=True)
def test_racing_creates_make_one_bookmark(alice, bob):
    """Eight concurrent bookmark_create of one pair (double clicks, retries): one row, one True."""
    tweet = services.tweet_create(author=alice, content="raced")
    start = threading.Barrier(8)
    results: list[bool] = []

    def race() -> None:
        try:
            start.wait(timeout=10)
            results.append(services.bookmark_create(user=bob, tweet=tweet))
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False] * 7 + [True]
    assert Bookmark.objects.filter(user=bob, tweet=tweet).count() == 1
