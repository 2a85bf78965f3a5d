"""Images in the home feed: carried by the cached tweet bodies (no query per media), rebuilt
from PostgreSQL on a miss, and never stale after a description change."""

import pytest

from accounts import services as account_services
from feed import keys, objects, store
from feed.tests.conftest import redis_down
from media.selectors import rows_of
from media.tests.helpers import post_upload, upload
from tweets import services as tweet_services

pytestmark = pytest.mark.django_db

URL = "/api/feed/"


@pytest.fixture
def posted(commit, alice, bob):  # type: ignore[no-untyped-def]
    """bob follows alice; alice posts a tweet with two images."""
    with commit():
        account_services.follow_create(follower=bob, followee=alice)
    media = [upload(alice, description="first"), upload(alice, description="second")]
    with commit():
        tweet = tweet_services.tweet_create(author=alice, content="", media_ids=[m.pk for m in media])
    return tweet, media


def media_of(client, tweet_id: int) -> list[dict]:  # type: ignore[no-untyped-def]
    results = client.get(URL).json()["results"]
    return next(item["media"] for item in results if item["id"] == str(tweet_id))


def test_the_cached_body_carries_the_media_rows(posted):
    tweet, media = posted
    body = objects.decode(tweet.pk, store.connection().hget(keys.tweet_key(tweet.pk), "b"))
    assert isinstance(body.media, str)  # the rows' JSON text: a feed read does not decode them
    assert [row[0] for row in rows_of(body.media)] == [m.pk for m in media]
    assert [row[8] for row in rows_of(body.media)] == ["first", "second"]


def test_feed_media_equal_the_tweet_objects_from_the_cache_postgresql_and_without_redis(
    make_client, posted, bob, settings
):
    tweet, _ = posted
    client = make_client(bob)
    expected = client.get(f"/api/tweets/{tweet.pk}/").json()["media"]
    assert [m["description"] for m in expected] == ["first", "second"]
    assert media_of(client, tweet.pk) == expected  # bodies from the cache
    objects.forget([tweet.pk])
    assert media_of(client, tweet.pk) == expected  # a miss: the body from PostgreSQL
    redis_down(settings)
    assert media_of(client, tweet.pk) == expected  # no Redis at all


def test_a_description_change_reaches_the_feed_at_once(commit, make_client, posted, alice, bob):
    tweet, media = posted
    reader = make_client(bob)
    assert [m["description"] for m in media_of(reader, tweet.pk)] == ["first", "second"]  # cached now
    with commit():
        response = make_client(alice).patch(f"/api/media/{media[0].pk}/", {"description": "changed"}, format="json")
    assert response.status_code == 200
    assert [m["description"] for m in media_of(reader, tweet.pk)] == ["changed", "second"]


def test_a_stale_body_cannot_be_written_back_after_a_change(commit, posted, alice):
    """A read that loaded the body before the change and writes it after it: refused by the tombstone."""
    tweet, media = posted
    stale = objects.load_bodies([tweet.pk])[tweet.pk]
    with commit():
        from media import services as media_services

        media_services.media_update(media=media[0], description="changed")
    objects.store_bodies([stale])  # the late write of the old body
    version = store.connection().hget(keys.tweet_key(tweet.pk), "v")
    assert version == objects.TOMBSTONE.encode()
    fresh = objects.tweet_bodies([tweet.pk])[tweet.pk]
    assert rows_of(fresh.media)[0][8] == "changed"


def test_an_unattached_description_change_touches_no_cache(commit, make_client, alice):
    client = make_client(alice)
    media = post_upload(client).json()
    before = set(store.connection().scan_iter(match="chirp:tweet:*"))
    with commit():
        client.patch(f"/api/media/{media['id']}/", {"description": "new"}, format="json")
    assert set(store.connection().scan_iter(match="chirp:tweet:*")) == before
