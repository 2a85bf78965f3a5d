"""Receivers with the broker down: posting still works, maintenance runs inline, nothing raises."""

import pytest

from accounts import services as account_services
from feed import services
from feed.tests.conftest import DEAD_BROKER, broker_at, feed_ids, redis_down, tasks_published
from tweets import services as tweet_services

pytestmark = pytest.mark.django_db


def test_broker_down_leaves_tweets_to_the_sweeper_and_runs_the_rest_inline(commit, alice, bob, caplog):
    services.rebuild_feed(bob.pk)
    with commit():
        old = tweet_services.tweet_create(author=alice, content="old")  # eager: fanned out
    with tasks_published(), broker_at(DEAD_BROKER):
        with commit():
            account_services.follow_create(follower=bob, followee=alice)
        with commit():
            new = tweet_services.tweet_create(author=alice, content="broker down")
    assert "the sweeper will catch up" in caplog.text
    new.refresh_from_db()
    assert new.fanned_out_at is None  # not fanned out: the sweep will find it
    assert feed_ids(bob) == [old.pk]  # but the follow's backfill ran inline
    services.fan_out_tweet(new.pk)
    assert feed_ids(bob) == [new.pk, old.pk]


def test_receivers_never_raise_with_broker_and_redis_down(commit, alice, bob, settings):
    redis_down(settings)
    with tasks_published(), broker_at(DEAD_BROKER):
        with commit():
            tweet = tweet_services.tweet_create(author=alice, content="everything is down")
        with commit():
            account_services.follow_create(follower=bob, followee=alice)
        with commit():
            tweet_services.repost_create(user=bob, tweet=tweet)
        with commit():
            tweet_services.tweet_delete(tweet=tweet, by=alice)
        for create, delete in [
            (account_services.mute_create, account_services.mute_delete),
            (account_services.block_create, account_services.block_delete),
        ]:
            with commit():
                create(user=alice, target=bob)
            with commit():
                delete(user=alice, target=bob)
