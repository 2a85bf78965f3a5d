"""feed.store's batch calls, on the single Redis or (make test-scale) on the Redis Cluster."""

import pytest

from feed import keys, scripts, store

pytestmark = pytest.mark.django_db

USERS = list(range(1, 61))  # 60 feeds: on a cluster, ~60 slots over all three masters


def _masters(client):  # type: ignore[no-untyped-def]
    """Plain clients of every master (the single Redis itself when there is no cluster)."""
    if not store.is_cluster(client):
        return [client]
    return [client.get_redis_connection(node) for node in client.get_primaries()]


def _mark_reposts(client, tweet_id: int, reposter: int) -> None:  # type: ignore[no-untyped-def]
    """Each user's feed holds the tweet, brought in by `reposter`'s repost."""
    store.execute_each(client, [("ZADD", keys.feed_key(user), 5, tweet_id) for user in USERS])
    store.execute_each(client, [("HSET", keys.reposts_key(user), tweet_id, reposter) for user in USERS])


def test_run_feeds_maps_every_position_back_to_its_feed():
    client = store.connection()
    _mark_reposts(client, tweet_id=7, reposter=99)
    feeds = [[keys.feed_key(user), keys.reposts_key(user)] for user in USERS]
    replies = store.run_feeds(scripts.REPOST_REMOVE, client, feeds, scripts.RepostRemove(tweet_id=7, reposter_id=99))
    changed = sorted(USERS[reply.feeds[position - 1]] for reply in replies for position in reply.value)
    assert changed == USERS
    if store.is_cluster(client):  # one call per slot, never two slots in one
        assert all(len({client.keyslot(feeds[i][0]) for i in reply.feeds}) == 1 for reply in replies)
    assert store.execute_each(client, [("ZSCORE", keys.feed_key(user), 7) for user in USERS]) == [None] * len(USERS)


def test_a_master_without_the_scripts_gets_them_and_no_call_runs_twice():
    """As after a failover: one master lost its script cache. Only the calls it refused are
    sent again; a call that ran is not repeated (repost_remove would then report nothing)."""
    client = store.connection()
    feeds = [[keys.feed_key(user), keys.reposts_key(user)] for user in USERS]
    store.run_feeds(
        # every master has the script now
        scripts.REPOST_REMOVE,
        client,
        feeds,
        scripts.RepostRemove(tweet_id=1, reposter_id=1),
    )  # every master has the script now
    _mark_reposts(client, tweet_id=8, reposter=42)
    _masters(client)[0].script_flush()
    replies = store.run_feeds(scripts.REPOST_REMOVE, client, feeds, scripts.RepostRemove(tweet_id=8, reposter_id=42))
    assert sorted(USERS[reply.feeds[position - 1]] for reply in replies for position in reply.value) == USERS


def test_delete_feeds_counts_the_keys_it_deleted():
    client = store.connection()
    _mark_reposts(client, tweet_id=9, reposter=3)
    assert store.delete_feeds(client, USERS) == 2 * len(USERS)
    assert store.delete_feeds(client, USERS) == 0
