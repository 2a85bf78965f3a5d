"""End to end through a real `celery -A config worker` process and the real broker.

Transactional tests: the worker is another process and sees only committed rows.
"""

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import F

from accounts.tests.factories import UserFactory
from feed import services
from feed.tests.conftest import (
    DEAD_BROKER,
    broker_at,
    feed_ids,
    feed_sizes,
    feeds_having,
    make_followers,
    purge_queues,
    wait_for,
)
from tweets import services as tweet_services
from tweets.models import Tweet

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_tweet_follow_and_delete_go_through_the_worker(worker_factory, live_celery, make_client):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    worker_factory()
    services.rebuild_feed(bob.pk)
    bob_client, alice_client = make_client(bob), make_client(alice)
    old = alice_client.post("/api/tweets/", {"content": "before the follow"}, format="json").json()
    assert bob_client.post("/api/users/alice/follow/").status_code == 201
    assert wait_for(lambda: int(old["id"]) in feed_ids(bob)), "follow did not backfill"
    started = time.perf_counter()
    new = alice_client.post("/api/tweets/", {"content": "hello followers"}, format="json")
    assert new.status_code == 201
    assert wait_for(lambda: int(new.json()["id"]) in feed_ids(bob), interval=0.005)
    print(f"\n[feed] POST -> follower's feed through the worker: {(time.perf_counter() - started) * 1000:.0f} ms")
    page = bob_client.get("/api/feed/").json()
    assert [item["id"] for item in page["results"]] == [new.json()["id"], old["id"]]
    assert alice_client.delete(f"/api/tweets/{old['id']}/").status_code == 204
    assert wait_for(lambda: int(old["id"]) not in feed_ids(bob)), "delete did not reach the feed"


def test_tweet_reaches_10000_followers_through_the_worker(worker_factory, live_celery, capsys):
    author = UserFactory(username="celebrity")
    followers = make_followers(author, 10_000)
    worker_factory()
    started = time.perf_counter()
    with transaction.atomic():
        tweet = tweet_services.tweet_create(author=author, content="to ten thousand")
    assert wait_for(
        lambda: Tweet.objects.filter(pk=tweet.pk, fanned_out_at__isnull=False).exists(), timeout=30, interval=0.01
    )
    elapsed = time.perf_counter() - started
    assert feeds_having([f.pk for f in followers], tweet.pk) == 10_000
    with capsys.disabled():
        print(f"\n[feed] commit -> 10,000 followers' feeds through a real worker: {elapsed * 1000:.0f} ms")
    assert elapsed < 10


def test_worker_killed_mid_fan_out_is_completed_after_restart(worker_factory, live_celery):
    author = UserFactory(username="celebrity")
    followers = [f.pk for f in make_followers(author, 3000)]
    # 30 batches of 100 with 100 ms pauses: a fan-out that lasts ~3 s, easy to interrupt under load.
    # Pushed to every follower whatever FANOUT_FOLLOWER_LIMIT the suite runs with (a merged
    # author's fan-out is one write: nothing to interrupt).
    push = {"FANOUT_FOLLOWER_LIMIT": "10000000"}
    slow = worker_factory(DJANGO_SETTINGS_MODULE="feed.tests.slow_worker_settings", **push)
    with transaction.atomic():
        tweet = tweet_services.tweet_create(author=author, content="interrupted")
    assert wait_for(lambda: feeds_having(followers, tweet.pk) > 0, timeout=20, interval=0.01)
    slow.kill()
    reached = feeds_having(followers, tweet.pk)
    assert 0 < reached < len(followers), "the kill must land in the middle of the fan-out"
    assert Tweet.objects.get(pk=tweet.pk).fanned_out_at is None
    worker_factory(**push)  # the unacknowledged task is redelivered to the new worker
    assert wait_for(lambda: Tweet.objects.filter(pk=tweet.pk, fanned_out_at__isnull=False).exists(), timeout=30)
    assert feeds_having(followers, tweet.pk) == len(followers)
    # Exactly once: each follower's feed holds this tweet and nothing else.
    assert set(feed_sizes(followers)) == {1}


def test_broker_down_posting_is_fast_and_the_sweep_catches_up(worker_factory, live_celery, make_client, caplog):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    from accounts.models import Follow

    Follow.objects.create(follower=bob, followee=alice)
    services.rebuild_feed(bob.pk)
    client = make_client(alice)
    with broker_at(DEAD_BROKER):
        started = time.perf_counter()
        response = client.post("/api/tweets/", {"content": "while the broker is down"}, format="json")
        elapsed = time.perf_counter() - started
    assert response.status_code == 201
    assert elapsed < 1.0, f"POST took {elapsed:.2f}s with the broker down"
    assert "could not enqueue feed.tasks.fan_out" in caplog.text
    tweet_id = int(response.json()["id"])
    assert Tweet.objects.get(pk=tweet_id).fanned_out_at is None
    assert feed_ids(bob) == []
    # Some time later (older than the sweep's grace period) a worker starts and sweeps.
    Tweet.objects.filter(pk=tweet_id).update(created_at=F("created_at") - timedelta(seconds=30))
    purge_queues("feed", "default")  # nothing was published; make sure only the sweep can help
    worker_factory()
    assert wait_for(lambda: feed_ids(bob) == [tweet_id]), "the start-up sweep did not fan it out"
    # The worker stamps fanned_out_at just after the last feed write: wait for it too.
    assert wait_for(lambda: Tweet.objects.get(pk=tweet_id).fanned_out_at is not None)


def test_block_purges_both_feeds_through_the_worker(worker_factory, live_celery, make_client):
    """alice and bob each follow only carol, who reposted one tweet of each: no follow goes
    with the block, so only the block's feed task takes them out of the Redis feeds."""
    from accounts.models import Follow
    from tweets.models import Repost

    alice, bob, carol = (UserFactory(username=name) for name in ("alice", "bob", "carol"))
    Follow.objects.bulk_create([Follow(follower=alice, followee=carol), Follow(follower=bob, followee=carol)])
    by_alice = Tweet.objects.create(author=alice, content="by alice")
    by_bob = Tweet.objects.create(author=bob, content="by bob")
    Tweet.objects.filter(pk__in=[by_alice.pk, by_bob.pk]).update(fanned_out_at=F("created_at"))
    Repost.objects.bulk_create([Repost(user=carol, tweet=by_alice), Repost(user=carol, tweet=by_bob)])
    for user in (alice, bob):
        services.rebuild_feed(user.pk)
    assert set(feed_ids(alice)) == set(feed_ids(bob)) == {by_alice.pk, by_bob.pk}
    worker_factory()
    started = time.perf_counter()
    assert make_client(alice).post("/api/users/bob/block/").status_code == 201
    assert wait_for(lambda: by_bob.pk not in feed_ids(alice) and by_alice.pk not in feed_ids(bob), interval=0.005)
    print(f"\n[feed] block -> both feeds purged through the worker: {(time.perf_counter() - started) * 1000:.0f} ms")
    pages = [make_client(user).get("/api/feed/").json()["results"] for user in (alice, bob)]
    assert [[item["id"] for item in results] for results in pages] == [[str(by_alice.pk)], [str(by_bob.pk)]]
