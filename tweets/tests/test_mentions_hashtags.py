"""Mentions and hashtags: parsed once at write time, carried by every tweet object, tag pages, trending."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services as account_services
from accounts.tests.factories import UserFactory
from tweets import services
from tweets.models import Hashtag, Mention, TweetHashtag
from tweets.parsing import is_valid_tag, parse_hashtags, parse_mentions

# --- parsing (pure) -----------------------------------------------------------


@pytest.mark.parametrize(
    "content, expected",
    [
        ("hi @Grace", ["grace"]),
        ("@a @b @a", ["a", "b"]),
        ("mail bob@example.com", []),
        ("x_@bob 1@bob é@bob", []),
        ("(@bob), @carol! @dave.", ["bob", "carol", "dave"]),
        ("@" + "a" * 30, ["a" * 30]),
        ("@" + "a" * 31, []),
        ("@ alone @", []),
        ("@bob's", ["bob"]),
    ],
)
def test_parse_mentions(content, expected):
    assert parse_mentions(content) == expected


@pytest.mark.parametrize(
    "content, expected",
    [
        ("#Python and #python", ["python"]),
        ("#123 #1a #a1 #_x", ["1a", "a1", "_x"]),
        ("a#b c#d", []),
        ("#café #日本", ["café", "日本"]),
        ("#" + "a" * 100, ["a" * 100]),
        ("#" + "a" * 101, []),
        ("#b, #c! (#d)", ["b", "c", "d"]),
        ("# #", []),
    ],
)
def test_parse_hashtags(content, expected):
    assert parse_hashtags(content) == expected


@pytest.mark.parametrize("tag, valid", [("python", True), ("Py_3", True), ("123", False), ("a-b", False), ("", False)])
def test_is_valid_tag(tag, valid):
    assert is_valid_tag(tag) is valid


# --- rows written once, objects everywhere ------------------------------------


@pytest.mark.django_db
def test_mentions_are_rows_of_existing_active_users(alice, bob, carol):
    account_services.user_suspend(user=carol)
    tweet = services.tweet_create(author=alice, content="@BOB @nobody @carol @alice @bob")
    assert list(Mention.objects.filter(tweet=tweet).order_by("position").values_list("user__username", flat=True)) == [
        "bob",
        "alice",
    ]


@pytest.mark.django_db
def test_hashtags_are_rows_shared_between_tweets(alice):
    first = services.tweet_create(author=alice, content="#Django rocks #ORM")
    second = services.tweet_create(author=alice, content="#django again")
    assert sorted(Hashtag.objects.values_list("name", flat=True)) == ["django", "orm"]
    assert TweetHashtag.objects.filter(tweet=first).count() == 2
    assert TweetHashtag.objects.get(tweet=second).created_at == second.created_at


@pytest.mark.django_db
def test_tweet_object_carries_mentions_and_hashtags(make_client, alice, bob):
    response = make_client(alice).post("/api/tweets/", {"content": "hi @Bob #Hello #x1 @ghost"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["mentions"] == [{"id": str(bob.pk), "username": "bob"}]
    assert body["hashtags"] == ["hello", "x1"]
    reply = make_client(bob).post(f"/api/tweets/{body['id']}/replies/", {"content": "@alice #hello"}, format="json")
    assert reply.json()["mentions"] == [{"id": str(alice.pk), "username": "alice"}]
    for path in ("/api/users/alice/tweets/", f"/api/tweets/{body['id']}/replies/", "/api/hashtags/hello/tweets/"):
        results = make_client(bob).get(path).json()["results"]
        assert all("mentions" in t and "hashtags" in t for t in results), path
    search = make_client(bob).get("/api/search/tweets/", {"q": "hi"}).json()["results"]
    assert search[0]["hashtags"] == ["hello", "x1"]


@pytest.mark.django_db
def test_suspended_user_leaves_mentions(make_client, alice, bob):
    tweet = services.tweet_create(author=alice, content="@bob hi")
    account_services.user_suspend(user=bob)
    assert make_client(alice).get(f"/api/tweets/{tweet.pk}/").json()["mentions"] == []


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_mentions_and_tags(make_client, alice):
    users = UserFactory.create_batch(3)
    names = " ".join(f"@{u.username}" for u in users)
    for i in range(12):
        services.tweet_create(author=alice, content=f"{names} #t{i} #common")
    client = make_client(alice)
    sizes = []
    for limit in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/api/users/alice/tweets/", {"limit": limit}).json()
        assert len(body["results"]) == limit
        assert all(len(t["mentions"]) == 3 and len(t["hashtags"]) == 2 for t in body["results"])
        sizes.append(len(queries))
    assert sizes[0] == sizes[1]


# --- tag pages --------------------------------------------------------------------


@pytest.mark.django_db
def test_hashtag_tweets_newest_first_ignoring_case(make_client, alice, bob):
    old = services.tweet_create(author=alice, content="#Python old")
    services.tweet_create(author=bob, content="#pythonista other tag")
    new = services.tweet_create(author=bob, content="new #PYTHON")
    body = make_client(alice).get("/api/hashtags/PyThOn/tweets/").json()
    assert [t["id"] for t in body["results"]] == [str(new.pk), str(old.pk)]
    assert body["count"] == 2


@pytest.mark.django_db
def test_unknown_tag_is_empty_and_invalid_tag_is_404(make_client, alice):
    client = make_client(alice)
    assert client.get("/api/hashtags/neverused/tweets/").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }
    for bad in ("123", "a-b", "x" * 101, "%00a", "a%20b"):
        assert client.get(f"/api/hashtags/{bad}/tweets/").status_code == 404, bad
    assert client.get("/api/hashtags/python/tweets/", {"limit": "0"}).status_code == 400


@pytest.mark.django_db
def test_hashtag_tweets_hide_hidden_and_blocked(make_client, alice, bob, carol):
    services.tweet_create(author=alice, content="#tag from alice")
    services.tweet_create(author=bob, content="#tag from bob")
    hidden = services.tweet_create(author=carol, content="#tag hidden")
    services.tweet_hide(tweet=hidden, reason="spam")
    account_services.block_create(user=alice, target=bob)
    assert [t["content"] for t in make_client(alice).get("/api/hashtags/tag/tweets/").json()["results"]] == [
        "#tag from alice"
    ]
    assert make_client(carol).get("/api/hashtags/tag/tweets/").json()["count"] == 2


@pytest.mark.django_db
def test_trending_counts_distinct_visible_tweets_of_the_last_day(make_client, alice, bob):
    for i in range(3):
        services.tweet_create(author=alice, content=f"#hot #hot {i}")
    services.tweet_create(author=bob, content="#warm #hot")
    services.tweet_create(author=bob, content="#warm")
    old = services.tweet_create(author=bob, content="#old #old")
    TweetHashtag.objects.filter(tweet=old).update(created_at=timezone.now() - timedelta(hours=25))
    hidden = services.tweet_create(author=bob, content="#warm hidden")
    services.tweet_hide(tweet=hidden, reason="spam")
    response = make_client(alice).get("/api/hashtags/trending/")
    assert response.status_code == 200
    assert response.json() == [{"tag": "hot", "tweets": 4}, {"tag": "warm", "tweets": 2}]


@pytest.mark.django_db
def test_trending_is_at_most_ten(make_client, alice):
    for i in range(12):
        services.tweet_create(author=alice, content=" ".join(f"#t{j:02d}" for j in range(i + 1)))
    body = make_client(alice).get("/api/hashtags/trending/").json()
    assert [row["tag"] for row in body] == [f"t{j:02d}" for j in range(10)]
    assert body[0]["tweets"] == 12
