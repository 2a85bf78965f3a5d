"""The publisher against the real Redis of REDIS_URL: it publishes exactly on the channels whose
"someone listens" marker is set, builds the same names as streaming.channels, and never raises."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import redis
from django_redis import get_redis_connection

from streaming import channels, publish


@pytest.fixture
def heard() -> Iterator[Any]:
    """A pub/sub connection subscribed to every channel of this test's prefix."""
    pubsub = get_redis_connection("default").pubsub(ignore_subscribe_messages=True)
    pubsub.psubscribe(channels.prefix() + "*")
    try:
        yield pubsub
    finally:
        pubsub.close()


def received(pubsub: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every message published so far, as (channel, message), in order."""
    out = []
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.05)
        if message is not None:
            out.append((message["channel"].decode(), orjson.loads(message["data"])))
    return out


def listen(*names: str) -> None:
    client = get_redis_connection("default")
    for name in names:
        client.set(channels.marker(name), 1, ex=60)


def test_a_batch_reaches_only_the_users_who_listen(heard: Any) -> None:
    listen(channels.user(7), channels.user(1003))
    sent = publish.to_users([5, 7, 1003, 1004, *range(2000, 3000)], {"e": "update", "t": 42, "r": None})
    assert sent == 2
    assert received(heard) == [
        (channels.user(7), {"e": "update", "t": 42, "r": None}),
        (channels.user(1003), {"e": "update", "t": 42, "r": None}),
    ]


def test_an_empty_batch_and_a_batch_nobody_listens_to_publish_nothing(heard: Any) -> None:
    listen(channels.user(1))
    assert publish.to_users([], {"e": "delete", "t": 1}) == 0
    assert publish.to_users(range(2, 500), {"e": "delete", "t": 1}) == 0
    assert received(heard) == []


def test_source_and_public_channels(heard: Any) -> None:
    assert publish.to_source(9, {"e": "delete", "t": 3}) == 0
    assert publish.to_public({"e": "delete", "t": 3}) == 0
    listen(channels.source(9), channels.public())
    assert publish.to_source(9, {"e": "delete", "t": 4}) == 1
    assert publish.to_source(10, {"e": "delete", "t": 4}) == 0
    assert publish.to_public({"e": "delete", "t": 5}) == 1
    assert received(heard) == [
        (channels.source(9), {"e": "delete", "t": 4}),
        (channels.public(), {"e": "delete", "t": 5}),
    ]


def test_a_redis_failure_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused.
    monkeypatch.setattr(publish, "_client", lambda: redis.Redis.from_url("redis://127.0.0.1:1/0"))
    assert publish.to_users([1, 2], {"e": "update", "t": 1, "r": None}) == 0
    assert "could not publish update" in caplog.text
