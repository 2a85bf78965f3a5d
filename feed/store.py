"""The Redis side of feeds: the connection and the Lua scripts that keep a feed consistent.

Each script does its checks and writes atomically inside Redis, so a multi-step change
(add unless present, mark, trim) needs one round trip and can never be half applied.
Scripts that fan out take a whole batch of feeds as KEYS: one call per ~1,000 followers.
Key names come from `feed.keys`; the scripts only know the sentinel member "0".
"""

from collections.abc import Sequence
from typing import Any

from django_redis import get_redis_connection
from redis import Redis
from redis.cluster import RedisCluster
from redis.commands.core import Script

from feed import keys

# Trim to the newest `maxlen` real entries. Rank 0 is the sentinel (score 0, the lowest)
# in a complete feed and is kept; a key without it keeps one extra entry, harmlessly,
# until the read that rebuilds it.
_TRIM = "if redis.call('ZCARD', feed) > maxlen + 1 then redis.call('ZREMRANGEBYRANK', feed, 1, -(maxlen + 1)) end"

# Drop repost marks whose entry was trimmed away; run only when the hash outgrew the feed.
_PRUNE = """
local function prune(feed, rp, maxlen)
  if redis.call('HLEN', rp) > maxlen then
    for _, member in ipairs(redis.call('HKEYS', rp)) do
      if not redis.call('ZSCORE', feed, member) then redis.call('HDEL', rp, member) end
    end
  end
end
"""

# KEYS: feeds. ARGV: tweet id, score, maxlen. Returns the number of feeds written.
FAN_OUT = f"""
local maxlen = tonumber(ARGV[3])
for _, feed in ipairs(KEYS) do
  redis.call('ZADD', feed, ARGV[2], ARGV[1])
  {_TRIM}
end
return #KEYS
"""

# KEYS: feed, reposts, feed, reposts, ... ARGV: tweet id. Returns feeds that had it.
REMOVE = """
local n = 0
for i = 1, #KEYS, 2 do
  n = n + redis.call('ZREM', KEYS[i], ARGV[1])
  redis.call('HDEL', KEYS[i + 1], ARGV[1])
end
return n
"""

# Add or refresh a repost entry, never duplicating: a tweet in the feed by its own right
# (no mark) is left alone; a repost entry moves up to a newer repost and takes its mark.
_REPOST_ENTRY = """
local function repost_entry(feed, rp, member, score, reposter)
  local current = redis.call('ZSCORE', feed, member)
  if current then
    if not redis.call('HEXISTS', rp, member) or tonumber(current) >= tonumber(score) then return 0 end
  end
  redis.call('ZADD', feed, score, member)
  redis.call('HSET', rp, member, reposter)
  return 1
end
"""

# KEYS: feed, reposts pairs. ARGV: tweet id, score (repost time), reposter id, maxlen.
# The caller leaves out the feeds of users who follow the tweet's author.
REPOST_ADD = (
    _PRUNE
    + _REPOST_ENTRY
    + f"""
local maxlen = tonumber(ARGV[4])
local n = 0
for i = 1, #KEYS, 2 do
  local feed, rp = KEYS[i], KEYS[i + 1]
  if repost_entry(feed, rp, ARGV[1], ARGV[2], ARGV[3]) == 1 then
    {_TRIM}
    prune(feed, rp, maxlen)
    n = n + 1
  end
end
return n
"""
)

# KEYS: feed, reposts pairs. ARGV: tweet id, reposter id. Removes the entry where this
# reposter brought it in; returns the 1-based positions (pairs) of the feeds changed, so
# the caller can put it back for users who still have another reason to see it.
REPOST_REMOVE = """
local changed = {}
for i = 1, #KEYS, 2 do
  if redis.call('HGET', KEYS[i + 1], ARGV[1]) == ARGV[2] then
    redis.call('ZREM', KEYS[i], ARGV[1])
    redis.call('HDEL', KEYS[i + 1], ARGV[1])
    changed[#changed + 1] = (i + 1) / 2
  end
end
return changed
"""

# KEYS: feed, reposts. ARGV: maxlen, only_if_complete ("1"/"0"), then triples
# (tweet id, score, reposter id or ""). An own entry (no reposter) replaces a repost
# entry of the same tweet; a repost entry follows the rules of REPOST_ADD.
MERGE = (
    _PRUNE
    + _REPOST_ENTRY
    + f"""
local feed, rp = KEYS[1], KEYS[2]
local maxlen = tonumber(ARGV[1])
if ARGV[2] == '1' and not redis.call('ZSCORE', feed, '{keys.SENTINEL}') then return -1 end
local n = 0
for i = 3, #ARGV, 3 do
  local member, score, reposter = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if reposter == '' then
    n = n + redis.call('ZADD', feed, score, member)
    redis.call('HDEL', rp, member)
  else
    n = n + repost_entry(feed, rp, member, score, reposter)
  end
end
{_TRIM}
prune(feed, rp, maxlen)
return n
"""
)

# KEYS: feed, reposts. ARGV: the unfollowed user's id, then their tweet ids. Removes
# their tweets and the entries their reposts brought in; returns the removed ids.
PURGE = """
local feed, rp = KEYS[1], KEYS[2]
local removed = {}
for i = 2, #ARGV do
  if redis.call('ZREM', feed, ARGV[i]) == 1 then removed[#removed + 1] = ARGV[i] end
  redis.call('HDEL', rp, ARGV[i])
end
local marks = redis.call('HGETALL', rp)
for i = 1, #marks, 2 do
  if marks[i + 1] == ARGV[1] then
    if redis.call('ZREM', feed, marks[i]) == 1 then removed[#removed + 1] = marks[i] end
    redis.call('HDEL', rp, marks[i])
  end
end
return removed
"""

# KEYS: feed, reposts. ARGV: start, stop (ZREVRANGE ranks). Returns nil when the feed is
# not complete (missing sentinel), else {count, id1, reposter1 or "", id2, ...}.
READ = f"""
local feed, rp = KEYS[1], KEYS[2]
if not redis.call('ZSCORE', feed, '{keys.SENTINEL}') then return false end
local out = {{redis.call('ZCARD', feed) - 1}}
for _, member in ipairs(redis.call('ZREVRANGE', feed, ARGV[1], ARGV[2])) do
  if member ~= '{keys.SENTINEL}' then
    out[#out + 1] = member
    out[#out + 1] = redis.call('HGET', rp, member) or ''
  end
end
return out
"""

# READ with the page's cached tweet bodies (feed.objects), for a single Redis: the bodies
# ride in the same round trip. KEYS: feed, reposts. ARGV: start, stop, then the cache's
# body version, key prefix and suffix (feed.objects.body_args). Returns nil for an
# incomplete feed, else ONE JSON text, [count, id1, reposter1 or 0, body1 or null, id2, ...]:
# members and marks are decimal ids and bodies are JSON written by feed.objects, so they
# are spliced in as they are, and the client parses one string instead of 60 RESP replies.
# Body keys are built here, not passed as KEYS: fine on one Redis, not on a cluster (other
# slots), where the caller uses READ and a pipelined fetch instead.
READ_WITH_BODIES = f"""
local feed, rp = KEYS[1], KEYS[2]
if not redis.call('ZSCORE', feed, '{keys.SENTINEL}') then return false end
local version, prefix, suffix = ARGV[3], ARGV[4], ARGV[5]
local out = {{'[', tostring(redis.call('ZCARD', feed) - 1)}}
for _, member in ipairs(redis.call('ZREVRANGE', feed, ARGV[1], ARGV[2])) do
  if member ~= '{keys.SENTINEL}' then
    local body = redis.call('HMGET', prefix .. member .. suffix, 'v', 'b')
    if body[1] ~= version or not body[2] then body[2] = 'null' end
    out[#out + 1] = ',' .. member .. ',' .. (redis.call('HGET', rp, member) or '0') .. ',' .. body[2]
  end
end
out[#out + 1] = ']'
return table.concat(out)
"""


def connection() -> Redis:
    """django-redis's pooled client for the default cache (the feeds' Redis)."""
    return get_redis_connection("default")


def is_cluster(client: object) -> bool:
    """Whether `client` talks to a Redis Cluster: keys of several slots need one call per slot."""
    return isinstance(client, RedisCluster)


_SOURCES = {
    "fan_out": FAN_OUT,
    "remove": REMOVE,
    "repost_add": REPOST_ADD,
    "repost_remove": REPOST_REMOVE,
    "merge": MERGE,
    "purge": PURGE,
    "read": READ,
    "read_with_bodies": READ_WITH_BODIES,
}
_scripts: dict[str, Script] = {}


def run(name: str, client: Redis, key_names: list[str], args: Sequence[Any]) -> Any:
    """Run a script by EVALSHA (redis-py loads it again after a Redis restart or flush)."""
    script = _scripts.get(name)
    if script is None:
        script = _scripts[name] = connection().register_script(_SOURCES[name])
    return script(keys=key_names, args=args, client=client)
