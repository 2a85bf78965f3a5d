"""Fan-out on write: who gets a tweet, in which order, trimmed how, and idempotency."""

import time

import pytest

from accounts import services as account_services
from feed import keys, services, store, tasks
from feed.tests.conftest import feed_ids, feed_snapshot, feeds_having, is_merged, make_followers
from tweets import services as tweet_services
from tweets.models import Tweet

pytestmark = pytest.mark.django_db


def post(commit, author, content="hello"):  # type: ignore[no-untyped-def]
    with commit():
        return tweet_services.tweet_create(author=author, content=content)


def test_followed_users_tweet_reaches_follower_not_stranger(commit, alice, bob, carol):
    with commit():
        account_services.follow_create(follower=bob, followee=alice)
    for user in (alice, bob, carol):
        services.rebuild_feed(user.pk)
    tweet = post(commit, alice)
    assert feed_ids(bob) == [tweet.pk]
    assert feed_ids(alice) == [tweet.pk]  # one's own tweets are in one's feed
    assert feed_ids(carol) == []  # a stranger's never
    tweet.refresh_from_db()
    assert tweet.fanned_out_at is not None


def test_feed_is_newest_first(commit, alice, bob):
    with commit():
        account_services.follow_create(follower=bob, followee=alice)
    mine = post(commit, bob, "mine")
    tweets = [post(commit, alice, f"t{i}") for i in range(5)]
    assert feed_ids(bob) == [t.pk for t in reversed(tweets)] + [mine.pk]


def test_trimming_keeps_exactly_the_newest(commit, settings, alice, bob):
    settings.FEED_MAX_LENGTH = 5
    with commit():
        account_services.follow_create(follower=bob, followee=alice)
    services.rebuild_feed(bob.pk)
    tweets = [post(commit, alice, f"t{i}") for i in range(8)]
    assert feed_ids(bob) == [t.pk for t in reversed(tweets[-5:])]
    # The list that holds them (bob's feed, or alice's source list when she is merged) is trimmed.
    holder = keys.source_key(alice.pk) if is_merged(alice) else keys.feed_key(bob.pk)
    assert store.connection().zcard(holder) == 5 + 1  # + the sentinel


def test_fan_out_returns_feeds_written_and_is_idempotent(commit, alice):
    followers = make_followers(alice, 50)
    tweet = post(commit, alice)
    before = {f.pk: feed_snapshot(f) for f in followers[:5]}
    # Every follower's feed, or only alice's own when followers merge her source list.
    assert services.fan_out_tweet(tweet.pk) == (1 if is_merged(alice) else 51)
    tasks.fan_out.delay(tweet.pk, force=True)
    assert {f.pk: feed_snapshot(f) for f in followers[:5]} == before
    assert feeds_having([f.pk for f in followers], tweet.pk) == 50


def test_fan_out_task_skips_tweets_already_done(commit, alice, bob):
    tweet = post(commit, alice)
    services.drop_feed(alice.pk)
    assert tasks.fan_out.delay(tweet.pk).get() == 0  # recorded done: not redone
    assert tasks.fan_out.delay(tweet.pk, force=True).get() == 1


def test_hidden_or_deleted_tweet_is_not_fanned_out(alice):
    tweet = Tweet.objects.create(author=alice, content="x")
    tweet_services.tweet_hide(tweet=tweet, reason="spam")
    assert services.fan_out_tweet(tweet.pk) == 0
    assert feed_ids(alice) == []
    assert services.fan_out_tweet(10**12) == 0


def test_sweeper_fans_out_stragglers(alice, bob):
    account_services.follow_create(follower=bob, followee=alice)
    tweet = Tweet.objects.create(author=alice, content="posted while the broker was down")
    assert tasks.sweep_unfanned.delay(min_age_seconds=60).get() == 0  # too young: left alone
    Tweet.objects.filter(pk=tweet.pk).update(created_at=tweet.created_at.replace(year=2020))
    assert tasks.sweep_unfanned.delay().get() == 1
    assert tweet.pk in feed_ids(bob)
    tweet.refresh_from_db()
    assert tweet.fanned_out_at is not None
    assert tasks.sweep_unfanned.delay(min_age_seconds=0).get() == 0


def test_beat_schedule_runs_the_sweeper():
    from config.celery import app

    tasks_scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "feed.tasks.sweep_unfanned" in tasks_scheduled
    assert app.tasks["feed.tasks.fan_out"].acks_late


def test_fan_out_to_10000_followers_is_fast(alice, capsys, settings):
    followers = make_followers(alice, 10_000)
    tweet = Tweet.objects.create(author=alice, content="to ten thousand")
    started = time.perf_counter()
    written = services.fan_out_tweet(tweet.pk)
    elapsed = time.perf_counter() - started
    assert written == (1 if is_merged(alice) else 10_001)
    assert feeds_having([f.pk for f in followers], tweet.pk) == 10_000
    with capsys.disabled():
        print(f"\n[feed] fan_out_tweet to 10,000 followers: {elapsed * 1000:.0f} ms")
    # On the test cluster one EVALSHA per feed goes to 3 masters that replicate to 3 replicas,
    # 6 redis-servers sharing this machine's cores with the test (1.4-3.5 s measured on 2
    # busy cores): the bound still catches a per-command round trip (redis-py's cluster
    # pipeline took 14 s here).
    assert elapsed < (5.0 if settings.FEED_REDIS_CLUSTER_URL else 2.0)


def test_fan_out_cut_short_by_redis_trouble_closes_the_followers_cursor(alice, monkeypatch, settings):
    """A failed fan-out (Redis down, a failover) closes its server-side cursor at once.

    Celery keeps the exception (and so the fan-out's frames) for the retry; a cursor left to
    the garbage collector was closed in the middle of the retry's own fetch, which hung the
    worker on its PostgreSQL connection.
    """
    settings.FANOUT_FOLLOWER_LIMIT = 10**9  # a pushed fan-out (a merged one streams no followers)
    from django.db import connection
    from redis.exceptions import ConnectionError as RedisConnectionError

    make_followers(alice, 1500)  # over 1,000: followers are streamed by a server-side cursor
    tweet = Tweet.objects.create(author=alice, content="cut short")
    calls = []

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        raise RedisConnectionError("node down")

    monkeypatch.setattr(store, "run_feeds", failing)
    with pytest.raises(RedisConnectionError) as failure:
        services.fan_out_tweet(tweet.pk)
    assert calls == [1] and failure.value.__traceback__ is not None  # frames kept, as Celery does
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        assert cursor.fetchone()[0] == 0
    monkeypatch.undo()
    assert services.fan_out_tweet(tweet.pk) == 1501  # the retry streams them all again
