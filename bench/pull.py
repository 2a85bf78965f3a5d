"""The pull baselines for the feed-read benchmark: "tweets whose author the viewer follows".

Both return one page of tweet ids, newest first; the caller hydrates them exactly as the feed
does (tweets.selectors.tweets_by_ids, one query). Neither computes a count, which only
flatters the baselines.
"""

from __future__ import annotations

from django.db import connection

# Top-N per followee: each followee contributes at most offset+limit of its newest tweets,
# read from ix_tweet_author_created (author_id, created_at DESC) by a LATERAL index scan that
# stops after N rows; then one small sort of at most (followees + 1) * N rows.
LATERAL_SQL = """
SELECT t.id FROM (
    SELECT followee_id AS author_id FROM accounts_follow WHERE follower_id = %(user)s
    UNION ALL SELECT %(user)s
) AS f
CROSS JOIN LATERAL (
    SELECT id, created_at FROM tweets_tweet
    WHERE author_id = f.author_id AND hidden_at IS NULL
    ORDER BY created_at DESC LIMIT %(depth)s
) AS t
ORDER BY t.created_at DESC, t.id DESC
LIMIT %(limit)s OFFSET %(offset)s
"""

# What most code does first: every tweet of every followee, sorted, then the page.
NAIVE_SQL = """
SELECT id FROM tweets_tweet
WHERE author_id IN (
    SELECT followee_id FROM accounts_follow WHERE follower_id = %(user)s
    UNION ALL SELECT %(user)s
) AND hidden_at IS NULL
ORDER BY created_at DESC, id DESC
LIMIT %(limit)s OFFSET %(offset)s
"""


def _ids(sql: str, *, user_id: int, limit: int, offset: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user_id, "limit": limit, "offset": offset, "depth": offset + limit})
        return [row[0] for row in cursor.fetchall()]


def lateral_ids(*, user_id: int, limit: int, offset: int) -> list[int]:
    return _ids(LATERAL_SQL, user_id=user_id, limit=limit, offset=offset)


def naive_ids(*, user_id: int, limit: int, offset: int) -> list[int]:
    return _ids(NAIVE_SQL, user_id=user_id, limit=limit, offset=offset)


def explain(sql: str, *, user_id: int, limit: int, offset: int) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one baseline query, for the report."""
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS) " + sql,
            {"user": user_id, "limit": limit, "offset": offset, "depth": offset + limit},
        )
        return "\n".join(row[0] for row in cursor.fetchall())
