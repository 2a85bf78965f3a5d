"""The tweet-object cache: each tweet's immutable body in Redis, so a feed read needs no
body columns, mention or hashtag joins from PostgreSQL.

A body is what does not change once a tweet is posted: id, author id, content, created_at,
the ids of the users it mentions, its hashtags and its media (compact rows,
media.selectors.ROW_FIELDS, kept as their JSON text: decoded where they are rendered), in
order (`TweetBody`). Everything that does change (counters,
the viewer's liked/reposted flags, visibility, blocks and mutes, usernames, whether a
mentioned user is active, in_reply_to, which a parent's deletion sets to NULL, repost marks)
is read from PostgreSQL on every read (feed.selectors.hydrate). So a cached body is never
wrong, only absent: invalidation on delete and hide (`forget`) frees memory early,
correctness does not depend on it.

One part can change: a media's description (PATCH /api/media/{id}/). `invalidate` then
replaces the body with a tombstone for INVALID_SECONDS, and a body is only ever written
where there is no tombstone (feed/scripts/fill_body.lua): a read that loaded the old description from
PostgreSQL just before the change cannot put it back after it.

Layout (feed.keys.tweet_key): hash `chirp:tweet:{id}` with `v` = BODY_VERSION and `b` =
the body as compact JSON, expiring TWEET_CACHE_TTL seconds after it was written (a
tombstone has `v` = "x"). Filled when a tweet is posted (the feed's tweet_created receiver,
after commit) and on a miss.
On a single Redis the feed's read scripts return the bodies with the ids (one round trip,
feed.merged); on a cluster, or for ids from elsewhere, `tweet_bodies` fetches them with one
pipelined batch. Redis trouble is never an error here: the bodies come from PostgreSQL.
"""

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from django.conf import settings

from core import fastjson
from core.replicas import read_connection
from feed import keys, scripts, store
from media.models import Media
from media.selectors import ROW_FIELDS, MediaRows, rows_text
from tweets.models import Hashtag, Mention, Tweet, TweetHashtag, TweetMedia

logger = logging.getLogger(__name__)

# Bump when TweetBody's encoding changes: entries of another version count as misses.
BODY_VERSION = "3"
# A tombstone's version (never a BODY_VERSION) and how long it refuses fills: far longer
# than a read takes between loading a body from PostgreSQL and writing it here.
TOMBSTONE = "x"
INVALID_SECONDS = 60


class TweetBody(NamedTuple):
    """The part of a tweet that never changes after it is posted."""

    id: int
    author_id: int
    content: str
    created_at: datetime
    mention_ids: list[int]
    tags: list[str]
    media: MediaRows  # rows from PostgreSQL, their JSON text from the cache (media.selectors.rows_of)


def encode(body: TweetBody) -> bytes:
    """[author id, content, created_at in µs, mention ids, tags, the media rows' JSON text]: the
    id is in the key. The rows as one string: a feed read decodes one value, not 36 per tweet."""
    return fastjson.dumps(
        [body.author_id, body.content, keys.score(body.created_at), body.mention_ids, body.tags, rows_text(body.media)]
    )


def decode(tweet_id: int, blob: bytes) -> TweetBody:
    return from_fields(tweet_id, fastjson.loads(blob))


def from_fields(tweet_id: int, fields: list) -> TweetBody:
    """A body from its decoded JSON (what `encode` wrote)."""
    author_id, content, created_us, mention_ids, tags, media = fields
    return TweetBody(tweet_id, author_id, content, keys.from_score(created_us), mention_ids, tags, media)


def _ttl() -> int:
    return getattr(settings, "TWEET_CACHE_TTL", 3600)


# The bodies of many tweets in one statement (a cache miss): mentions, tags and media in order.
_MENTION, _TWEET_HASHTAG = Mention._meta.db_table, TweetHashtag._meta.db_table
_HASHTAG, _TWEET = Hashtag._meta.db_table, Tweet._meta.db_table
_TWEET_MEDIA, _MEDIA = TweetMedia._meta.db_table, Media._meta.db_table
_MEDIA_ROW = "json_build_array(" + ", ".join(f"md.{field}" for field in ROW_FIELDS) + ")"
_BODIES_SQL = f"""
SELECT t.id, t.author_id, t.content, t.created_at,
       ARRAY(SELECT m.user_id FROM {_MENTION} m WHERE m.tweet_id = t.id ORDER BY m.position),
       ARRAY(SELECT h.name FROM {_TWEET_HASHTAG} th JOIN {_HASHTAG} h ON h.id = th.hashtag_id
             WHERE th.tweet_id = t.id ORDER BY th.position),
       ARRAY(SELECT {_MEDIA_ROW} FROM {_TWEET_MEDIA} tm JOIN {_MEDIA} md ON md.id = tm.media_id
             WHERE tm.tweet_id = t.id ORDER BY tm.position)
FROM {_TWEET} t WHERE t.id = ANY(%s)
"""


def load_bodies(tweet_ids: list[int]) -> dict[int, TweetBody]:
    """Bodies from PostgreSQL (deleted ids are absent), whatever their visibility."""
    if not tweet_ids:
        return {}
    with read_connection(Tweet).cursor() as cursor:
        cursor.execute(_BODIES_SQL, [tweet_ids])
        return {
            tweet_id: TweetBody(tweet_id, author_id, content, created_at, list(mention_ids), list(tags), list(media))
            for tweet_id, author_id, content, created_at, mention_ids, tags, media in cursor.fetchall()
        }


def store_bodies(bodies: Iterable[TweetBody]) -> None:
    """Write bodies to the cache in one pipelined batch (fill_body.lua: never over a tombstone); best
    effort (a miss refills)."""
    bodies = list(bodies)
    if not bodies:
        return
    ttl = _ttl()
    try:
        calls = [scripts.FillBody(body.id, BODY_VERSION, encode(body), ttl, TOMBSTONE) for body in bodies]
        store.run_each(scripts.FILL_BODY, store.connection(), calls)
    except store.REDIS_ERRORS as exc:
        logger.warning("feed: could not cache %d tweet bodies: %s", len(bodies), exc)


def cached_blobs(tweet_ids: list[int]) -> dict[int, list]:
    """The cached bodies (decoded JSON) of these ids, in one pipelined HMGET batch (one
    round trip on a single Redis; one per node on a cluster). Missing ids are absent."""
    if not tweet_ids:
        return {}
    with store.connection().pipeline(transaction=False) as pipe:
        for tweet_id in tweet_ids:
            pipe.hmget(keys.tweet_key(tweet_id), "v", "b")
        replies = pipe.execute()
    found: dict[int, list] = {}
    for tweet_id, (version, blob) in zip(tweet_ids, replies, strict=True):
        if version is not None and version.decode() == BODY_VERSION and blob:
            try:
                found[tweet_id] = fastjson.loads(blob)
            except ValueError:
                logger.warning("feed: unreadable cached body of tweet %s: a miss", tweet_id)
    return found


def tweet_bodies(tweet_ids: list[int], *, blobs: dict[int, list] | None = None) -> dict[int, TweetBody]:
    """The bodies of any tweet ids: from the cache, misses from PostgreSQL (and cached then).

    `blobs`: what the caller already read from the cache for these ids (the feed's read
    script), decoded; ids absent from it are misses and are not looked up again. Without it the
    cache is asked in one pipelined batch. Deleted tweets are absent from the result.
    """
    if blobs is None:
        try:
            blobs = cached_blobs(tweet_ids)
        except store.REDIS_ERRORS as exc:
            logger.warning("feed: tweet cache unavailable (%s); bodies from PostgreSQL", exc)
            return load_bodies(list(dict.fromkeys(tweet_ids)))
    bodies = {tweet_id: from_fields(tweet_id, fields) for tweet_id, fields in blobs.items()}
    missing = [tweet_id for tweet_id in dict.fromkeys(tweet_ids) if tweet_id not in bodies]
    if missing:
        loaded = load_bodies(missing)
        store_bodies(loaded.values())
        bodies.update(loaded)
    return bodies


def cache_new_tweet(
    *,
    tweet_id: int,
    author_id: int,
    content: str,
    created_at: datetime,
    mention_ids: list[int],
    tags: list[str],
    media: list[list],
) -> None:
    """Cache a tweet just posted (after its commit), so its first reads are hits."""
    store_bodies([TweetBody(tweet_id, author_id, content, created_at, mention_ids, tags, media)])


def invalidate(tweet_ids: list[int]) -> None:
    """A body changed (a media's description): tombstones for INVALID_SECONDS, so reads go to
    PostgreSQL and no read in flight writes the old body back. Best effort, like `forget`;
    with Redis unreachable, reads do not use the cache either."""
    if not tweet_ids:
        return
    try:
        commands = []
        for tweet_id in tweet_ids:
            key = keys.tweet_key(tweet_id)
            commands += [("DEL", key), ("HSET", key, "v", TOMBSTONE), ("EXPIRE", key, INVALID_SECONDS)]
        store.execute_each(store.connection(), commands)
    except store.REDIS_ERRORS as exc:
        logger.warning("feed: could not invalidate cached tweets %s: %s", tweet_ids, exc)


def forget(tweet_ids: list[int]) -> None:
    """Drop cached bodies (a tweet deleted or hidden); best effort, they expire anyway."""
    if not tweet_ids:
        return
    try:
        client = store.connection()
        with client.pipeline(transaction=False) as pipe:
            for tweet_id in tweet_ids:  # one key per call: on a cluster each is its own slot
                pipe.delete(keys.tweet_key(tweet_id))
            pipe.execute()
    except store.REDIS_ERRORS as exc:
        logger.warning("feed: could not drop cached tweets %s: %s", tweet_ids, exc)
