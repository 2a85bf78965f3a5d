"""Publishing stream events from the web and worker processes (after commit, from the write path).

One Lua call per batch of users on REDIS_URL: for each user, one EXISTS of the channel's
marker, and a PUBLISH only where someone listens. So publishing for users nobody listens to
costs one key lookup each, in one round trip per batch, and the batch travels as one string
of ids. Delivery is at most once: a failure here is logged and forgotten (clients catch up
through the REST timelines).
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

# ARGV[1]: the message, ARGV[2]: the channel prefix, ARGV[3]: the marker prefix, ARGV[4]: a
# channel name without prefix ("public"), or a kind ("user:") when ARGV[5] lists ids ("1,2,3").
# The names are built here, in Redis, from one string of ids: sending two names per user made
# the client's packing and the protocol cost as much as the feed write itself (issue 22). The
# marker keys are not in KEYS: REDIS_URL is one server, never a cluster. (No `#!lua` flags
# line: the embedded Redis of `make run` is 6.2, which does not know it.)
_PUBLISH_IF_LISTENED = """
local message, channel_prefix, marker_prefix = ARGV[1], ARGV[2], ARGV[3]
local n = 0
local function one(name)
  if redis.call('EXISTS', marker_prefix .. name) == 1 then
    redis.call('PUBLISH', channel_prefix .. name, message)
    n = n + 1
  end
end
if ARGV[5] == nil then
  one(ARGV[4])
else
  for id in string.gmatch(ARGV[5], '%d+') do
    one(ARGV[4] .. id)
  end
end
return n
"""
_script: Script | None = None


def _client() -> Any:
    return get_redis_connection("default")


def _publish(message: dict[str, Any], names: list[str]) -> int:
    """One Lua call: EXISTS of each channel's marker, a PUBLISH where it is set; returns how many."""
    global _script
    client = _client()
    try:
        if _script is None:
            _script = client.register_script(_PUBLISH_IF_LISTENED)
        sent = _script(args=[orjson.dumps(message), channels.prefix(), channels.MARKER_PREFIX, *names], client=client)
    except RedisError as exc:
        logger.warning("streaming: could not publish %s: %s", message.get("e"), exc)
        return 0
    return int(sent)


def to_users(user_ids: Iterable[int], message: dict[str, Any]) -> int:
    """To the `user:<id>` channels of these users that have a listener (a fan-out batch)."""
    ids = ",".join(map(str, user_ids))
    return _publish(message, [channels.USER, ids]) if ids else 0


def to_source(author_id: int, message: dict[str, Any]) -> int:
    return _publish(message, [channels.SOURCE, str(author_id)])


def to_public(message: dict[str, Any]) -> int:
    return _publish(message, [channels.PUBLIC])


def to_control(message: dict[str, Any]) -> None:
    """Process-wide news for every stream process (rare: no marker)."""
    try:
        _client().publish(channels.control(), orjson.dumps(message))
    except RedisError as exc:
        logger.warning("streaming: could not publish %s: %s", message.get("e"), exc)
