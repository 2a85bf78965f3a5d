"""Faults (a)-(d) with real processes: a Celery worker (and beat), gunicorn, Redis, a broker.

(a) a worker SIGKILLed in the middle of fanning a tweet out to 20,000 followers, restarted:
    every follower ends up with the tweet exactly once;
(b) the broker unreachable while tweets are posted: 201s, and after the broker returns every
    tweet reaches the feeds and search with nobody acting (no restart, no command);
(c) Redis flushed: feeds come back on read;
(d) Redis down: feed reads answer 200 from PostgreSQL, writes succeed, /healthz is 503 naming
    redis; when Redis returns the feeds are rebuilt, including what was posted meanwhile.
(e), PostgreSQL down, is in test_fault_database.py.

The worker fixtures are the feed app's (feed/tests/conftest.py); the servers we stop are
our own throwaway ones (servers.py), never the machine's shared Redis or RabbitMQ.
"""

from __future__ import annotations

import json
import time

import pytest
import redis
import requests
from django.db import transaction
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Follow
from accounts.tests.factories import UserFactory
from devtools.servers import AppServer, Beat, ThrowawayRedis
from feed import keys, store
from feed.tests.conftest import feeds_having, make_followers, wait_for
from tweets import services as tweet_services
from tweets.models import Tweet

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FAULT_SETTINGS = "tests.system.fault_settings"


def bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


def feed_contents(app: AppServer, user) -> list[str]:  # type: ignore[no-untyped-def]
    response = requests.get(f"{app.url}/api/feed/?limit=100", headers=bearer(user), timeout=30)
    assert response.status_code == 200, response.text[:500]
    return [item["content"] for item in response.json()["results"]]


# --- (a) -------------------------------------------------------------------------------------


def test_a_worker_killed_mid_fan_out_to_20000_followers(worker_factory, live_celery):
    author = UserFactory(username="celebrity")
    followers = [f.pk for f in make_followers(author, 20_000)]
    # 21 batches of 1,000 with 300 ms pauses: a fan-out of ~6-7 s, easy to interrupt even on a loaded machine.
    worker = worker_factory(DJANGO_SETTINGS_MODULE=FAULT_SETTINGS)
    with transaction.atomic():
        tweet = tweet_services.tweet_create(author=author, content="to twenty thousand")
    assert wait_for(lambda: feeds_having(followers, tweet.pk) >= 1000, timeout=30, interval=0.02)
    worker.kill()  # SIGKILL: no cleanup, no acknowledgement
    reached = feeds_having(followers, tweet.pk)
    assert 0 < reached < len(followers), f"the kill must land mid fan-out (reached {reached})"
    assert Tweet.objects.get(pk=tweet.pk).fanned_out_at is None

    restarted = worker_factory(DJANGO_SETTINGS_MODULE=FAULT_SETTINGS)  # the unacked task is redelivered
    assert wait_for(
        lambda: Tweet.objects.filter(pk=tweet.pk, fanned_out_at__isnull=False).exists(), timeout=60, interval=0.1
    ), restarted.log_text()
    assert feeds_having(followers, tweet.pk) == len(followers)
    # Exactly once: every follower's feed holds this one tweet, once (and nothing else).
    client = store.connection()
    with client.pipeline(transaction=False) as pipe:
        for follower in followers:
            pipe.zcard(keys.feed_key(follower))
        sizes = pipe.execute()
    assert set(sizes) == {1}
    print(f"\n[fault a] killed after {reached} of {len(followers)} feeds; after restart: {len(followers)}, once each")


# --- (b) -------------------------------------------------------------------------------------


def test_b_broker_down_then_back_every_tweet_reaches_feeds_and_search(worker_factory, worker_env, live_celery):
    broker = ThrowawayRedis()
    broker.start()
    env = {**worker_env, "CELERY_BROKER_URL": broker.url(0), "DJANGO_SETTINGS_MODULE": FAULT_SETTINGS}
    app = AppServer({**env, "AUTH_THROTTLE_RATE": "10000/minute"})
    beat = Beat(env)
    try:
        alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
        Follow.objects.create(follower=bob, followee=alice)
        app.start()
        worker = worker_factory(**env)
        beat.start()
        first = requests.post(f"{app.url}/api/tweets/", json={"content": "before"}, headers=bearer(alice), timeout=30)
        assert first.status_code == 201
        assert wait_for(lambda: Tweet.objects.filter(fanned_out_at__isnull=False).count() == 1, timeout=30)

        broker.stop()
        posted = []
        for i in range(5):
            started = time.perf_counter()
            response = requests.post(
                f"{app.url}/api/tweets/",
                json={"content": f"brokerless zanzibar {i}"},
                headers=bearer(alice),
                timeout=30,
            )
            assert response.status_code == 201, response.text
            assert time.perf_counter() - started < 2.0
            posted.append(int(response.json()["id"]))
        assert Tweet.objects.filter(pk__in=posted, fanned_out_at__isnull=True).count() == 5
        bob_feed = redis.Redis.from_url(worker_env["REDIS_URL"]).zrange(keys.feed_key(bob.pk), 0, -1)
        assert not {str(pk).encode() for pk in posted} & set(bob_feed)

        broker.start()  # same port; nobody restarts the web, the worker or beat
        assert wait_for(
            lambda: Tweet.objects.filter(pk__in=posted, fanned_out_at__isnull=False).count() == 5,
            timeout=90,
            interval=0.5,
        ), (
            "the sweeper did not catch up after the broker returned; the worker's log ends:\n"
            + "\n".join(worker.log_path.read_text(errors="replace").splitlines()[-25:])
            + "\nbeat's:\n"
            + "\n".join((beat.dir / "beat.log").read_text(errors="replace").splitlines()[-15:])
        )
        in_redis = set(redis.Redis.from_url(worker_env["REDIS_URL"]).zrange(keys.feed_key(bob.pk), 0, -1))
        assert {str(pk).encode() for pk in posted} <= in_redis
        assert feed_contents(app, bob) == [f"brokerless zanzibar {i}" for i in reversed(range(5))] + ["before"]
        found = requests.get(f"{app.url}/api/search/tweets/?q=zanzibar&limit=100", headers=bearer(bob), timeout=30)
        assert found.status_code == 200
        assert {int(t["id"]) for t in found.json()["results"]} == set(posted)
    finally:
        beat.stop()
        app.stop()
        broker.stop()


# --- (c) and (d) ------------------------------------------------------------------------------


@pytest.fixture
def redis_stack(worker_factory, worker_env, live_celery):  # type: ignore[no-untyped-def]
    """gunicorn and a worker whose Redis is a throwaway one this test may flush and stop."""
    server = ThrowawayRedis()
    server.start()
    env = {**worker_env, "REDIS_URL": server.url(0)}
    app = AppServer({**env, "AUTH_THROTTLE_RATE": "10000/minute"})
    try:
        app.start()
        worker_factory(**env)
        yield server, app
    finally:
        app.stop()
        server.stop()


def post(app: AppServer, user, content: str) -> requests.Response:  # type: ignore[no-untyped-def]
    return requests.post(f"{app.url}/api/tweets/", json={"content": content}, headers=bearer(user), timeout=30)


def test_c_redis_flushed_feeds_come_back_on_read(redis_stack):
    server, app = redis_stack
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    Follow.objects.create(follower=bob, followee=alice)
    for i in range(3):
        assert post(app, alice, f"tweet {i}").status_code == 201
    assert wait_for(lambda: Tweet.objects.filter(fanned_out_at__isnull=False).count() == 3)
    expected = ["tweet 2", "tweet 1", "tweet 0"]
    assert feed_contents(app, bob) == expected
    client = redis.Redis.from_url(server.url(0))
    assert client.exists(keys.feed_key(bob.pk))

    client.flushall()  # our own throwaway Redis
    assert not client.exists(keys.feed_key(bob.pk))
    assert feed_contents(app, bob) == expected
    assert feed_contents(app, alice) == expected  # the author's own feed too
    assert client.exists(keys.feed_key(bob.pk)), "the feed was not rebuilt into Redis"


def test_d_redis_down_reads_from_postgres_writes_succeed_healthz_names_redis(redis_stack):
    server, app = redis_stack
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    Follow.objects.create(follower=bob, followee=alice)
    for i in range(3):
        assert post(app, alice, f"tweet {i}").status_code == 201
    assert wait_for(lambda: Tweet.objects.filter(fanned_out_at__isnull=False).count() == 3)
    assert feed_contents(app, bob) == ["tweet 2", "tweet 1", "tweet 0"]

    server.stop()
    try:
        started = time.perf_counter()
        assert feed_contents(app, bob) == ["tweet 2", "tweet 1", "tweet 0"]  # from PostgreSQL
        assert time.perf_counter() - started < 5
        written = post(app, alice, "while redis is down")
        assert written.status_code == 201
        assert feed_contents(app, bob)[0] == "while redis is down"
        # Other writes and the throttled log-in still work (throttle counters degrade to misses).
        assert requests.post(f"{app.url}/api/users/alice/follow/", headers=bearer(bob), timeout=30).status_code == 200
        registered = requests.post(
            f"{app.url}/api/auth/register/",
            json={"username": "dora", "email": "dora@example.com", "password": "while-redis-is-down-1"},
            timeout=30,
        )
        assert registered.status_code == 201
        login = requests.post(
            f"{app.url}/api/auth/token/", json={"username": "dora", "password": "while-redis-is-down-1"}, timeout=30
        )
        assert login.status_code == 200
        health = requests.get(f"{app.url}/healthz", timeout=30)
        assert health.status_code == 503
        assert health.headers["Content-Type"].startswith("application/json")
        body = health.json()
        assert body["redis"].startswith("error: ")
        assert body["database"] == "ok" and body["broker"] == "ok"
    finally:
        server.start()  # empty: a Redis that lost everything

    assert feed_contents(app, bob)[:2] == ["while redis is down", "tweet 2"]
    # The fan-out that failed against the dead Redis is retried by the worker and completes.
    late = int(written.json()["id"])
    assert wait_for(lambda: Tweet.objects.filter(pk=late, fanned_out_at__isnull=False).exists(), timeout=60)
    assert requests.get(f"{app.url}/healthz", timeout=30).json()["redis"] == "ok"


# --- observability through a real worker --------------------------------------------------------


def test_fan_out_log_line_carries_task_id_duration_and_the_posting_request_id(worker_factory, live_celery, make_client):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    Follow.objects.create(follower=bob, followee=alice)
    worker = worker_factory()
    response = make_client(alice).post(
        "/api/tweets/", {"content": "trace me"}, format="json", HTTP_X_REQUEST_ID="req-trace-1"
    )
    assert response.status_code == 201
    tweet_id = int(response.json()["id"])
    assert wait_for(lambda: Tweet.objects.filter(pk=tweet_id, fanned_out_at__isnull=False).exists())

    def fan_out_line() -> dict | None:
        for line in worker.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{") and '"duration_ms"' in line:
                record = json.loads(line)
                if record.get("tweet_id") == tweet_id:
                    return record
        return None

    assert wait_for(lambda: fan_out_line() is not None, timeout=10), worker.log_text()
    record = fan_out_line()
    assert record["task"] == "feed.tasks.fan_out"
    assert record["task_id"]
    assert record["request_id"] == "req-trace-1"  # the POST that enqueued it
    assert record["feeds_written"] == 2  # alice's own feed and bob's
    assert isinstance(record["duration_ms"], float | int)
