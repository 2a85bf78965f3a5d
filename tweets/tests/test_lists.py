"""Tweet lists: order, visibility, strict pagination, constant query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from tweets import services
from tweets.models import Bookmark, Like, Repost, Tweet
from tweets.tests.factories import TweetFactory

pytestmark = pytest.mark.django_db


def test_user_tweets_newest_first(make_client, alice, bob):
    now = timezone.now()
    old = TweetFactory(author=alice, created_at=now - timedelta(hours=2))
    new = TweetFactory(author=alice, created_at=now - timedelta(minutes=1))
    mid = TweetFactory(author=alice, created_at=now - timedelta(hours=1))
    TweetFactory(author=bob)
    response = make_client(bob).get("/api/users/ALICE/tweets/")
    assert response.status_code == 200
    assert [t["id"] for t in response.json()["results"]] == [str(new.pk), str(mid.pk), str(old.pk)]


def test_user_tweets_of_unknown_or_suspended_user_is_404(make_client, alice, bob, staff):
    from accounts import services as account_services

    assert make_client(alice).get("/api/users/nobody/tweets/").status_code == 404
    TweetFactory(author=bob)
    account_services.user_suspend(user=bob)
    assert make_client(alice).get("/api/users/bob/tweets/").status_code == 404
    response = make_client(staff).get("/api/users/bob/tweets/")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_me_tweets_alias(make_client, alice):
    services.tweet_create(author=alice, content="mine")
    assert make_client(alice).get("/api/users/me/tweets/").json()["count"] == 1


def test_my_likes_newest_like_first(make_client, alice, bob):
    t1, t2, t3 = (services.tweet_create(author=bob, content=f"t{i}") for i in range(3))
    now = timezone.now()
    # Liked in an order unrelated to the tweets' own order.
    Like.objects.create(user=alice, tweet=t2, created_at=now - timedelta(minutes=30))
    Like.objects.create(user=alice, tweet=t3, created_at=now - timedelta(minutes=20))
    Like.objects.create(user=alice, tweet=t1, created_at=now - timedelta(minutes=10))
    Like.objects.create(user=bob, tweet=t1)
    response = make_client(alice).get("/api/users/me/likes/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [t["id"] for t in body["results"]] == [str(t1.pk), str(t3.pk), str(t2.pk)]
    assert all(t["liked"] for t in body["results"])


def test_my_reposts_newest_repost_first(make_client, alice, bob):
    t1, t2 = (services.tweet_create(author=bob, content=f"t{i}") for i in range(2))
    now = timezone.now()
    Repost.objects.create(user=alice, tweet=t1, created_at=now - timedelta(minutes=5))
    Repost.objects.create(user=alice, tweet=t2, created_at=now - timedelta(minutes=50))
    response = make_client(alice).get("/api/users/me/reposts/")
    assert response.status_code == 200
    assert [t["id"] for t in response.json()["results"]] == [str(t1.pk), str(t2.pk)]
    assert all(t["reposted"] for t in response.json()["results"])


def test_my_likes_and_reposts_need_authentication(api_client):
    assert api_client.get("/api/users/me/likes/").status_code == 401
    assert api_client.get("/api/users/me/reposts/").status_code == 401


# --- pagination on every list endpoint -----------------------------------------

ROWS = 55


@pytest.fixture
def populated(alice, bob):
    """ROWS of everything: alice's tweets (liked, reposted and bookmarked by bob), replies, followers."""
    parent = TweetFactory(author=bob)
    now = timezone.now()
    tweets = Tweet.objects.bulk_create(
        Tweet(author=alice, content=f"tweet {i}", created_at=now - timedelta(seconds=i)) for i in range(ROWS)
    )
    Tweet.objects.bulk_create(
        Tweet(author=UserFactory(), content=f"reply {i}", in_reply_to=parent, created_at=now - timedelta(seconds=i))
        for i in range(ROWS)
    )
    Like.objects.bulk_create(Like(user=bob, tweet=tweet) for tweet in tweets)
    Repost.objects.bulk_create(Repost(user=bob, tweet=tweet) for tweet in tweets)
    Bookmark.objects.bulk_create(Bookmark(user=bob, tweet=tweet) for tweet in tweets)
    from accounts.models import Follow

    fans = UserFactory.create_batch(ROWS)
    Follow.objects.bulk_create(Follow(follower=fan, followee=alice) for fan in fans)
    Follow.objects.bulk_create(Follow(follower=alice, followee=fan) for fan in fans)
    return {"parent": parent}


def list_urls(populated) -> list[str]:
    return [
        "/api/users/alice/tweets/",
        "/api/users/alice/followers/",
        "/api/users/alice/following/",
        f"/api/tweets/{populated['parent'].pk}/replies/",
        "/api/users/me/likes/",
        "/api/users/me/reposts/",
        "/api/users/me/bookmarks/",
    ]


def test_every_list_defaults_to_20_and_has_the_envelope(make_client, bob, populated):
    client = make_client(bob)
    for url in list_urls(populated):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.json()
        assert list(body) == ["count", "next", "previous", "results"], url
        assert body["count"] == ROWS, url
        assert len(body["results"]) == 20, url
        assert body["previous"] is None
        assert "limit=20" in body["next"] and "offset=20" in body["next"]


def test_every_list_accepts_limit_1_to_100_and_offsets(make_client, bob, populated):
    client = make_client(bob)
    for url in list_urls(populated):
        assert len(client.get(f"{url}?limit=1").json()["results"]) == 1, url
        assert len(client.get(f"{url}?limit=100").json()["results"]) == ROWS, url
        page = client.get(f"{url}?limit=10&offset=50").json()
        assert len(page["results"]) == 5
        assert page["next"] is None
        assert page["previous"] is not None
        beyond = client.get(f"{url}?offset=1000").json()
        assert beyond["results"] == [] and beyond["count"] == ROWS


def test_pages_do_not_overlap(make_client, bob, populated):
    client = make_client(bob)
    for url in list_urls(populated):
        seen = []
        next_url = f"{url}?limit=20"
        while next_url:
            body = client.get(next_url).json()
            seen += [item["id"] for item in body["results"]]
            next_url = body["next"]
        assert len(seen) == ROWS == len(set(seen)), url


BAD_PARAMS = [
    ("limit", "0"),
    ("limit", "101"),
    ("limit", "abc"),
    ("limit", "-1"),
    ("limit", "1.5"),
    ("limit", ""),
    ("limit", "99999999999999999999999"),
    ("limit", "\u0665"),
    ("offset", "-1"),
    ("offset", "abc"),
    ("offset", "1e3"),
    ("offset", "99999999999999999999999"),
]


@pytest.mark.parametrize(("param", "value"), BAD_PARAMS)
def test_bad_pagination_parameters_are_400_naming_the_parameter(make_client, bob, populated, param, value):
    client = make_client(bob)
    for url in list_urls(populated):
        response = client.get(url, {param: value})
        assert response.status_code == 400, (url, response.content)
        assert list(response.json()) == [param], url


def test_both_bad_parameters_are_named(make_client, bob, populated):
    response = make_client(bob).get("/api/users/alice/tweets/?limit=0&offset=-5")
    assert response.status_code == 400
    assert set(response.json()) == {"limit", "offset"}


def test_query_count_does_not_grow_with_the_page(make_client, bob, populated):
    client = make_client(bob)

    def queries(url: str, limit: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{url}?limit={limit}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == limit
        return len(ctx.captured_queries)

    for url in list_urls(populated):
        small, large = queries(url, 5), queries(url, 50)
        assert small == large, (url, small, large)
        assert large <= 6, (url, large)
