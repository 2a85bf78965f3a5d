"""The feed computed from PostgreSQL (the pull model): the SQL both the read fallback and the
rebuild use, the entry shape they share, and who a user's content must not reach (blocks and
mutes, `kept_from`). Reads only; imported by selectors, services and merged alike.
"""

from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection as primary

from accounts.models import Block, Follow, Mute, User
from core.replicas import read_connection
from feed import keys
from tweets.models import Repost, Tweet


class FeedEntry(NamedTuple):
    """One feed entry: the tweet, when it entered (µs since epoch), who reposted it in."""

    tweet_id: int
    score: int
    reposter_id: int | None


# Table names for the feed app's raw SQL (here, selectors.hydrate and services).
TABLES = {
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


def excluded_cte(viewer_param: str) -> str:
    """The `excluded` CTE for the viewer given by the named query parameter `viewer_param`."""
    return _EXCLUDED_CTE.format(viewer=viewer_param)


# Who the user's feed draws from (followees and the user), then each source's newest
# tweets and reposts: a LATERAL top-N per source, each an index scan of
# ix_tweet_author_created / ix_repost_user_created that stops after N rows. A tweet is in
# the feed once: by its author if the user follows them (or is them), else by its
# latest repost among the sources (a new repost brings an old tweet back up). Blocked,
# blocking and muted users are no source, and their tweets come in through no repost.
_ENTRIES_CTE = (
    "WITH "
    + excluded_cte("user_id")
    + """, sources AS (
    SELECT f.followee_id AS uid FROM {follow} f WHERE f.follower_id = %(user_id)s
    UNION SELECT %(user_id)s::bigint
), active AS (
    SELECT s.uid FROM sources s JOIN {user} u ON u.id = s.uid
    WHERE u.is_active AND s.uid NOT IN (SELECT uid FROM excluded) AND s.uid <> ALL(%(skip)s::bigint[])
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
).format(**TABLES)

# Capped like a Redis feed; the inner LIMIT lets PostgreSQL stop early.
_COUNT_SQL = (
    _ENTRIES_CTE
    + """
SELECT count(*) FROM (
    SELECT 1 FROM own UNION ALL SELECT 1 FROM shared LIMIT %(per_source)s
) e
"""
).format(**TABLES)


def kept_from(user_ids: list[int]) -> set[int]:
    """Users whose feeds must not show content by any of `user_ids`: who mute them, block
    them or are blocked by them (one query on the block and mute indexes). Reads the
    primary: the fan-outs that use it run right after the commit that changed the graph."""
    sql = """
        SELECT user_id FROM {mute} WHERE target_id = ANY(%(ids)s)
        UNION SELECT user_id FROM {block} WHERE target_id = ANY(%(ids)s)
        UNION SELECT target_id FROM {block} WHERE user_id = ANY(%(ids)s)
    """.format(**TABLES)
    with primary.cursor() as cursor:
        cursor.execute(sql, {"ids": user_ids})
        return {row[0] for row in cursor.fetchall()}


def pull_feed_entries(
    *, user_id: int, limit: int, offset: int, skip_sources: list[int] | None = None
) -> list[FeedEntry]:
    """A page of `user_id`'s feed computed from PostgreSQL (the pull model), newest first.

    The feed holds at most FEED_MAX_LENGTH entries, as the Redis one does. `skip_sources`:
    followees whose tweets and reposts to leave out (merged at read time, feed.merged);
    they still count as followed (their tweets come in through no repost).
    """
    max_length = settings.FEED_MAX_LENGTH
    limit = min(limit, max_length - offset)
    if limit <= 0:
        return []
    params: dict[str, Any] = {
        "user_id": user_id,
        "per_source": offset + limit,
        "limit": limit,
        "offset": offset,
        "skip": skip_sources or [],
    }
    with read_connection(Tweet).cursor() as cursor:
        cursor.execute(_PAGE_SQL, params)
        return [FeedEntry(tweet_id, keys.score(at), reposter_id) for tweet_id, at, reposter_id in cursor.fetchall()]


def pull_feed_ids(*, user_id: int, limit: int, offset: int) -> list[int]:
    """The tweet ids of a page of the pulled feed (see `pull_feed_entries`)."""
    return [entry.tweet_id for entry in pull_feed_entries(user_id=user_id, limit=limit, offset=offset)]


def pull_feed_count(*, user_id: int) -> int:
    """How many entries `user_id`'s feed has, capped at FEED_MAX_LENGTH."""
    with read_connection(Tweet).cursor() as cursor:
        cursor.execute(_COUNT_SQL, {"user_id": user_id, "per_source": settings.FEED_MAX_LENGTH, "skip": []})
        return cursor.fetchone()[0]
