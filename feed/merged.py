"""Hybrid fan-out: large accounts are merged into their followers' feeds at read time.

Every author has a *source list* (`chirp:src:{author}`: their newest tweets and reposts,
capped at FEED_MAX_LENGTH, same members and scores as feed entries, its own cluster slot),
written on every post, repost, delete and hide whatever the author's size, so crossing
FANOUT_FOLLOWER_LIMIT either way needs no rebuild. Whether an entry is fanned out is
decided per entry at fan-out time: an author with more followers than the limit is
*merged* (a `MergedAuthor` row), and only their own feed and source list are written.

A viewer's merged followees are a set in the feed's slot (`chirp:feed:{viewer}:src`), read
by the same Lua call as the feed page: a plain read stays one round trip; a viewer with
sources pays one more (one pipeline: one round trip per node on a cluster) for the top
entries of each source list, merged here by score. See feed/README.md, "Hybrid fan-out".
"""

import logging
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection as db
from django.utils import timezone
from redis import Redis
from redis.exceptions import WatchError
from redis.typing import EncodableT

from accounts.selectors import follower_ids
from core import fastjson
from feed import keys, objects, signals, store
from feed.models import MergedAuthor
from feed.pull import TABLES, excluded_cte, kept_from

logger = logging.getLogger(__name__)

TABLES_M = {**TABLES, "merged": MergedAuthor._meta.db_table}


class Entry(NamedTuple):
    """A feed entry as a read sees it: `source` is the merged author whose list it came from
    (None: the viewer's own feed), so a stale one is forgotten in the right place."""

    tweet_id: int
    reposter_id: int | None
    score: int
    source: int | None


# --- Lua ----------------------------------------------------------------------

# The tweet-object cache's body of a member (feed.objects) when ARGV[bv] (the body version)
# is not empty, else "": on a single Redis the bodies ride in the read's round trip.
# `append_entries` adds ",id,mark or 0,score,body" to `out` for each entry of `flat` (id,
# score, ...) but the sentinel, its repost mark read from the hash `marks`.
_BODY = f"""
local function body(member, bv)
  if ARGV[bv] == '' then return 'null' end
  local b = redis.call('HMGET', ARGV[bv + 1] .. member .. ARGV[bv + 2], 'v', 'b')
  if b[1] ~= ARGV[bv] or not b[2] then return 'null' end
  return b[2]
end
local function append_entries(out, flat, marks, bv)
  for i = 1, #flat, 2 do
    if flat[i] ~= '{keys.SENTINEL}' then
      out[#out + 1] = ',' .. flat[i] .. ',' .. (redis.call('HGET', marks, flat[i]) or '0') .. ','
        .. flat[i + 1] .. ',' .. body(flat[i], bv)
    end
  end
end
"""

# Shared by the two viewer-side reads: the header {count, #sources, sources..., #hidden,
# hidden..., #excluded, excluded...}, then (id, mark or "", score, body or "") per entry.
# ARGV[1] "partial" reads a feed without its sentinel too (tests inspecting Redis); the
# body arguments (version, key prefix, suffix) follow the script's own.
_HEADER = (
    _BODY
    + f"""
local feed, rp, src, hide, excl = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
if ARGV[1] ~= 'partial' and not redis.call('ZSCORE', feed, '{keys.SENTINEL}') then return false end
local sources = redis.call('SMEMBERS', src)
local out = {{'[' .. (redis.call('ZCARD', feed) - 1) .. ',' .. #sources}}
for _, s in ipairs(sources) do out[#out + 1] = ',' .. s end
local lists = {{}}
for _, name in ipairs({{hide, excl}}) do
  local members = {{}}
  if #sources > 0 then members = redis.call('SMEMBERS', name) end
  lists[name] = members
  out[#out + 1] = ',' .. #members
  for _, m in ipairs(members) do out[#out + 1] = ',"' .. m .. '"' end
end
local function emit(flat, bv) append_entries(out, flat, rp, bv) end
"""
)

# A source list's part of a page (SOURCE_READ, or FEED_PAGE on a single Redis): the list's
# entries `flat` (id, score, ...) as {count, not-for-this-viewer count, id, author or "", score,
# body or "", ...}. `skip`: the viewer, their sources and excluded users (a repost of their
# tweets is not for the viewer); `hidden`: this list's "tweet:score" entries hidden for the
# viewer. The second number makes the merged count exact.
_SOURCE = """
local function source_top(src, stop, floor)
  if floor == '' then return redis.call('ZREVRANGE', src, 0, stop, 'WITHSCORES') end
  return redis.call('ZREVRANGEBYSCORE', src, '+inf', floor, 'WITHSCORES', 'LIMIT', 0, tonumber(stop) + 1)
end
local function source_page(src, rp, flat, skip, hidden, bv)
  local excluded, counted = 0, {}
  local marks = redis.call('HGETALL', rp)
  for j = 1, #marks, 2 do
    if skip[marks[j + 1]] and redis.call('ZSCORE', src, marks[j]) then
      excluded = excluded + 1
      counted[marks[j]] = true
    end
  end
  for _, entry in ipairs(hidden) do
    local tweet, score = string.match(entry, '^(%d+):(%d+)$')
    if tweet and not counted[tweet] then
      local current = redis.call('ZSCORE', src, tweet)
      if current and tonumber(current) == tonumber(score) then
        excluded = excluded + 1
        counted[tweet] = true
      end
    end
  end
  local out = {'[' .. (redis.call('ZCARD', src) - 1) .. ',' .. excluded}
  append_entries(out, flat, rp, bv)
  out[#out + 1] = ']'
  return table.concat(out)
end
"""

# KEYS: feed, reposts, sources, hidden, excluded. ARGV: "partial" or "", start, stop (ranks),
# body version (or ""), prefix, suffix; then "1" to read the sources' lists in this call too
# (a single Redis, where every key is on the one server; a cluster reads them by
# SOURCE_READ, one call per list's slot) with the viewer's id and the source list keys'
# prefix, suffix and reposts suffix. With sources, the page is merged in Python, so ranks
# 0..stop are returned. False when the feed is not complete; the header array, or with "1"
# and sources, an array of the header array followed by [source, its page (source_page) or
# false for a list to rebuild] per source.
FEED_PAGE = (
    _HEADER
    + _SOURCE
    + f"""
local start = ARGV[2]
if #sources > 0 then start = 0 end
local flat = redis.call('ZREVRANGE', feed, start, ARGV[3], 'WITHSCORES')
emit(flat, 4)
out[#out + 1] = ']'
if ARGV[7] ~= '1' or #sources == 0 then return table.concat(out) end
-- Source entries older than the feed's own last entry of the page cannot make it (the
-- same rule as read_page's for SOURCE_READ).
local floor = ''
local stop = tonumber(ARGV[3])
if #flat == 2 * (stop + 1) and flat[#flat - 1] ~= '{keys.SENTINEL}' then floor = flat[#flat] end
local skip = {{[ARGV[8]] = true}}
for _, s in ipairs(sources) do skip[s] = true end
for _, e in ipairs(lists[excl]) do skip[e] = true end
local hidden_of = {{}}
for _, m in ipairs(lists[hide]) do
  local tweet, s, score = string.match(m, '^(%d+):(%d+):(%d+)$')
  if tweet then
    hidden_of[s] = hidden_of[s] or {{}}
    table.insert(hidden_of[s], tweet .. ':' .. score)
  end
end
local reply = {{'[' .. table.concat(out)}}
for _, s in ipairs(sources) do
  local list, marks = ARGV[9] .. s .. ARGV[10], ARGV[9] .. s .. ARGV[11]
  if redis.call('ZSCORE', list, '{keys.SENTINEL}') then
    local page = source_page(list, marks, source_top(list, stop, floor), skip, hidden_of[s] or {{}}, 4)
    reply[#reply + 1] = ',[' .. s .. ',' .. page .. ']'
  else
    reply[#reply + 1] = ',[' .. s .. ',false]'
  end
end
reply[#reply + 1] = ']'
return table.concat(reply)
"""
)

# KEYS as FEED_PAGE. ARGV: "", upper, lower (ZRANGEBYSCORE syntax), count, "1" for oldest
# first, body version (or ""), prefix, suffix.
FEED_WINDOW = (
    _HEADER
    + """
if ARGV[5] == '1' then
  emit(redis.call('ZRANGEBYSCORE', feed, ARGV[3], ARGV[2], 'WITHSCORES', 'LIMIT', 0, ARGV[4]), 6)
else
  emit(redis.call('ZREVRANGEBYSCORE', feed, ARGV[2], ARGV[3], 'WITHSCORES', 'LIMIT', 0, ARGV[4]), 6)
end
out[#out + 1] = ']'
return table.concat(out)
"""
)

# KEYS: source list, its reposts hash. ARGV: body version (or ""), prefix, suffix, then mode
# ("rank" or "window"), then for rank: stop, floor (a score: only entries at or above it, the
# others cannot make the page; "" for all); for window: upper, lower, count, oldest-first
# flag; then the viewer's id and skipped authors count k, k ids (sources, excluded users),
# then the hidden "tweet:score" entries of this source.
# Returns false for a list without its sentinel (rebuild it), else source_page's reply.
SOURCE_READ = (
    _BODY
    + _SOURCE
    + f"""
local src, rp = KEYS[1], KEYS[2]
if not redis.call('ZSCORE', src, '{keys.SENTINEL}') then return false end
local i, flat
if ARGV[4] == 'rank' then
  flat = source_top(src, ARGV[5], ARGV[6])
  i = 7
else
  if ARGV[8] == '1' then
    flat = redis.call('ZRANGEBYSCORE', src, ARGV[6], ARGV[5], 'WITHSCORES', 'LIMIT', 0, ARGV[7])
  else
    flat = redis.call('ZREVRANGEBYSCORE', src, ARGV[5], ARGV[6], 'WITHSCORES', 'LIMIT', 0, ARGV[7])
  end
  i = 9
end
local skip = {{[ARGV[i]] = true}}
local k = tonumber(ARGV[i + 1])
for j = i + 2, i + 1 + k do skip[ARGV[j]] = true end
local hidden = {{}}
for j = i + 2 + k, #ARGV do hidden[#hidden + 1] = ARGV[j] end
return source_page(src, rp, flat, skip, hidden, 1)
"""
)

# KEYS: source list, reposts. ARGV: tweet id, "1" to remove only a repost entry.
# Returns the removed entry's score, or false.
SOURCE_REMOVE = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return false end
if ARGV[2] == '1' and not redis.call('HEXISTS', KEYS[2], ARGV[1]) then return false end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return score
"""

# KEYS: feed, reposts, sources. ARGV: the followed merged author, then their tweet ids.
# Only for a complete feed: adds the source and drops the entries other reposts brought
# in for those tweets (the author's list now shows them by their own right). Returns -1
# for a feed not built, else the number of entries dropped.
ADD_SOURCE = f"""
local feed, rp, src = KEYS[1], KEYS[2], KEYS[3]
if not redis.call('ZSCORE', feed, '{keys.SENTINEL}') then return -1 end
redis.call('SADD', src, ARGV[1])
local n = 0
for i = 2, #ARGV do
  if redis.call('HEXISTS', rp, ARGV[i]) == 1 then
    n = n + redis.call('ZREM', feed, ARGV[i])
    redis.call('HDEL', rp, ARGV[i])
  end
end
return n
"""

# KEYS: one feed's sources key. ARGV: a merged author. (A batch over many feeds' slots.)
ADD_ONE_SOURCE = "return redis.call('SADD', KEYS[1], ARGV[1])"

# KEYS: hidden, excluded, sources (one feed). ARGV: #hidden, hidden..., excluded...
# Replaces the hidden and excluded sets and drops excluded users from the sources.
REFRESH = """
redis.call('DEL', KEYS[1], KEYS[2])
local n = tonumber(ARGV[1])
for i = 2, n + 1 do redis.call('SADD', KEYS[1], ARGV[i]) end
for i = n + 2, #ARGV do
  redis.call('SADD', KEYS[2], ARGV[i])
  redis.call('SREM', KEYS[3], ARGV[i])
end
return 1
"""

for _name, _source in {
    "merged_feed_page": FEED_PAGE,
    "merged_feed_window": FEED_WINDOW,
    "merged_source_read": SOURCE_READ,
    "merged_source_remove": SOURCE_REMOVE,
    "merged_add_source": ADD_SOURCE,
    "merged_add_one_source": ADD_ONE_SOURCE,
    "merged_refresh": REFRESH,
}.items():
    store.register(_name, _source)


def _run(name: str, client: Any, key_names: list[str], args: Sequence[Any]) -> Any:
    """A script of this module on keys of one slot (store.run: reloaded after a flush)."""
    return store.run(f"merged_{name}", client, key_names, args)


def _max_length() -> int:
    return settings.FEED_MAX_LENGTH


def follower_limit() -> int:
    return settings.FANOUT_FOLLOWER_LIMIT


def _viewer_keys(user_id: int) -> list[str]:
    return [
        keys.feed_key(user_id),
        keys.reposts_key(user_id),
        keys.sources_key(user_id),
        keys.hidden_key(user_id),
        keys.excluded_key(user_id),
    ]


def _source_keys(author_id: int) -> list[str]:
    return [keys.source_key(author_id), keys.source_reposts_key(author_id)]


def _hidden_member(tweet_id: int, source: int, score: int) -> str:
    return f"{tweet_id}:{source}:{score}"


# --- reads -----------------------------------------------------------------------


class _Header(NamedTuple):
    total: int
    sources: list[int]
    hidden: set[str]
    excluded: set[int]
    entries: list[Entry]
    blobs: dict[int, list]


class MergedPage(NamedTuple):
    """A page of the merged feed: its length, its entries, and the cached tweet bodies the
    read brought (decoded JSON; misses absent), or None when they were not asked for (a
    cluster: feed.selectors.hydrate fetches them)."""

    length: int
    entries: list[Entry]
    blobs: dict[int, list] | None


def _body_args(client: Any) -> list[EncodableT]:
    """Ask the scripts for the cached bodies on a single Redis only (on a cluster the body
    keys are on other slots than the feed and the lists)."""
    return ["", "", ""] if store.is_cluster(client) else list(objects.body_args())


def _decode(reply: Any) -> list[Any]:
    """The scripts' replies are ONE JSON text (ids, marks, scores, bodies spliced in as they
    are): the client parses one string instead of hundreds of RESP items."""
    return fastjson.loads(reply)


def _parse_header(raw: Any) -> _Header:
    return _header_from(_decode(raw))


def _header_from(reply: list[Any]) -> _Header:
    count, n_sources = int(reply[0]), int(reply[1])
    sources = [int(s) for s in reply[2 : 2 + n_sources]]
    at = 2 + n_sources
    n_hidden = int(reply[at])
    hidden = set(reply[at + 1 : at + 1 + n_hidden])
    at += 1 + n_hidden
    n_excluded = int(reply[at])
    excluded = {int(x) for x in reply[at + 1 : at + 1 + n_excluded]}
    flat = reply[at + 1 + n_excluded :]
    entries = []
    blobs: dict[int, list] = {}
    for i in range(0, len(flat), 4):
        tweet_id = flat[i]
        entries.append(Entry(tweet_id, flat[i + 1] or None, int(flat[i + 2]), None))
        if flat[i + 3] is not None:
            blobs[tweet_id] = flat[i + 3]
    return _Header(count, sources, hidden, excluded, entries, blobs)


_SOURCE_KEY_PARTS = [keys.SOURCE_KEY_PREFIX, keys.SOURCE_KEY_SUFFIX, keys.SOURCE_REPOSTS_KEY_SUFFIX]


def _parse_page(raw: Any) -> tuple[_Header, dict[int, "_SourcePage"]]:
    """FEED_PAGE's reply: the header, and the pages of the source lists it read (a single
    Redis, when the viewer has sources: the header is then the reply's first element); a
    list it found missing has none."""
    reply = _decode(raw)
    if not reply or not isinstance(reply[0], list):
        return _header_from(reply), {}
    pages = {int(source): _source_page_from(data) for source, data in reply[1:] if data is not False}
    return _header_from(reply[0]), pages


def _source_args(viewer_id: int, header: "_Header", source: int) -> list[EncodableT]:
    """The viewer part of SOURCE_READ's ARGV: who the viewer is, the authors whose tweets a
    repost must not bring (sources, excluded users), and their hidden entries of this
    source ("tweet:score")."""
    prefix_len = len(str(source)) + 1
    mine = []
    for member in header.hidden:
        tweet, _, rest = member.partition(":")
        if rest[:prefix_len] == f"{source}:":
            mine.append(f"{tweet}:{rest[prefix_len:]}")
    skip = [*header.sources, *header.excluded]
    return [viewer_id, len(skip), *skip, *mine]


class _SourcePage(NamedTuple):
    total: int
    excluded: int
    entries: list[tuple[int, int | None, int]]  # tweet id, the tweet's author for a repost entry, score
    blobs: dict[int, list]


def _source_page_from(data: list[Any]) -> _SourcePage:
    flat = data[2:]
    entries = []
    blobs: dict[int, list] = {}
    for i in range(0, len(flat), 4):
        tweet_id = flat[i]
        entries.append((tweet_id, flat[i + 1] or None, int(flat[i + 2])))
        if flat[i + 3] is not None:
            blobs[tweet_id] = flat[i + 3]
    return _SourcePage(int(data[0]), int(data[1]), entries, blobs)


def _read_sources(
    client: Redis,
    viewer_id: int,
    header: _Header,
    window: list[EncodableT],
    with_bodies: bool = True,
    only: list[int] | None = None,
) -> dict[int, _SourcePage]:
    """Each source list's part of the page (or of the `only` ones), in one pipeline (one round
    trip per node); a list Redis lost is rebuilt from PostgreSQL and read again."""
    pages: dict[int, _SourcePage] = {}
    wanted = list(header.sources if only is None else only)
    bodies = _body_args(client) if with_bodies else ["", "", ""]
    for attempt in range(2):
        calls = [
            (_source_keys(source), [*bodies, *window, *_source_args(viewer_id, header, source)]) for source in wanted
        ]
        replies = store.run_each("merged_source_read", client, calls)
        missing = []
        for source, reply in zip(wanted, replies, strict=True):
            if reply is None:
                missing.append(source)
                continue
            try:
                data = _decode(reply)
            except ValueError:  # a damaged cached body: this list again without bodies
                if not bodies[0]:
                    raise
                logger.warning("feed: unreadable source list %s with bodies; reading without", source)
                return _read_sources(client, viewer_id, header, window, with_bodies=False, only=only)
            pages[source] = _source_page_from(data)
        if not missing or attempt == 1:
            break
        for source in missing:
            rebuild_source(source)
        wanted = missing
    return pages


def _better(new: Entry, old: Entry) -> bool:
    """Which of two entries of one tweet the feed shows: its own entry beats a repost entry
    (the viewer follows its author), else the newest repost (then the higher reposter id)."""
    if (new.reposter_id is None) != (old.reposter_id is None):
        return new.reposter_id is None
    return (new.score, new.reposter_id or 0) > (old.score, old.reposter_id or 0)


class _Merged(NamedTuple):
    entries: list[Entry]
    duplicates: int
    # Sources' repost entries of tweets the viewer sees by their own right (they follow the
    # author): never shown while that holds, so hidden for them to keep the count exact.
    overruled: list[Entry]


def _merge(viewer_id: int, header: _Header, pages: dict[int, _SourcePage]) -> _Merged:
    """The feed's and the sources' entries merged newest first, one per tweet, without the
    entries not for this viewer."""
    # A repost never brings a tweet by a followed (merged) author or the viewer, nor by
    # someone the viewer blocks, is blocked by or mutes.
    skip = {*header.sources, *header.excluded, viewer_id}
    best: dict[int, Entry] = {}
    overruled: list[Entry] = []
    considered = 0

    def consider(entry: Entry) -> None:
        nonlocal considered
        considered += 1
        current = best.get(entry.tweet_id)
        if current is None:
            best[entry.tweet_id] = entry
            return
        winner, loser = (entry, current) if _better(entry, current) else (current, entry)
        best[entry.tweet_id] = winner
        if winner.reposter_id is None and loser.reposter_id is not None and loser.source is not None:
            overruled.append(loser)

    for entry in header.entries:
        consider(entry)
    for source, page in pages.items():
        for tweet_id, author, score in page.entries:
            if header.hidden and _hidden_member(tweet_id, source, score) in header.hidden:
                continue
            if author is None:
                consider(Entry(tweet_id, None, score, source))
            elif author not in skip:
                consider(Entry(tweet_id, source, score, source))
    ordered = sorted(best.values(), key=lambda e: (e.score, str(e.tweet_id)), reverse=True)
    return _Merged(ordered, considered - len(best), overruled)


def read_page(*, user_id: int, limit: int, offset: int, partial: bool = False) -> MergedPage | None:
    """(count, entries) of a page of the viewer's feed merged with their sources' lists.

    One round trip when the viewer follows no merged author or on a single Redis (FEED_PAGE
    reads the sources' lists too), two on a cluster (one per node for the lists). None when the
    feed is missing (the caller rebuilds it). Raises RedisError when Redis cannot answer.
    The count is exact except for a tweet held by two lists (reposted by two followed
    accounts, or by an author since they crossed the limit) beyond the page, counted twice.
    `partial`: read a feed without its sentinel as it is (for tests that inspect Redis).
    """
    client = store.connection()
    bodies = _body_args(client)
    stop = offset + limit - 1
    # On a single Redis the sources' lists are read by the same call (FEED_PAGE's "1").
    fused = [] if store.is_cluster(client) else ["1", user_id, *_SOURCE_KEY_PARTS]
    args = ["partial" if partial else "", offset, stop]
    reply = _run("feed_page", client, _viewer_keys(user_id), [*args, *bodies, *fused])
    if reply is None:
        return None
    try:
        header, pages = _parse_page(reply)
    except ValueError:  # a damaged cached body: read without bodies (hydrate fetches them, a miss)
        logger.warning("feed: unreadable merged page of user %s with bodies; reading without", user_id)
        bodies = ["", "", ""]
        reply = _run("feed_page", client, _viewer_keys(user_id), [*args, *bodies, *fused])
        if reply is None:
            return None
        header, pages = _parse_page(reply)
    blobs = header.blobs if bodies[0] else None
    if not header.sources:
        return MergedPage(header.total, header.entries, blobs)
    missing = [source for source in header.sources if source not in pages]
    if missing:  # a cluster, or lists Redis lost (rebuilt by _read_sources)
        # Only source entries that can reach the page: one older than the feed's own (stop+1)-th
        # entry is outranked by the feed's first stop+1 (distinct tweets; the feed never holds a
        # repost of a merged followee's tweet, so no older own entry can overrule one of them).
        floor = header.entries[stop].score if len(header.entries) > stop else ""
        window: list[EncodableT] = ["rank", stop, floor]
        pages |= _read_sources(client, user_id, header, window, with_bodies=bool(bodies[0]), only=missing)
    merged = _merge(user_id, header, pages)
    if merged.overruled:
        hide_entries(user_id=user_id, entries=merged.overruled)
    total = header.total + sum(page.total - page.excluded for page in pages.values()) - merged.duplicates
    max_length = _max_length()
    if blobs is not None:
        for page in pages.values():
            blobs.update(page.blobs)
    return MergedPage(min(total, max_length), merged.entries[offset : min(offset + limit, max_length)], blobs)


def read_window(*, user_id: int, upper: str, lower: str, count: int, oldest_first: bool) -> list[Entry] | None:
    """Up to `count` entries with lower < score < upper (ZRANGEBYSCORE bounds), newest first
    or oldest first, from the feed and the sources' lists; None when the feed is missing."""
    client = store.connection()
    window: list[EncodableT] = [upper, lower, count, "1" if oldest_first else "0"]
    reply = _run("feed_window", client, _viewer_keys(user_id), ["", *window, "", "", ""])
    if reply is None:
        return None
    header = _parse_header(reply)
    if not header.sources:
        return header.entries
    pages = _read_sources(client, user_id, header, ["window", *window], with_bodies=False)
    entries = _merge(user_id, header, pages).entries
    if oldest_first:
        entries.reverse()
    return entries[:count]


def hide_entries(*, user_id: int, entries: Iterable[Entry]) -> None:
    """Remember source-list entries a read found this viewer cannot see (excluded author or
    reposter, the tweet's author followed, gone): shared lists are not edited for one
    viewer. Cleared whenever the viewer's follows, blocks or mutes change; best effort."""
    members = [_hidden_member(e.tweet_id, e.source, e.score) for e in entries if e.source is not None]
    if not members:
        return
    try:
        store.connection().sadd(keys.hidden_key(user_id), *members)
    except store.REDIS_ERRORS as exc:
        logger.warning("feed: could not hide stale source entries for user %s: %s", user_id, exc)


# --- writes: source lists ----------------------------------------------------------


def record(client: Redis, *, user_id: int, tweet_id: int, score: int, author_id: int | None = None) -> None:
    """Put a tweet (author_id None) or a repost of `author_id`'s tweet into `user_id`'s source
    list: an own entry beats a repost entry, a newer repost moves it up (feed rules). Every
    author has one, whatever their size, so crossing the follower limit needs no rebuild."""
    args: list[object] = [_max_length(), "1", tweet_id, score, author_id or ""]
    if int(store.run("merge", client, _source_keys(user_id), args)) < 0:
        # No list yet (a new author, or Redis lost it): built whole from PostgreSQL, which
        # has this entry committed already.
        rebuild_source(user_id)


def unrecord(client: Redis, *, user_id: int, tweet_id: int, only_repost: bool = False) -> int | None:
    """Take a tweet out of `user_id`'s source list; returns the entry's score, if it was there."""
    score = _run("source_remove", client, _source_keys(user_id), [tweet_id, "1" if only_repost else "0"])
    return None if score is None else int(float(score))


_SOURCE_SQL = """
SELECT tweet_id, at, author_id FROM (
    (SELECT t.id AS tweet_id, t.created_at AS at, NULL::bigint AS author_id
     FROM {tweet} t WHERE t.author_id = %(user_id)s AND t.hidden_at IS NULL
     ORDER BY t.created_at DESC LIMIT %(n)s)
    UNION ALL
    (SELECT r.tweet_id, r.created_at, t.author_id
     FROM (SELECT tweet_id, created_at FROM {repost} WHERE user_id = %(user_id)s
           ORDER BY created_at DESC LIMIT %(n)s) r
     JOIN {tweet} t ON t.id = r.tweet_id AND t.hidden_at IS NULL AND t.author_id <> %(user_id)s
     JOIN {user} au ON au.id = t.author_id AND au.is_active)
) e
WHERE EXISTS (SELECT 1 FROM {user} WHERE id = %(user_id)s AND is_active)
ORDER BY at DESC, tweet_id DESC
LIMIT %(n)s
""".format(**TABLES)


def rebuild_source(user_id: int) -> int:
    """Rebuild one source list from PostgreSQL and replace it atomically (WATCH: a write
    landing meanwhile restarts it); returns its length."""
    client = store.connection()
    list_key, reposts_key = _source_keys(user_id)
    for attempt in range(5):
        with client.pipeline(transaction=True) as pipe:
            try:
                if attempt < 4:
                    pipe.watch(list_key, reposts_key)
                with db.cursor() as cursor:
                    cursor.execute(_SOURCE_SQL, {"user_id": user_id, "n": _max_length()})
                    rows = cursor.fetchall()
                pipe.multi()
                pipe.delete(list_key, reposts_key)
                members: dict[str, int] = {keys.SENTINEL: keys.SENTINEL_SCORE}
                members.update((str(tweet_id), keys.score(at)) for tweet_id, at, _ in rows)
                pipe.zadd(list_key, members)
                marks: dict[EncodableT, EncodableT] = {str(t): a for t, _, a in rows if a is not None}
                if marks:
                    pipe.hset(reposts_key, mapping=marks)
                pipe.execute()
                return len(rows)
            except WatchError:
                logger.info("feed: source list of user %s changed during its rebuild; retrying", user_id)
    raise AssertionError("unreachable: the last attempt does not watch")


def drop_sources(user_ids: Iterable[int]) -> int:
    """Forget source lists (each is rebuilt on its next read); used on suspend/unsuspend."""
    key_names = [name for user_id in dict.fromkeys(user_ids) for name in _source_keys(user_id)]
    return store.connection().delete(*key_names) if key_names else 0


# --- writes: who is merged -----------------------------------------------------------


def is_merged(*, user_id: int, num_followers: int, since: int | None) -> bool:
    """Decide for one new entry whether `user_id` is merged (True: write only their own feed
    and source list) or fanned out, recording a crossing of FANOUT_FOLLOWER_LIMIT.

    `since` is the user's MergedAuthor.since (None: not merged so far), read with the entry.
    """
    if num_followers > follower_limit():
        if since is None:
            _become_merged(user_id)
        return True
    if since is not None:
        # Downward: fanned out from now on. Followers keep the author as a source until
        # their feed is next rebuilt (a read drops the duplicate entries), so no merged
        # entry vanishes.
        _no_longer_merged(user_id)
    return False


def _no_longer_merged(user_id: int) -> None:
    """The downward crossing: forget the row, and say so (streams stop listening to the author)."""
    deleted, _ = MergedAuthor.objects.filter(pk=user_id).delete()
    if deleted:
        signals.merged_changed.send(sender=MergedAuthor, user_id=user_id, merged=False)


def _become_merged(user_id: int) -> None:
    """The upward crossing: record it, then add the author to each follower's sources (one
    batch write, once). Recorded first, so a feed rebuilt meanwhile has the source too."""
    with db.cursor() as cursor:
        cursor.execute(
            "INSERT INTO {merged} (user_id, since) VALUES (%s, %s) ON CONFLICT DO NOTHING RETURNING 1".format(
                **TABLES_M
            ),
            [user_id, keys.score(timezone.now())],
        )
        if cursor.fetchone() is None:
            return  # another fan-out did it
    signals.merged_changed.send(sender=MergedAuthor, user_id=user_id, merged=True)
    kept = kept_from([user_id])
    client = store.connection()
    followers = (uid for uid in follower_ids(user_id=user_id) if uid not in kept)
    while batch := list(islice(followers, 1000)):
        # One pipeline per batch (one round trip per node on a cluster).
        store.run_each("merged_add_one_source", client, [([keys.sources_key(f)], [user_id]) for f in batch])


def fanned_out_again(user_id: int) -> None:
    """A chunked fan-out (below the follower limit): the author is not merged any more."""
    _no_longer_merged(user_id)


def reaches_followers(*, user_id: int, score: int | None) -> bool:
    """Whether an entry of `user_id` (removed from their source list with this score) may
    be in followers' feeds: yes unless the user is merged and the entry is newer than that."""
    since = MergedAuthor.objects.filter(pk=user_id).values_list("since", flat=True).first()
    return since is None or score is None or score < since


# --- writes: a viewer's sources --------------------------------------------------------


def add_source(*, follower_id: int, followee_id: int, tweet_ids: list[int]) -> int:
    """After following a merged author: add them to the follower's sources (built feeds
    only) and drop repost entries of their tweets, now shown as the author's own."""
    client = store.connection()
    key_names = [keys.feed_key(follower_id), keys.reposts_key(follower_id), keys.sources_key(follower_id)]
    result = int(_run("add_source", client, key_names, [followee_id, *tweet_ids]))
    if result >= 0:
        refresh_hidden(follower_id)
    return max(result, 0)


def remove_source(*, follower_id: int, followee_id: int) -> bool:
    """After an unfollow: the author is no source of this feed any more."""
    return bool(store.connection().srem(keys.sources_key(follower_id), followee_id))


def has_sources(user_id: int) -> bool:
    return bool(store.connection().scard(keys.sources_key(user_id)))


_SOURCES_SQL = (
    "WITH "
    + excluded_cte("user_id")
    + """
SELECT f.followee_id FROM {follow} f
JOIN {merged} m ON m.user_id = f.followee_id
JOIN {user} u ON u.id = f.followee_id AND u.is_active
WHERE f.follower_id = %(user_id)s AND f.followee_id NOT IN (SELECT uid FROM excluded)
"""
).format(**TABLES_M)

# The sources' newest reposts this viewer must not see: of their own tweets or a followed
# account's (pull.py's rule), or of a tweet by someone blocked either way or muted.
_HIDDEN_SQL = (
    "WITH "
    + excluded_cte("user_id")
    + """
SELECT r.tweet_id, r.user_id, r.created_at
FROM unnest(%(sources)s::bigint[]) AS s(uid) CROSS JOIN LATERAL (
    SELECT tweet_id, user_id, created_at FROM {repost} WHERE user_id = s.uid
    ORDER BY created_at DESC LIMIT %(n)s
) r
JOIN {tweet} t ON t.id = r.tweet_id
WHERE t.author_id = %(user_id)s OR t.author_id IN (SELECT uid FROM excluded)
   OR t.author_id IN (SELECT followee_id FROM {follow} WHERE follower_id = %(user_id)s)
"""
).format(**TABLES)


def sources_of(user_id: int) -> list[int]:
    """The followees merged into this user's feed: merged, active, not excluded (for a rebuild)."""
    with db.cursor() as cursor:
        cursor.execute(_SOURCES_SQL, {"user_id": user_id})
        return [row[0] for row in cursor.fetchall()]


def hidden_of(user_id: int, sources: list[int]) -> list[str]:
    """The hidden-set members of a feed with these sources (for a rebuild or a follow change)."""
    if not sources:
        return []
    with db.cursor() as cursor:
        cursor.execute(_HIDDEN_SQL, {"user_id": user_id, "sources": sources, "n": _max_length()})
        return [_hidden_member(t, s, keys.score(at)) for t, s, at in cursor.fetchall()]


def refresh_hidden(user_id: int) -> None:
    """After the viewer's follows changed: recompute their hidden source entries and
    excluded users, and drop excluded users from their sources (a block or mute drops the
    feed anyway; this covers one whose feed task has not run yet)."""
    from accounts.selectors import excluded_user_ids

    client = store.connection()
    excluded = excluded_user_ids(viewer_id=user_id)
    sources = [int(s) for s in client.smembers(keys.sources_key(user_id)) if int(s) not in excluded]
    members = hidden_of(user_id, sources)
    key_names = [keys.hidden_key(user_id), keys.excluded_key(user_id), keys.sources_key(user_id)]
    _run("refresh", client, key_names, [len(members), *members, *excluded])


def viewer_extra_keys(user_id: int) -> list[str]:
    """The keys a feed rebuild replaces besides the feed and its repost marks."""
    return [keys.sources_key(user_id), keys.hidden_key(user_id), keys.excluded_key(user_id)]


def write_rebuilt(pipe: Any, user_id: int, sources: list[int], hidden: list[str], excluded: set[int]) -> None:
    """The sources part of a feed rebuild, queued in its MULTI (the feed keys were deleted)."""
    if sources:
        pipe.sadd(keys.sources_key(user_id), *sources)
    if hidden:
        pipe.sadd(keys.hidden_key(user_id), *hidden)
    if excluded:
        pipe.sadd(keys.excluded_key(user_id), *excluded)
