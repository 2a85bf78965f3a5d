"""Publishing stream events from the web and worker processes (after commit, from the write path).

One Lua call per batch of users on REDIS_URL: for each user, one EXISTS of the channel's
marker, and a PUBLISH only where someone listens. So publishing for users nobody listens to
costs one key lookup each, in one round trip per batch. Delivery is at most once: a
failure here is logged and forgotten (clients catch up through the REST timelines).
"""

import logging
from collections.abc import Iterable
from typing import Any

import orjson
from django_redis import get_redis_connection
from redis.commands.core import Script
from redis.exceptions import RedisError

from streaming import channels

logger = logging.getLogger(__name__)

# KEYS: markers. ARGV[1]: the message, ARGV[2..]: the channels (one per marker, in order).
_PUBLISH_IF_LISTENED = """
local n = 0
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('PUBLISH', ARGV[i + 1], ARGV[1])
    n = n + 1
  end
end
return n
"""
_script: Script | None = None


def _client() -> Any:
    return get_redis_connection("default")


def publish(names: list[str], message: dict[str, Any]) -> int:
    """Publish one message on each of these channels that has a listener; returns how many."""
    global _script
    if not names:
        return 0
    client = _client()
    try:
        if _script is None:
            _script = client.register_script(_PUBLISH_IF_LISTENED)
        sent = _script(
            keys=[channels.marker(name) for name in names], args=[orjson.dumps(message), *names], client=client
        )
    except RedisError as exc:
        logger.warning("streaming: could not publish %s: %s", message.get("e"), exc)
        return 0
    return int(sent)


def to_users(user_ids: Iterable[int], message: dict[str, Any]) -> int:
    return publish([channels.user(user_id) for user_id in user_ids], message)


def to_source(author_id: int, message: dict[str, Any]) -> int:
    return publish([channels.source(author_id)], message)


def to_public(message: dict[str, Any]) -> int:
    return publish([channels.public()], message)


def to_control(message: dict[str, Any]) -> None:
    """Process-wide news for every stream process (rare: no marker)."""
    try:
        _client().publish(channels.control(), orjson.dumps(message))
    except RedisError as exc:
        logger.warning("streaming: could not publish %s: %s", message.get("e"), exc)
