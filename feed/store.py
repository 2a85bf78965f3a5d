"""The Redis side of feeds: the connection, and running the Lua scripts (feed.scripts) on it.

Each script does its checks and writes atomically inside Redis, so a multi-step change
(add unless present, mark, trim) needs one round trip and can never be half applied.
Scripts that fan out take a whole batch of feeds as KEYS: one call per ~1,000 followers
on a single Redis. On a Redis Cluster (FEED_REDIS_CLUSTER_URL) a script may only touch
keys of one hash slot, so `run_feeds` splits the batch by slot and pipelines the calls,
one round trip per node; a feed's two keys share a slot (hash tags, see `feed.keys`).
The cluster path packs and sends the commands itself, on redis-py's slot map and node
connections (`_cluster_execute`): feed/tests/test_redis_internals.py fails if an upgrade
of redis-py changes what it relies on.
"""

import logging
from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django_redis import get_redis_connection
from redis import Redis
from redis.cluster import ClusterNode, RedisCluster
from redis.commands.core import Script
from redis.crc import key_slot
from redis.exceptions import (
    AskError,
    ClusterDownError,
    ConnectionError,
    MovedError,
    NoScriptError,
    RedisClusterException,
    RedisError,
    ResponseError,
    TimeoutError,
    TryAgainError,
)
from redis.typing import EncodableT

from feed import keys
from feed.scripts import BatchArgs, BatchScript, LuaScript, SlotCall, SlotScript

logger = logging.getLogger(__name__)

# "Redis trouble": worth a retry (tasks) or a fall back to PostgreSQL (reads). A cluster
# client also raises RedisClusterException (not a RedisError), e.g. while a slot has no
# master during a failover; ClusterDownError, MOVED and connection errors are RedisErrors.
REDIS_ERRORS: tuple[type[Exception], ...] = (RedisError, RedisClusterException)

C = TypeVar("C", bound=SlotCall)
A = TypeVar("A", bound=BatchArgs)


def connection() -> Any:
    """The feeds' Redis client: the cluster's when FEED_REDIS_CLUSTER_URL is set, else
    django-redis's pooled client for the default cache (REDIS_URL).

    Typed Any: Redis and RedisCluster share the commands the feed uses, not a base class.
    """
    url = getattr(settings, "FEED_REDIS_CLUSTER_URL", "")
    if url:
        return _cluster_client(url)
    return get_redis_connection("default")


@cache
def _cluster_client(url: str) -> RedisCluster:
    """One cluster client per process and URL: it holds the slot map and a pool per node.

    Timeouts as the single Redis's (CACHES): fail fast, the caller retries or falls back.
    """
    return RedisCluster.from_url(url, socket_connect_timeout=1, socket_timeout=2)


def is_cluster(client: Any) -> bool:
    return isinstance(client, RedisCluster)


_scripts: dict[str, Script] = {}


def _script(script: LuaScript) -> Script:
    """redis-py's Script for one of ours (its sha; EVALSHA with a load on NOSCRIPT), made once."""
    registered = _scripts.get(script.name)
    if registered is None:
        registered = _scripts[script.name] = connection().register_script(script.source)
    return registered


def run(script: SlotScript[C], client: Any, call: C) -> Any:
    """Run one call of a script whose keys are in ONE hash slot, by EVALSHA.

    On NOSCRIPT (a Redis restart or flush, a replica promoted on a cluster) redis-py loads
    the script (on every master of a cluster) and runs it again. For many calls use
    `run_each`: pipelined, and NOSCRIPT handled without a call run twice.
    """
    return _script(script)(keys=call.keys(), args=call.argv(), client=client)


class SlotReply(NamedTuple):
    """One script call of `run_feeds`: which feeds it got (indexes into the caller's list)
    and the script's reply for them."""

    feeds: list[int]
    value: Any


def positions(replies: list[SlotReply], items: Sequence[Any]) -> list[Any]:
    """The items (the caller's list given to `run_feeds`, e.g. user ids) at the 1-based
    positions the scripts returned (each relative to its own call's feeds)."""
    return [items[reply.feeds[int(position) - 1]] for reply in replies for position in reply.value]


def run_feeds(script: BatchScript[A], client: Any, per_feed_keys: list[list[str]], args: A) -> list[SlotReply]:
    """A batch script over many feeds, each feed's keys given as one list, `args` shared.

    Single Redis: one EVALSHA with every key, one reply for all the feeds. Cluster: the
    feeds grouped by hash slot, one EVALSHA per group, pipelined to each slot's master (one
    round trip per node, the nodes in parallel). Callers combine the replies: sum the counts, or map
    positions back through `SlotReply.feeds`. Each call is atomic for its feeds.
    """
    if not per_feed_keys:
        return []
    argv = args.argv()
    if not is_cluster(client):
        flat = [key for feed in per_feed_keys for key in feed]
        return [SlotReply(list(range(len(per_feed_keys))), _script(script)(keys=flat, args=argv, client=client))]
    groups: dict[int, list[int]] = {}
    for index, feed in enumerate(per_feed_keys):
        groups.setdefault(key_slot(feed[0].encode()), []).append(index)
    # Every group shares the one `argv` list's objects: _pack encodes them once.
    calls = [([key for index in group for key in per_feed_keys[index]], argv) for group in groups.values()]
    values = _evalsha_each(script, client, calls)
    return [SlotReply(group, value) for group, value in zip(groups.values(), values, strict=True)]


def run_each(script: SlotScript[C], client: Any, calls: Sequence[C]) -> list[Any]:
    """Several calls of one script, each on keys of one slot, pipelined (one round trip per
    node on a cluster); their replies in order. See `_evalsha_each` for NOSCRIPT."""
    return _evalsha_each(script, client, [(call.keys(), call.argv()) for call in calls])


def _evalsha_each(script: LuaScript, client: Any, calls: Sequence[tuple[list[str], list[EncodableT]]]) -> list[Any]:
    """EVALSHA of `script` for each (keys, argv), pipelined; the replies in order.

    Not redis-py's pipelined Script call: its pipeline asks SCRIPT EXISTS before every
    execute, one more round trip. NOSCRIPT (a new master after a failover, a flushed or
    restarted Redis): the script is loaded on every master and only the calls that failed
    are sent again, so a call that ran is never repeated. Any other error is raised (the
    task retries).
    """
    registered = _script(script)
    replies: list[Any] = [None] * len(calls)
    pending = list(range(len(calls)))
    for attempt in range(3):
        commands = [("EVALSHA", registered.sha, len(calls[i][0]), *calls[i][0], *calls[i][1]) for i in pending]
        if is_cluster(client):
            results = _cluster_execute(client, [calls[i][0][0] for i in pending], commands)
        else:
            with client.pipeline(transaction=False) as pipe:
                for command in commands:
                    pipe.execute_command(*command)
                results = pipe.execute(raise_on_error=False)
        missing = []
        for index, result in zip(pending, results, strict=True):
            if isinstance(result, NoScriptError):
                missing.append(index)
            elif isinstance(result, Exception):
                raise result
            else:
                replies[index] = result
        if not missing:
            return replies
        logger.info("feed: script %s missing on a Redis node (attempt %d); loading it", script.name, attempt + 1)
        client.script_load(registered.script)  # a cluster client sends SCRIPT LOAD to every master
        pending = missing
    raise NoScriptError(f"script {script.name} still missing after loading it")


def execute_each(client: Any, commands: Sequence[tuple[Any, ...]]) -> list[Any]:
    """Single-key (or single-slot) commands such as ("ZSCORE", key, member), the key second,
    pipelined: one round trip on a single Redis, one per node on a cluster. Their replies in
    order; an error is raised.

    For reads or writes over many feeds that are not scripts (e.g. a ZSCORE per follower):
    redis-py's cluster pipeline costs ~0.2 ms of Python per command, this ~0.02 ms.
    """
    if not commands:
        return []
    if is_cluster(client):
        results = _cluster_execute(client, [command[1] for command in commands], list(commands))
    else:
        with client.pipeline(transaction=False) as pipe:
            for command in commands:
                pipe.execute_command(*command)
            results = pipe.execute(raise_on_error=False)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


# Replies of a node that does not (or no longer) own the slot, or of a cluster in a failover:
# the command did not run, so it can be sent again through the cluster client, which follows
# the redirection or waits for the new master (and raises if there is none yet).
_REDIRECTED = (MovedError, AskError, TryAgainError, ClusterDownError)


def _cluster_execute(client: RedisCluster, routing_keys: list[str], commands: list[tuple[Any, ...]]) -> list[Any]:
    """Commands each on keys of one slot (the slot of its routing key), grouped by the master
    that owns the slot: each node's commands are written at once, then the replies read, so
    the nodes work in parallel, one round trip each. Replies (or the error each got) in order.

    Not redis-py's ClusterPipeline: it asks the server for the keys of every EVALSHA
    (COMMAND GETKEYS, a round trip per command) and spends ~0.2 ms of Python per command.
    A node that cannot be reached raises (after the slot map is refreshed): some of its
    commands may have run, which is safe as every feed script is idempotent; the task retries.
    """
    by_node: dict[str, tuple[ClusterNode, list[int]]] = {}
    owners = client.nodes_manager.slots_cache  # slot -> [master, replicas...], redis-py's map
    for index, key in enumerate(routing_keys):
        slot = key_slot(key.encode())
        nodes = owners.get(slot)
        node = nodes[0] if nodes else client.nodes_manager.get_node_from_slot(slot)  # raises: not covered
        by_node.setdefault(node.name, (node, []))[1].append(index)
    memo: dict[int, bytes] = {}
    results: list[Any] = [None] * len(commands)
    sent: list[tuple[Redis, Any, list[int]]] = []
    try:
        try:
            for node, indexes in by_node.values():
                redis_node = client.get_redis_connection(node)
                connection = redis_node.connection_pool.get_connection()
                sent.append((redis_node, connection, indexes))
                connection.send_packed_command([b"".join(_pack(commands[index], memo) for index in indexes)])
            for redis_node, connection, indexes in sent:
                for index in indexes:
                    try:
                        results[index] = redis_node.parse_response(connection, commands[index][0])
                    except ResponseError as exc:
                        results[index] = exc
        except (ConnectionError, TimeoutError):
            for _, connection, _ in sent:
                connection.disconnect()  # replies may be left unread on it
            _refresh_slots(client)
            raise
    finally:
        for redis_node, connection, _ in sent:
            redis_node.connection_pool.release(connection)
    redirected = [index for index, result in enumerate(results) if isinstance(result, _REDIRECTED)]
    if redirected:
        _refresh_slots(client)
        for index in redirected:
            try:
                results[index] = client.execute_command(*commands[index])
            except NoScriptError as exc:
                results[index] = exc
    return results


def _pack(command: tuple[Any, ...], memo: dict[int, bytes]) -> bytes:
    """One command in RESP, as redis-py's encoder writes it (str as UTF-8, numbers by repr),
    at a fraction of its cost: on a cluster every feed of a batch is its own command, and
    the arguments they share (the sha, the tweet, the score) are encoded once (`memo`, by
    object identity, lives as long as the commands do)."""
    parts = [b"*%d\r\n" % len(command)]
    for arg in command:
        packed = memo.get(id(arg))
        if packed is None:
            data = arg if isinstance(arg, bytes) else str(arg).encode()
            packed = memo[id(arg)] = b"$%d\r\n%b\r\n" % (len(data), data)
        parts.append(packed)
    return b"".join(parts)


def _refresh_slots(client: RedisCluster) -> None:
    """Reload the slot map after a failover or a resharding; best effort (the caller raises)."""
    try:
        client.nodes_manager.initialize()
    except REDIS_ERRORS as exc:
        logger.warning("feed: could not refresh the Redis Cluster slot map: %s", exc)


def delete_feeds(client: Any, user_ids: Sequence[int]) -> int:
    """Delete feeds (every key of each, feed.keys.all_feed_keys); returns how many keys existed.

    Single Redis: one DEL. Cluster: a DEL spanning slots is refused, so one DEL per feed,
    pipelined (one round trip per node).
    """
    if not user_ids:
        return 0
    if not is_cluster(client):
        return int(client.delete(*(key for user_id in user_ids for key in keys.all_feed_keys(user_id))))
    commands = [("DEL", *keys.all_feed_keys(user_id)) for user_id in user_ids]
    return sum(int(count) for count in execute_each(client, commands))
