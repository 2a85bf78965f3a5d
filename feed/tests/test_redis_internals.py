"""The redis-py internals feed.store's cluster path relies on, checked on real servers.

`store._cluster_execute` and `_pack` do not use redis-py's ClusterPipeline (a round trip per
EVALSHA for COMMAND GETKEYS, ~0.2 ms of Python per command): they read redis-py's slot map
(`RedisCluster.nodes_manager.slots_cache`, `get_node_from_slot`, `initialize`), take a
connection from each node's pool (`get_redis_connection(node).connection_pool.get_connection()`,
`release`), write RESP packed by `_pack` (`Connection.send_packed_command`) and read each
reply with `Redis.parse_response` (error replies raised as redis-py's exception classes:
MOVED as MovedError, NOSCRIPT as NoScriptError). An upgrade of redis-py may change any of
these without a word; these tests then fail, naming what changed.

The single-Redis tests run on the test Redis (REDIS_URL); the cluster tests on the session's
cluster under CHIRP_TEST_FEED_CLUSTER=1, else on a throwaway one of their own (3 masters,
~3 s to start).
"""

from collections.abc import Iterator

import pytest
from django_redis import get_redis_connection
from redis import Redis
from redis.cluster import ClusterNode, RedisCluster
from redis.crc import key_slot
from redis.exceptions import MovedError, NoScriptError, ResponseError

from feed import scripts, store

COMMANDS: list[tuple[object, ...]] = [
    ("SET", "internals:{a}", "value"),
    ("ZADD", "internals:{z}", 1_700_000_000_000_000, 42),
    ("ZSCORE", "internals:{z}", 42),
    ("HSET", "internals:{h}", "é ü", b"\x00\xffbytes"),
    ("HGET", "internals:{h}", "é ü"),
    ("ZADD", "internals:{z}", 1.5, ""),
    ("EVALSHA", "0" * 40, 1, "internals:{a}", 7),
]


def _plain() -> Redis:
    """The test Redis through django-redis, as store.connection() is without a cluster."""
    return get_redis_connection("default")


def test_pack_writes_the_bytes_redis_py_writes():
    """_pack is a faster copy of redis-py's encoder (str as UTF-8, numbers by str, bytes as
    they are); the server must receive exactly what redis-py would have sent."""
    connection = _plain().connection_pool.get_connection()
    try:
        for command in COMMANDS:
            assert store._pack(command, {}) == b"".join(connection.pack_command(*command)), command
    finally:
        _plain().connection_pool.release(connection)


def test_a_pool_connection_takes_packed_commands_and_parses_each_reply_in_turn():
    """What _cluster_execute does with each node: one write of many packed commands, then one
    parse_response per command, an error reply raised as its redis-py class (the others read on)."""
    client = _plain()
    memo: dict[int, bytes] = {}
    connection = client.connection_pool.get_connection()  # no arguments (deprecated in redis-py 5.x)
    try:
        connection.send_packed_command([b"".join(store._pack(command, memo) for command in COMMANDS)])
        replies: list[object] = []
        for command in COMMANDS:
            try:
                replies.append(client.parse_response(connection, command[0]))
            except ResponseError as exc:
                replies.append(exc)
    finally:
        client.connection_pool.release(connection)
    assert replies[:6] == [True, 1, 1_700_000_000_000_000.0, 1, b"\x00\xffbytes", 1]
    assert isinstance(replies[6], NoScriptError)
    assert client.ping()  # the connection went back to the pool with nothing left unread


@pytest.fixture(scope="module")
def cluster() -> Iterator[RedisCluster]:
    """A real cluster client: the session's when the feed suite runs on one, else our own."""
    client = store.connection()
    if store.is_cluster(client):
        yield client
        return
    from devtools.servers import ThrowawayRedisCluster

    servers = ThrowawayRedisCluster()
    try:
        servers.start()
        own = RedisCluster.from_url(servers.url(), socket_connect_timeout=1, socket_timeout=2)
        yield own
        own.close()
    finally:
        servers.destroy()


def _keys_on_every_master(client: RedisCluster, count: int = 60) -> list[str]:
    names = [f"internals:{{{i}}}" for i in range(count)]
    owners = {client.nodes_manager.get_node_from_slot(key_slot(name.encode())).name for name in names}
    assert len(owners) == len(client.get_primaries()) > 1, "the keys must spread over every master"
    return names


def test_the_slot_map_gives_each_slot_its_master(cluster):
    """nodes_manager.slots_cache: slot -> [master, replicas...] of ClusterNode, every slot
    covered, and the same master as get_node_from_slot (the fallback for a slot missing)."""
    owners = cluster.nodes_manager.slots_cache
    assert isinstance(owners, dict) and len(owners) == 16384
    masters = {node.name for node in cluster.get_primaries()}
    for slot in (0, 5460, 5461, 10922, 10923, 16383):
        node = owners[slot][0]
        assert isinstance(node, ClusterNode) and node.server_type == "primary" and node.name in masters
        assert cluster.nodes_manager.get_node_from_slot(slot).name == node.name
        assert isinstance(cluster.get_redis_connection(node), Redis)


def test_cluster_execute_runs_each_command_on_its_master_in_order(cluster):
    names = _keys_on_every_master(cluster)
    writes = store._cluster_execute(cluster, names, [("SET", name, f"v{i}") for i, name in enumerate(names)])
    assert writes == [True] * len(names)
    reads = store._cluster_execute(cluster, names, [("GET", name) for name in names])
    assert reads == [f"v{i}".encode() for i in range(len(names))]
    assert [cluster.get(name) for name in names] == reads  # through redis-py's own routing


def test_a_stale_slot_map_is_followed_to_the_slots_master(cluster):
    """A node that does not own a slot replies MOVED, parsed as MovedError; _cluster_execute
    reloads the map (nodes_manager.initialize) and sends the command again, which then runs."""
    names = _keys_on_every_master(cluster)
    name = names[0]
    slot = key_slot(name.encode())
    owner = cluster.nodes_manager.slots_cache[slot][0]
    other = next(node for node in cluster.get_primaries() if node.name != owner.name)
    stray = cluster.get_redis_connection(other)
    connection = stray.connection_pool.get_connection()
    try:
        connection.send_packed_command([store._pack(("SET", name, "moved"), {})])
        with pytest.raises(MovedError):
            stray.parse_response(connection, "SET")
    finally:
        stray.connection_pool.release(connection)
    cluster.nodes_manager.slots_cache[slot] = [other]  # as after a resharding or a failover
    assert store._cluster_execute(cluster, [name], [("SET", name, "followed")]) == [True]
    assert cluster.nodes_manager.slots_cache[slot][0].name == owner.name
    assert cluster.get(name) == b"followed"


def test_script_load_reaches_every_master(cluster):
    """After NOSCRIPT, run_feeds loads the script through the cluster client: on every master."""
    source = scripts.ADD_ONE_SOURCE.source
    sha = cluster.script_load(source)
    for node in cluster.get_primaries():
        cluster.get_redis_connection(node).script_flush()
    assert cluster.script_load(source) == sha
    assert all(cluster.get_redis_connection(node).script_exists(sha) == [True] for node in cluster.get_primaries())
