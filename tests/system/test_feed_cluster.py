"""Feeds on a real Redis Cluster losing a master in the middle of a fan-out.

Three masters with a replica each (servers.ThrowawayRedisCluster), a real Celery worker
whose fan-out is paced (100 feeds per batch, 0.1 s apart) so that the kill lands mid-way.
The master owning the last followers' feeds is SIGKILLed; its replica is promoted; the
task fails on the dead node (connection refused, then CLUSTERDOWN or MOVED while the
cluster fails over, NOSCRIPT on the new master), Celery retries it, and in the end every
follower's feed holds the tweet exactly once. And /healthz reports the cluster: 503 naming
`feed_cluster` while a master is down and its slots are not covered, 200 once its replica
took over.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from devtools.servers import ThrowawayRedisCluster
from feed import keys, store
from feed.tests.conftest import feed_sizes, feeds_having, make_followers, wait_for
from tweets import services as tweet_services
from tweets.models import Tweet

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SLOW_SETTINGS = "feed.tests.slow_worker_settings"


@pytest.fixture
def cluster(settings) -> Iterator[ThrowawayRedisCluster]:  # type: ignore[no-untyped-def]
    """A fresh cluster (this test kills one of its nodes); this process's feeds live on it."""
    cluster = ThrowawayRedisCluster()
    try:
        cluster.start()
        settings.FEED_REDIS_CLUSTER_URL = cluster.url()
        yield cluster
    finally:
        cluster.destroy()


def reached(followers: list[int], tweet_id: int) -> int:
    """How many followers' feeds have the tweet; -1 while the cluster cannot answer."""
    try:
        return feeds_having(followers, tweet_id)
    except store.REDIS_ERRORS:
        return -1


def test_a_master_killed_mid_fan_out_every_follower_gets_the_tweet_once(cluster, worker_factory, live_celery):
    started = time.monotonic()
    author = UserFactory(username="celebrity")
    followers = [f.pk for f in make_followers(author, 3000)]
    owners = cluster.masters_of(keys.feed_keys(followers))
    assert len(set(owners.values())) == 3, "the followers' feeds must span every master"
    worker = worker_factory(DJANGO_SETTINGS_MODULE=SLOW_SETTINGS, FEED_REDIS_CLUSTER_URL=cluster.url())

    with transaction.atomic():
        tweet = tweet_services.tweet_create(author=author, content="through a failover")
    assert wait_for(lambda: reached(followers, tweet.pk) >= 300, timeout=20, interval=0.01)
    victim = owners[keys.feed_key(followers[-1])]  # the fan-out has not reached its feed yet
    cluster.kill(victim)
    at_kill = reached(followers, tweet.pk)
    assert at_kill < len(followers), "the kill must land in the middle of the fan-out"
    assert Tweet.objects.get(pk=tweet.pk).fanned_out_at is None

    cluster.wait_healthy(timeout=30)  # the victim's replica took its slots over
    assert victim not in cluster.masters() and len(cluster.masters()) == 3
    store.connection().nodes_manager.initialize()  # this process's client learns the new slot map
    assert wait_for(
        lambda: Tweet.objects.filter(pk=tweet.pk, fanned_out_at__isnull=False).exists(), timeout=40, interval=0.1
    ), f"the fan-out did not complete after the failover:\n{worker.log_text()}"
    log = worker.log_path.read_text(errors="replace")
    assert "feed.tasks.fan_out" in log and "retry: Retry in" in log, "the fan-out must have failed and been retried"
    assert feeds_having(followers, tweet.pk) == len(followers)
    # Exactly once: each follower's feed holds this tweet and nothing else.
    assert set(feed_sizes(followers)) == {1}
    assert time.monotonic() - started < 60


def test_healthz_reports_the_feed_cluster_through_a_failover(cluster):
    """Present only when configured; 503 naming it while a master's slots have no owner."""
    healthy = APIClient().get("/healthz")
    assert healthy.status_code == 200, healthy.content
    assert healthy.json()["feed_cluster"] == "ok"
    cluster.kill(cluster.masters()[0])
    down = APIClient().get("/healthz")
    assert down.status_code == 503
    assert down.json()["feed_cluster"].startswith("error")
    assert down.json()["redis"] == "ok"  # the cache's Redis is another server
    cluster.wait_healthy(timeout=30)
    assert wait_for(lambda: APIClient().get("/healthz").status_code == 200, timeout=20, interval=0.2)


def test_healthz_leaves_the_feed_cluster_out_when_not_configured(settings):
    settings.FEED_REDIS_CLUSTER_URL = ""
    assert "feed_cluster" not in APIClient().get("/healthz").json()
