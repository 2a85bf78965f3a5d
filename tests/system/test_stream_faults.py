"""Faults of the stream process, each with real processes: Redis restarted under it, a client
that stops reading, SIGTERM."""

from __future__ import annotations

import signal
import time

import orjson
import pytest
import redis
import requests

from devtools.servers import ThrowawayRedis
from streaming import channels
from streaming.tests.conftest import SSE, WS, StreamServer, jwt_for, raw_sse, stream_env, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _publish_delete(client: redis.Redis, user_id: int, tweet_id: int) -> int:
    """What the write path publishes for a deleted tweet (no rendering needed)."""
    return int(client.publish(channels.user(user_id), orjson.dumps({"e": "delete", "t": tweet_id})))


def test_redis_restarted_under_the_stream_process(alice):
    own_redis = ThrowawayRedis()
    own_redis.start()
    server = StreamServer({**stream_env(), "REDIS_URL": own_redis.url()}).start()
    try:
        client = redis.Redis.from_url(own_redis.url())
        stream = SSE(f"{server.url}/api/v1/streaming/user", token=jwt_for(alice))
        assert stream.status == 200
        wait_until(lambda: client.exists(channels.marker(channels.user(alice.pk))), what="the marker")
        assert _publish_delete(client, alice.pk, 101) == 1
        assert stream.wait_for("delete") == 101

        own_redis.stop()  # killed: the pub/sub connection breaks under the process
        time.sleep(1)
        assert requests.get(f"{server.url}/api/v1/streaming/health", timeout=5).text == "OK"
        own_redis.start()  # same port, empty
        client = redis.Redis.from_url(own_redis.url())
        # It reconnected, subscribed again and set the marker again (the restart lost it).
        wait_until(lambda: client.pubsub_numsub(channels.user(alice.pk))[0][1] == 1, what="resubscribed", timeout=15)
        wait_until(lambda: client.exists(channels.marker(channels.user(alice.pk))), what="the marker again")
        assert _publish_delete(client, alice.pk, 102) == 1
        assert stream.wait_for("delete") == 102  # the same stream, still open, still served
        assert not stream.closed.is_set()
        fresh = SSE(f"{server.url}/api/v1/streaming/public", token=jwt_for(alice))
        assert fresh.status == 200
        assert server.process is not None and server.process.poll() is None
        assert "reconnected to Redis" in server.log()
    finally:
        server.stop()
        own_redis.stop()


def test_a_client_that_stops_reading_is_cut_past_the_buffer_bound(alice, bob, django_db_blocker):
    own_redis = ThrowawayRedis()
    own_redis.start()
    server = StreamServer({**stream_env(), "REDIS_URL": own_redis.url(), "STREAMING_MAX_BUFFER_BYTES": "65536"})
    server.start()
    try:
        client = redis.Redis.from_url(own_redis.url())
        stuck = raw_sse(server.port, "/api/v1/streaming/user", jwt_for(alice))
        healthy = SSE(f"{server.url}/api/v1/streaming/user", token=jwt_for(bob))
        wait_until(lambda: client.exists(channels.marker(channels.user(alice.pk))), what="alice listening")
        wait_until(lambda: client.exists(channels.marker(channels.user(bob.pk))), what="bob listening")
        # ~50 bytes an event: 160,000 events are ~8 MB, past what the kernel's socket buffers
        # absorb on loopback (~3 MB measured) plus our bound.
        for start in range(0, 160_000, 20_000):
            with client.pipeline(transaction=False) as pipe:
                for tweet_id in range(start, start + 20_000):
                    pipe.publish(channels.user(alice.pk), orjson.dumps({"e": "delete", "t": 10**18 + tweet_id}))
                pipe.execute()
        wait_until(lambda: "connection cut" in server.log(), what="the cut", timeout=60)
        # The server dropped the connection: what remains in our buffers is read, then the end.
        stuck.settimeout(10)
        received, ended = 0, False
        try:
            while chunk := stuck.recv(65536):
                received += len(chunk)
            ended = True
        except (ConnectionResetError, TimeoutError):
            ended = True
        assert ended and received < 6_000_000, received  # far from all 8 MB: cut
        # The process is fine and serves the others.
        assert _publish_delete(client, bob.pk, 7) == 1
        assert healthy.wait_for("delete", lambda tweet_id: tweet_id == 7, timeout=30) == 7
    finally:
        server.stop()
        own_redis.stop()


def test_sigterm_closes_every_stream_and_exits(alice, bob):
    server = StreamServer(stream_env()).start()
    streams = [
        SSE(f"{server.url}/api/v1/streaming/user", token=jwt_for(alice)),
        SSE(f"{server.url}/api/v1/streaming/public", token=jwt_for(bob)),
    ]
    sockets = [WS(server.ws_url + "?stream=user", token=jwt_for(bob)) for _ in range(2)]
    assert all(s.status == 200 for s in streams)
    time.sleep(0.3)
    started = time.monotonic()
    assert server.process is not None
    server.process.send_signal(signal.SIGTERM)
    # uvicorn re-raises the signal once it has shut down: the status says SIGTERM ended it.
    assert server.process.wait(timeout=10) in (0, -signal.SIGTERM)
    assert time.monotonic() - started < 5
    assert "Application shutdown complete" in server.log()  # a clean shutdown, not a kill
    for stream in streams:
        assert stream.closed.wait(5)
    for ws in sockets:
        assert ws.closed.wait(5)
        assert ws.close_code == 1001  # "going away", sent before the process exited
    server.stop()
