"""The tweet-object cache (feed.objects): filled on post and on a miss, served in the READ
round trip, dropped on delete and hide; and what must stay exact whatever it holds
(counters, flags, visibility, suspension, names of mentioned users)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from accounts.models import User
from accounts.tests.factories import UserFactory
from feed import keys, objects, selectors, services, store, timeline
from tweets import services as tweet_services
from tweets.models import Tweet

pytestmark = pytest.mark.django_db


def cached(tweet_id: int) -> objects.TweetBody | None:
    version, blob = store.connection().hmget(keys.tweet_key(tweet_id), "v", "b")
    if version is None or blob is None:
        return None
    assert version.decode() == objects.BODY_VERSION
    return objects.decode(tweet_id, blob)


def page(viewer: User, limit: int = 20) -> list[selectors.FeedItem]:
    _, items = timeline.feed_page(viewer=viewer, limit=limit, offset=0)
    return items


@pytest.fixture
def reader(commit, alice, bob):  # type: ignore[no-untyped-def]
    """bob follows alice; bob's feed is built."""
    with commit():
        account_services.follow_create(follower=bob, followee=alice)
    services.rebuild_feed(bob.pk)
    return bob


def test_post_caches_the_body_with_mentions_and_tags_in_order(commit, alice, carol, dave):
    with commit():
        tweet = tweet_services.tweet_create(author=alice, content="hi @dave and @carol #Zed #alpha @nobody")
    body = cached(tweet.pk)
    assert body == objects.TweetBody(
        tweet.pk, alice.pk, tweet.content, tweet.created_at, [dave.pk, carol.pk], ["zed", "alpha"], ""
    )
    assert 0 < store.connection().ttl(keys.tweet_key(tweet.pk)) <= 3600


def test_rolled_back_post_caches_nothing(alice):
    # Outside a commit block the on-commit signal never fires (the test transaction rolls back).
    tweet = tweet_services.tweet_create(author=alice, content="never committed")
    assert cached(tweet.pk) is None


def test_hit_is_one_redis_call_and_one_query(commit, reader, alice, django_assert_num_queries):
    with commit():
        tweets = [tweet_services.tweet_create(author=alice, content=f"t{i}") for i in range(5)]
    page(reader)  # warm: connections, scripts
    with django_assert_num_queries(1):  # the exact state query only: no body query
        items = page(reader)
    assert [item.tweet.pk for item in items] == [t.pk for t in reversed(tweets)]
    assert [item.tweet.content for item in items] == [f"t{i}" for i in reversed(range(5))]


def test_names_come_with_the_state_query(commit, reader, alice, bob, carol, django_assert_num_queries):
    """feed_page(names=True), the web interface's: the authors' display names and whom replies
    answer (while that tweet is visible), read by the same single query."""
    User.objects.filter(pk=alice.pk).update(display_name="Alice A")
    with commit():
        own = tweet_services.tweet_create(author=alice, content="root")
        to_carol = tweet_services.tweet_create(author=carol, content="carol's")
        to_hidden = tweet_services.tweet_create(author=carol, content="to be hidden")
        replies = [
            tweet_services.tweet_create(author=alice, content=f"re {parent.pk}", in_reply_to=parent)
            for parent in (own, to_carol, to_hidden)
        ]
    with commit():
        tweet_services.tweet_hide(tweet=to_hidden)
    timeline.feed_page(viewer=reader, limit=20, offset=0, names=True)  # warm: the statement prepared
    with django_assert_num_queries(1):
        _, items = timeline.feed_page(viewer=reader, limit=20, offset=0, names=True)
    by_id = {item.tweet.pk: item.tweet for item in items}
    assert {tweet.author.display_name for tweet in by_id.values()} == {"Alice A"}
    assert [by_id[reply.pk].reply_to_username for reply in replies] == ["alice", "carol", None]
    assert by_id[own.pk].reply_to_username is None
    plain = page(reader)  # the API's page reads neither
    assert {item.tweet.author.display_name for item in plain} == {""}
    assert all(item.tweet.reply_to_username is None for item in plain)
    account_services.user_suspend(user=carol)
    _, items = timeline.feed_page(viewer=reader, limit=20, offset=0, names=True)
    assert {item.tweet.pk: item.tweet.reply_to_username for item in items}[replies[1].pk] is None


def test_read_serves_the_cached_body(commit, reader, alice):
    """Proof that a hit reads the body from Redis: a body changed in the cache shows."""
    with commit():
        tweet = tweet_services.tweet_create(author=alice, content="from the database")
    body = cached(tweet.pk)
    assert body is not None
    objects.store_bodies([body._replace(content="from the cache")])
    assert page(reader)[0].tweet.content == "from the cache"


def test_miss_loads_from_postgresql_and_fills_the_cache(commit, reader, alice, bob):
    with commit():
        tweet = tweet_services.tweet_create(author=alice, content="hello #tag @bob")
    expected = cached(tweet.pk)
    store.connection().delete(keys.tweet_key(tweet.pk))
    with CaptureQueriesContext(connection) as queries:
        items = page(reader)
    assert len(queries) == 2  # the bodies, then the state
    assert items[0].tweet.content == "hello #tag @bob"
    assert items[0].tweet.tag_list == ["tag"]
    assert items[0].tweet.mention_list == [{"id": bob.pk, "username": "bob"}]
    assert cached(tweet.pk) == expected


def test_body_of_another_version_is_a_miss(commit, reader, alice):
    with commit():
        tweet = tweet_services.tweet_create(author=alice, content="versioned")
    store.connection().hset(keys.tweet_key(tweet.pk), mapping={"v": "0", "b": b"not json"})
    assert page(reader)[0].tweet.content == "versioned"
    assert cached(tweet.pk) is not None  # rewritten in the current version


def test_damaged_body_is_a_miss_and_is_rewritten(commit, reader, alice):
    with commit():
        tweets = [tweet_services.tweet_create(author=alice, content=f"t{i}") for i in range(2)]
    store.connection().hset(keys.tweet_key(tweets[0].pk), mapping={"v": objects.BODY_VERSION, "b": b"[1, broken"})
    assert [item.tweet.content for item in page(reader)] == ["t1", "t0"]
    assert cached(tweets[0].pk) is not None


def test_bodies_for_any_ids_without_the_read_script(commit, reader, alice):
    """What a cluster (or a caller with ids from elsewhere) uses: a pipelined fetch."""
    with commit():
        tweets = [tweet_services.tweet_create(author=alice, content=f"t{i}") for i in range(3)]
    store.connection().delete(keys.tweet_key(tweets[0].pk))
    entries = [(t.pk, None) for t in tweets]
    items, stale = selectors.hydrate(entries=entries, viewer=reader)
    assert stale == []
    assert [item.tweet.content for item in items] == ["t0", "t1", "t2"]
    bodies = objects.tweet_bodies([t.pk for t in tweets] + [999_999_999])
    assert set(bodies) == {t.pk for t in tweets}  # an unknown id is simply absent


def test_delete_drops_the_body_and_the_entry(commit, reader, alice):
    with commit():
        tweet = tweet_services.tweet_create(author=alice, content="going away")
    with commit():
        tweet_services.tweet_delete(tweet=tweet, by=alice)
    assert cached(tweet.pk) is None
    assert page(reader) == []


def test_hide_drops_the_body_and_a_refilled_body_does_not_show_it(commit, reader, alice):
    with commit():
        tweet = tweet_services.tweet_create(author=alice, content="hidden soon")
    body = cached(tweet.pk)
    assert body is not None
    with commit():
        tweet_services.tweet_hide(tweet=tweet)
    assert cached(tweet.pk) is None
    # A reader that loaded the body just before the hide may write it back: still not shown.
    objects.store_bodies([body])
    services.rebuild_feed(reader.pk)
    store.connection().zadd(keys.feed_key(reader.pk), {str(tweet.pk): keys.score(tweet.created_at)})
    assert page(reader) == []


def test_counters_and_flags_are_exact_with_a_warm_cache(commit, reader, alice, carol):
    with commit():
        tweet = tweet_services.tweet_create(author=alice, content="count me")
    first = page(reader)[0].tweet
    assert (first.num_likes, first.liked, first.num_reposts, first.reposted) == (0, False, 0, False)
    tweet_services.like_create(user=reader, tweet=tweet)
    tweet_services.like_create(user=carol, tweet=tweet)
    with commit():
        tweet_services.repost_create(user=reader, tweet=tweet)
    again = page(reader)[0].tweet
    assert (again.num_likes, again.liked, again.num_reposts, again.reposted) == (2, True, 1, True)
    tweet_services.like_delete(user=reader, tweet=tweet)
    last = page(reader)[0].tweet
    assert (last.num_likes, last.liked) == (1, False)


def test_suspended_author_leaves_the_page_with_a_warm_cache(commit, reader, alice):
    with commit():
        tweet = tweet_services.tweet_create(author=alice, content="by alice")
    assert [item.tweet.pk for item in page(reader)] == [tweet.pk]
    with commit():
        account_services.user_suspend(user=alice)
    assert cached(tweet.pk) is not None  # the body stays: it did not change
    assert page(reader) == []
    with commit():
        account_services.user_unsuspend(user=alice)
    assert [item.tweet.pk for item in page(reader)] == [tweet.pk]


def test_mentions_follow_renames_and_suspensions(commit, reader, alice):
    named = UserFactory(username="named")
    with commit():
        tweet = tweet_services.tweet_create(author=alice, content="hello @named")
    assert page(reader)[0].tweet.mention_list == [{"id": named.pk, "username": "named"}]
    User.objects.filter(pk=named.pk).update(username="renamed")
    assert page(reader)[0].tweet.mention_list == [{"id": named.pk, "username": "renamed"}]
    with commit():
        account_services.user_suspend(user=named)
    assert page(reader)[0].tweet.mention_list == []
    assert cached(tweet.pk).mention_ids == [named.pk]  # type: ignore[union-attr]


def test_renamed_author_shows_the_new_name(commit, reader, alice):
    with commit():
        tweet_services.tweet_create(author=alice, content="who am i")
    page(reader)
    User.objects.filter(pk=alice.pk).update(username="alice2")
    assert page(reader)[0].tweet.author.username == "alice2"


def test_reply_loses_its_parent_when_the_parent_is_deleted(commit, reader, alice):
    with commit():
        parent = tweet_services.tweet_create(author=alice, content="parent")
    with commit():
        reply = tweet_services.tweet_create(author=alice, content="reply", in_reply_to=parent)
    assert page(reader)[0].tweet.in_reply_to_id == parent.pk
    with commit():
        tweet_services.tweet_delete(tweet=parent, by=alice)
    assert cached(reply.pk) is not None
    items = page(reader)
    assert [item.tweet.pk for item in items] == [reply.pk]
    assert items[0].tweet.in_reply_to_id is None
    assert Tweet.objects.get(pk=reply.pk).in_reply_to_id is None


def test_blocked_and_muted_authors_stay_out_with_a_warm_cache(commit, reader, alice):
    with commit():
        tweet_services.tweet_create(author=alice, content="blockable")
    assert len(page(reader)) == 1
    with commit():
        account_services.mute_create(user=reader, target=alice)
    assert page(reader) == []
    with commit():
        account_services.mute_delete(user=reader, target=alice)
    assert len(page(reader)) == 1
    with commit():
        account_services.block_create(user=alice, target=reader)
    assert page(reader) == []


def test_redis_down_for_bodies_falls_back_to_postgresql(commit, reader, alice, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    with commit():
        tweet = tweet_services.tweet_create(author=alice, content="still here")

    def down(tweet_ids: list[int]) -> dict[int, bytes]:
        raise RedisConnectionError("down")

    monkeypatch.setattr(objects, "cached_blobs", down)
    items, stale = selectors.hydrate(entries=[(tweet.pk, None)], viewer=reader)
    assert stale == [] and items[0].tweet.content == "still here"
