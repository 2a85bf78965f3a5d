"""Reads of the feed: a page of ids from Redis hydrated in one SQL query, or the same
page pulled from PostgreSQL when Redis cannot answer.
"""

import logging
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection as db
from django.utils import timezone
from redis.exceptions import RedisError

from accounts.models import Block, Follow, Mute, User
from feed import keys, store
from tweets.models import Hashtag, Like, Mention, Repost, Tweet, TweetHashtag

logger = logging.getLogger(__name__)


class FeedEntry(NamedTuple):
    """One feed entry: the tweet, when it entered (µs since epoch), who reposted it in."""

    tweet_id: int
    score: int
    reposter_id: int | None


class AuthorRow(NamedTuple):
    id: int
    username: str


class TweetRow(NamedTuple):
    """A hydrated tweet with the attributes tweet_to_dict reads; a plain tuple, not a model
    instance: Model.__init__ for 20 tweets and 20 authors was a quarter of a feed read."""

    pk: int
    author_id: int
    author: AuthorRow
    content: str
    created_at: datetime
    in_reply_to_id: int | None
    num_likes: int
    num_replies: int
    num_reposts: int
    liked: bool
    reposted: bool
    mention_list: list[dict]
    tag_list: list[str]


class FeedItem(NamedTuple):
    """A tweet with the viewer's flags and, for an entry a repost brought in, who and when."""

    tweet: TweetRow
    reposted_by: str | None
    reposted_at: datetime | None


_TABLES = {
    "follow": Follow._meta.db_table,
    "user": User._meta.db_table,
    "tweet": Tweet._meta.db_table,
    "repost": Repost._meta.db_table,
    "block": Block._meta.db_table,
    "mute": Mute._meta.db_table,
}

# Whose content a viewer's feed never shows: users the viewer blocks, users who block the
# viewer, users the viewer mutes (section 6). Three index-only scans (accounts_block_uniq,
# ix_block_target, accounts_mute_uniq); used as `NOT IN (SELECT uid FROM excluded)`, which
# PostgreSQL runs as one hashed subplan per statement, not a probe per row.
_EXCLUDED_CTE = """excluded AS (
    SELECT target_id AS uid FROM {{block}} WHERE user_id = %({viewer})s
    UNION ALL SELECT user_id FROM {{block}} WHERE target_id = %({viewer})s
    UNION ALL SELECT target_id FROM {{mute}} WHERE user_id = %({viewer})s
)"""


def _excluded_cte(viewer_param: str) -> str:
    return _EXCLUDED_CTE.format(viewer=viewer_param)


# Who the user's feed draws from (followees and the user), then each source's newest
# tweets and reposts: a LATERAL top-N per source, each an index scan of
# ix_tweet_author_created / ix_repost_user_created that stops after N rows. A tweet is in
# the feed once: by its author if the user follows them (or is them), else by its
# latest repost among the sources (a new repost brings an old tweet back up). Blocked,
# blocking and muted users are no source, and their tweets come in through no repost.
_ENTRIES_CTE = (
    "WITH "
    + _excluded_cte("user_id")
    + """, sources AS (
    SELECT f.followee_id AS uid FROM {follow} f WHERE f.follower_id = %(user_id)s
    UNION SELECT %(user_id)s::bigint
), active AS (
    SELECT s.uid FROM sources s JOIN {user} u ON u.id = s.uid
    WHERE u.is_active AND s.uid NOT IN (SELECT uid FROM excluded)
), own AS (
    SELECT t.id AS tweet_id, t.created_at AS at, NULL::bigint AS reposter_id
    FROM active a CROSS JOIN LATERAL (
        SELECT id, created_at FROM {tweet}
        WHERE author_id = a.uid AND hidden_at IS NULL
        ORDER BY created_at DESC LIMIT %(per_source)s
    ) t
), shared AS (
    SELECT DISTINCT ON (r.tweet_id) r.tweet_id, r.created_at AS at, r.user_id AS reposter_id
    FROM active a CROSS JOIN LATERAL (
        SELECT tweet_id, user_id, created_at FROM {repost}
        WHERE user_id = a.uid
        ORDER BY created_at DESC LIMIT %(per_source)s
    ) r
    JOIN {tweet} t ON t.id = r.tweet_id AND t.hidden_at IS NULL
    JOIN {user} au ON au.id = t.author_id AND au.is_active
    WHERE t.author_id NOT IN (SELECT uid FROM sources) AND t.author_id NOT IN (SELECT uid FROM excluded)
    ORDER BY r.tweet_id, r.created_at DESC, r.user_id DESC
)
"""
)

_PAGE_SQL = (
    _ENTRIES_CTE
    + """
SELECT tweet_id, at, reposter_id FROM (
    SELECT tweet_id, at, reposter_id FROM own
    UNION ALL
    SELECT tweet_id, at, reposter_id FROM shared
) e
ORDER BY at DESC, tweet_id DESC
LIMIT %(limit)s OFFSET %(offset)s
"""
).format(**_TABLES)

# Capped like a Redis feed; the inner LIMIT lets PostgreSQL stop early.
_COUNT_SQL = (
    _ENTRIES_CTE
    + """
SELECT count(*) FROM (
    SELECT 1 FROM own UNION ALL SELECT 1 FROM shared LIMIT %(per_source)s
) e
"""
).format(**_TABLES)


def pull_feed_entries(*, user_id: int, limit: int, offset: int) -> list[FeedEntry]:
    """A page of `user_id`'s feed computed from PostgreSQL (the pull model), newest first.

    The feed holds at most FEED_MAX_LENGTH entries, as the Redis one does.
    """
    max_length = settings.FEED_MAX_LENGTH
    limit = min(limit, max_length - offset)
    if limit <= 0:
        return []
    params = {"user_id": user_id, "per_source": offset + limit, "limit": limit, "offset": offset}
    with db.cursor() as cursor:
        cursor.execute(_PAGE_SQL, params)
        return [FeedEntry(tweet_id, keys.score(at), reposter_id) for tweet_id, at, reposter_id in cursor.fetchall()]


def pull_feed_ids(*, user_id: int, limit: int, offset: int) -> list[int]:
    """The tweet ids of a page of the pulled feed (see `pull_feed_entries`)."""
    return [entry.tweet_id for entry in pull_feed_entries(user_id=user_id, limit=limit, offset=offset)]


def pull_feed_count(*, user_id: int) -> int:
    """How many entries `user_id`'s feed has, capped at FEED_MAX_LENGTH."""
    with db.cursor() as cursor:
        cursor.execute(_COUNT_SQL, {"user_id": user_id, "per_source": settings.FEED_MAX_LENGTH})
        return cursor.fetchone()[0]


def feed_page(*, viewer: User, limit: int, offset: int) -> tuple[int, list[FeedItem]]:
    """A page of the viewer's home feed: (count, [(tweet, reposted_by username or None)]).

    One Redis round trip for the ids, their repost marks and the count; one SQL query to
    hydrate them. A feed missing from Redis is rebuilt first; when Redis is unreachable
    the page is pulled from PostgreSQL instead (slower, same tweets).
    """
    try:
        page = _redis_page(user_id=viewer.pk, limit=limit, offset=offset)
    except RedisError as exc:
        logger.warning("feed: Redis unavailable (%s); serving user %s's feed from PostgreSQL", exc, viewer.pk)
        page = None
    if page is None:
        count = pull_feed_count(user_id=viewer.pk)
        pulled = pull_feed_entries(user_id=viewer.pk, limit=limit, offset=offset)
        entries = [(entry.tweet_id, entry.reposter_id) for entry in pulled]
        items, _ = hydrate(entries=entries, viewer=viewer)
        return count, items
    count, entries = page
    items, stale = hydrate(entries=entries, viewer=viewer)
    if stale:
        _forget(user_id=viewer.pk, tweet_ids=stale)
    return count, items


def _redis_page(*, user_id: int, limit: int, offset: int) -> tuple[int, list[tuple[int, int | None]]] | None:
    client = store.connection()
    key_names = [keys.feed_key(user_id), keys.reposts_key(user_id)]
    reply = store.run("read", client, key_names, [offset, offset + limit - 1])
    if reply is None:
        from feed.services import rebuild_feed  # a read that heals: the feed was lost

        rebuild_feed(user_id)
        reply = store.run("read", client, key_names, [offset, offset + limit - 1])
        if reply is None:  # evicted again at once: do not loop
            return None
    count, flat = int(reply[0]), reply[1:]
    entries = [(int(flat[i]), int(flat[i + 1]) if flat[i + 1] else None) for i in range(0, len(flat), 2)]
    return count, entries


# The page's tweets, authors, the viewer's flags and, for repost entries, the reposter's
# name while that repost still exists: one statement, ids passed as arrays so its text never
# changes. Raw SQL because on this hot path the ORM spent more time compiling the query
# (Exists, Case/When per id) and building instances than PostgreSQL spent running it (bench/).
# Tweets by excluded users (blocks either way, mutes) have no row and repost entries by them
# no reposter: both come out stale, dropped from Redis like deleted ones.
_HYDRATE_SQL = (
    "WITH "
    + _excluded_cte("viewer")
    + """
SELECT t.id, t.author_id, u.username, t.content, t.created_at, t.in_reply_to_id,
       t.num_likes, t.num_replies, t.num_reposts,
       EXISTS (SELECT 1 FROM {like} l WHERE l.tweet_id = t.id AND l.user_id = %(viewer)s),
       EXISTS (SELECT 1 FROM {repost} r WHERE r.tweet_id = t.id AND r.user_id = %(viewer)s),
       rp.username, rp.created_at,
       ARRAY(SELECT json_build_object('id', m.user_id, 'username', mu.username)
             FROM {mention} m JOIN {user} mu ON mu.id = m.user_id AND mu.is_active
             WHERE m.tweet_id = t.id ORDER BY m.position),
       ARRAY(SELECT h.name FROM {tweethashtag} th JOIN {hashtag} h ON h.id = th.hashtag_id
             WHERE th.tweet_id = t.id ORDER BY th.position)
FROM unnest(%(ids)s::bigint[], %(reposters)s::bigint[]) AS e(tweet_id, reposter_id)
JOIN {tweet} t ON t.id = e.tweet_id AND t.hidden_at IS NULL AND t.author_id NOT IN (SELECT uid FROM excluded)
JOIN {user} u ON u.id = t.author_id AND u.is_active
LEFT JOIN LATERAL (
    SELECT ru.username, r2.created_at FROM {repost} r2 JOIN {user} ru ON ru.id = r2.user_id AND ru.is_active
    WHERE r2.tweet_id = t.id AND r2.user_id = e.reposter_id AND r2.user_id NOT IN (SELECT uid FROM excluded)
) rp ON e.reposter_id IS NOT NULL
"""
).format(
    like=Like._meta.db_table,
    mention=Mention._meta.db_table,
    tweethashtag=TweetHashtag._meta.db_table,
    hashtag=Hashtag._meta.db_table,
    **_TABLES,
)


def hydrate(*, entries: list[tuple[int, int | None]], viewer: User) -> tuple[list[FeedItem], list[int]]:
    """Tweets for (tweet id, reposter id) entries in one query, in the entries' order.

    Returns (items, stale ids): deleted or hidden tweets, suspended authors, authors the
    viewer blocks, is blocked by or mutes, and repost entries whose repost was undone (or
    whose reposter was suspended, blocked either way or muted) are stale. Tweets
    carry their author (id, username) and the viewer's `liked`/`reposted` flags, as
    tweets.selectors.tweet_queryset's do.
    """
    if not entries:
        return [], []
    params = {
        "viewer": viewer.pk,
        "ids": [tweet_id for tweet_id, _ in entries],
        "reposters": [reposter_id for _, reposter_id in entries],
    }
    with db.cursor() as cursor:
        cursor.execute(_HYDRATE_SQL, params)
        rows = cursor.fetchall()
    found: dict[int, FeedItem] = {}
    for row in rows:
        (
            tweet_id,
            author_id,
            username,
            content,
            created_at,
            reply_to,
            likes,
            replies,
            reposts,
            liked,
            reposted,
            by,
            reposted_at,
            mentions,
            tags,
        ) = row
        tweet = TweetRow(
            tweet_id,
            author_id,
            AuthorRow(author_id, username),
            content,
            created_at,
            reply_to,
            likes,
            replies,
            reposts,
            liked,
            reposted,
            mentions,
            tags,
        )
        found[tweet_id] = FeedItem(tweet, by, reposted_at)
    items: list[FeedItem] = []
    stale: list[int] = []
    for tweet_id, reposter_id in entries:
        hit = found.get(tweet_id)
        if hit is None or (reposter_id is not None and hit.reposted_by is None):
            stale.append(tweet_id)
        else:
            items.append(hit)
    return items, stale


def _forget(*, user_id: int, tweet_ids: list[int]) -> None:
    """Lazily drop entries that can no longer be shown; best effort."""
    try:
        client = store.connection()
        with client.pipeline(transaction=False) as pipe:
            pipe.zrem(keys.feed_key(user_id), *tweet_ids)
            pipe.hdel(keys.reposts_key(user_id), *tweet_ids)
            pipe.execute()
    except RedisError as exc:
        logger.warning("feed: could not drop stale entries of user %s: %s", user_id, exc)


def tweet_fanned_out(*, tweet_id: int) -> bool:
    """Whether there is nothing left to fan out: done already, or the tweet is gone."""
    return not Tweet.objects.filter(pk=tweet_id, fanned_out_at__isnull=True).exists()


def unfanned_tweet_ids(*, older_than: timedelta, limit: int = 500) -> list[int]:
    """Tweets whose fan-out never completed, oldest first (partial index ix_tweet_fanout_pending)."""
    cutoff = timezone.now() - older_than
    return list(
        Tweet.objects.filter(fanned_out_at__isnull=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
