"""The tweet-object cache: each tweet's immutable body in Redis, so a feed read needs no
body columns, mention or hashtag joins from PostgreSQL.

A body is what never changes once a tweet is posted: id, author id, content, created_at,
the ids of the users it mentions and its hashtags, in order (`TweetBody`). Everything
that does change (counters, the viewer's liked/reposted flags, visibility, blocks and
mutes, usernames, whether a mentioned user is active, in_reply_to, which a parent's
deletion sets to NULL, repost marks) is read from PostgreSQL on every read
(feed.selectors.hydrate). So a cached body can never be wrong, only absent: invalidation
on delete and hide (`forget`) frees memory early, correctness does not depend on it.

Layout (feed.keys.tweet_key): hash `chirp:tweet:{id}` with `v` = BODY_VERSION and `b` =
the body as compact JSON, expiring TWEET_CACHE_TTL seconds after it was written. Filled
when a tweet is posted (the feed's tweet_created receiver, after commit) and on a miss.
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
from feed import keys, store
from tweets.models import Hashtag, Mention, Tweet, TweetHashtag

logger = logging.getLogger(__name__)

# Bump when TweetBody's encoding changes: entries of another version count as misses.
BODY_VERSION = "1"


class TweetBody(NamedTuple):
    """The part of a tweet that never changes after it is posted."""

    id: int
    author_id: int
    content: str
    created_at: datetime
    mention_ids: list[int]
    tags: list[str]


def encode(body: TweetBody) -> bytes:
    """[author id, content, created_at in µs, mention ids, tags]: the id is in the key."""
    return fastjson.dumps([body.author_id, body.content, keys.score(body.created_at), body.mention_ids, body.tags])


def decode(tweet_id: int, blob: bytes) -> TweetBody:
    return from_fields(tweet_id, fastjson.loads(blob))


def from_fields(tweet_id: int, fields: list) -> TweetBody:
    """A body from its decoded JSON (what `encode` wrote)."""
    author_id, content, created_us, mention_ids, tags = fields
    return TweetBody(tweet_id, author_id, content, keys.from_score(created_us), mention_ids, tags)


def _ttl() -> int:
    return getattr(settings, "TWEET_CACHE_TTL", 3600)


# The bodies of many tweets in one statement (a cache miss): mentions and tags in order.
_MENTION, _TWEET_HASHTAG = Mention._meta.db_table, TweetHashtag._meta.db_table
_HASHTAG, _TWEET = Hashtag._meta.db_table, Tweet._meta.db_table
_BODIES_SQL = f"""
SELECT t.id, t.author_id, t.content, t.created_at,
       ARRAY(SELECT m.user_id FROM {_MENTION} m WHERE m.tweet_id = t.id ORDER BY m.position),
       ARRAY(SELECT h.name FROM {_TWEET_HASHTAG} th JOIN {_HASHTAG} h ON h.id = th.hashtag_id
             WHERE th.tweet_id = t.id ORDER BY th.position)
FROM {_TWEET} t WHERE t.id = ANY(%s)
"""


def load_bodies(tweet_ids: list[int]) -> dict[int, TweetBody]:
    """Bodies from PostgreSQL (deleted ids are absent), whatever their visibility."""
    if not tweet_ids:
        return {}
    with read_connection(Tweet).cursor() as cursor:
        cursor.execute(_BODIES_SQL, [tweet_ids])
        return {
            tweet_id: TweetBody(tweet_id, author_id, content, created_at, list(mention_ids), list(tags))
            for tweet_id, author_id, content, created_at, mention_ids, tags in cursor.fetchall()
        }


def store_bodies(bodies: Iterable[TweetBody]) -> None:
    """Write bodies to the cache in one pipelined batch; best effort (a miss refills)."""
    bodies = list(bodies)
    if not bodies:
        return
    ttl = _ttl()
    try:
        with store.connection().pipeline(transaction=False) as pipe:
            for body in bodies:
                key = keys.tweet_key(body.id)
                pipe.hset(key, mapping={"v": BODY_VERSION, "b": encode(body)})
                pipe.expire(key, ttl)
            pipe.execute()
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
    *, tweet_id: int, author_id: int, content: str, created_at: datetime, mention_ids: list[int], tags: list[str]
) -> None:
    """Cache a tweet just posted (after its commit), so its first reads are hits."""
    store_bodies([TweetBody(tweet_id, author_id, content, created_at, mention_ids, tags)])


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
