"""GET /api/feed/: envelope, pagination, query count, self-healing from a lost or dead Redis."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Mute
from accounts.tests.factories import UserFactory
from feed import services
from feed.tests.conftest import feed_ids, redis_down
from media.tests.helpers import upload
from tweets import services as tweet_services
from tweets.models import Tweet
from tweets.tests.contract import FEED_ITEM_KEYS

pytestmark = pytest.mark.django_db

URL = "/api/feed/"


@pytest.fixture
def world(commit, alice, bob, carol, dave):  # type: ignore[no-untyped-def]
    """bob follows alice and carol; carol reposts dave's tweets; bob likes some."""
    with commit():
        account_services.follow_create(follower=bob, followee=alice)
        account_services.follow_create(follower=bob, followee=carol)
    services.rebuild_feed(bob.pk)
    tweets = []
    for i in range(40):
        author = (alice, carol, bob, dave)[i % 4]
        with commit():
            tweet = tweet_services.tweet_create(author=author, content=f"tweet {i}")
        tweets.append(tweet)
        if author == dave:
            with commit():
                tweet_services.repost_create(user=carol, tweet=tweet)
        if i % 3 == 0:
            tweet_services.like_create(user=bob, tweet=tweet)
    return tweets


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [item["id"] for item in response.json()["results"]]


def test_feed_envelope_and_objects(make_client, world, bob):
    response = make_client(bob).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 40
    assert len(body["results"]) == 20
    assert body["previous"] is None
    assert "limit=20" in body["next"] and "offset=20" in body["next"]
    first = body["results"][0]
    assert set(first) == FEED_ITEM_KEYS
    by_id = {item["id"]: item for item in body["results"]}
    newest = world[-1]  # tweet 39, by dave, reposted by carol
    assert by_id[str(newest.pk)]["reposted_by"] == "carol"
    assert by_id[str(newest.pk)]["author"]["username"] == "dave"
    assert by_id[str(world[-2].pk)]["reposted_by"] is None
    liked = {str(t.pk) for i, t in enumerate(world) if i % 3 == 0}
    assert all(item["liked"] == (item["id"] in liked) for item in body["results"])
    created = [item["created_at"] for item in body["results"]]
    assert created == sorted(created, reverse=True)


def test_pages_of_20_20_5_over_45(commit, make_client, alice, bob):
    with commit():
        account_services.follow_create(follower=bob, followee=alice)
    for i in range(45):
        with commit():
            tweet_services.tweet_create(author=alice, content=f"t{i}")
    client = make_client(bob)
    pages = [client.get(URL, {"limit": 20, "offset": offset}).json() for offset in (0, 20, 40)]
    assert [len(p["results"]) for p in pages] == [20, 20, 5]
    assert {p["count"] for p in pages} == {45}
    seen = [item["id"] for p in pages for item in p["results"]]
    assert len(set(seen)) == 45
    expected = [
        str(pk) for pk in Tweet.objects.filter(author=alice).order_by("-created_at").values_list("pk", flat=True)
    ]
    assert seen == expected
    assert pages[2]["next"] is None
    assert client.get(URL, {"offset": 45}).json()["results"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": "x"}, "offset"),
    ],
)
def test_bad_limit_or_offset_is_400(make_client, bob, params, field):
    response = make_client(bob).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_feed_needs_authentication(api_client):
    assert api_client.get(URL).status_code == 401


def test_url_is_named_feed():
    assert reverse("feed") == URL


def test_query_count_is_the_same_for_5_and_100(commit, make_client, world, alice, bob, carol, dave):
    """Pages with mentions, hashtags, 4 images per tweet and reposts, a block and a mute in
    place, and entries made stale by a mute the feed task has not handled yet: 1 query whatever
    the limit."""
    erin, frank, gina = (UserFactory(username=name) for name in ("erin", "frank", "gina"))
    for i in range(6):
        media = [upload(alice, description=f"{i}.{j}") for j in range(4)]
        with commit():
            tweet_services.tweet_create(
                author=alice, content=f"@carol @dave #chirp #tag{i} hello {i}", media_ids=[m.pk for m in media]
            )
        for author in (gina, erin, frank):
            with commit():
                tweet = tweet_services.tweet_create(author=author, content=f"#{author.username} {i} @alice")
            with commit():
                tweet_services.repost_create(user=carol, tweet=tweet)
    with commit():
        account_services.block_create(user=bob, target=erin)
    with commit():
        account_services.mute_create(user=bob, target=frank)
    client = make_client(bob)
    client.get(URL)  # the feed is rebuilt without erin and frank; the page reads below do not rebuild
    Mute.objects.create(user=bob, target=dave)  # rows only: dave's entries are still in Redis
    counts = {}
    for limit in (5, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"limit": limit})
        assert response.status_code == 200
        results = response.json()["results"]
        assert results
        counts[limit] = len(queries)
    assert {item["author"]["username"] for item in results} == {"alice", "bob", "carol", "gina"}
    assert any(item["mentions"] for item in results) and any(item["hashtags"] for item in results)
    with_media = [item for item in results if item["media"]]
    assert len(with_media) == 6
    for item in with_media:  # from the cached bodies, in attachment order
        number = item["content"].rsplit(" ", 1)[1]
        assert [m["description"] for m in item["media"]] == [f"{number}.{j}" for j in range(4)]
        assert all(m["url"].startswith("http://testserver/media/") for m in item["media"])
    assert any(item["reposted_by"] == "carol" for item in results)
    assert counts[5] == counts[100]
    # The page's state: counters + visibility + authors' and mentioned users' names + flags +
    # reposters, blocks and mutes applied in the same statement. The bodies come from the
    # tweet cache, and the user behind the token from accounts.auth_cache (warm since the
    # first request).
    assert counts[100] == 1, counts


def test_stale_entries_are_skipped_and_dropped(make_client, world, bob, alice):
    victim = next(t for t in reversed(world) if t.author_id == alice.pk)
    Tweet.objects.filter(pk=victim.pk).delete()  # without the signal: Redis still has it
    assert victim.pk in feed_ids(bob)
    response = make_client(bob).get(URL, {"limit": 100})
    assert str(victim.pk) not in ids(response)
    assert victim.pk not in feed_ids(bob)


def test_flushed_redis_gives_back_the_same_feed(make_client, world, bob):
    from feed import store

    client = make_client(bob)
    before = client.get(URL, {"limit": 100}).json()
    store.connection().flushdb()
    after = client.get(URL, {"limit": 100}).json()
    assert after == before
    assert len(feed_ids(bob)) == 40


def test_new_user_with_empty_feed(make_client):
    user = UserFactory()
    client = make_client(user)
    assert client.get(URL).json() == {"count": 0, "next": None, "previous": None, "results": []}
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).json()["count"] == 0
    # The empty feed is remembered (no rebuild, no hydration) and the user behind the token
    # is known from accounts.auth_cache since the first request.
    assert len(queries) == 0


def test_redis_down_serves_the_same_tweets_from_postgresql(make_client, world, bob, settings, caplog):
    client = make_client(bob)
    pages = {offset: client.get(URL, {"limit": 15, "offset": offset}).json() for offset in (0, 15, 30)}
    redis_down(settings)
    for offset, expected in pages.items():
        response = client.get(URL, {"limit": 15, "offset": offset})
        assert response.status_code == 200
        assert response.json() == expected
    assert "Redis unavailable" in caplog.text
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["redis"] != "ok"


def test_schema_documents_the_feed(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/feed/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"limit", "offset"} <= names
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    page = schema["components"]["schemas"][ref]
    assert {"count", "next", "previous", "results"} <= set(page["properties"])
    item = page["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert "reposted_by" in schema["components"]["schemas"][item]["properties"]
