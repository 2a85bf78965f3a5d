"""A viewer's side of the merge, in the feed's slot: their merged followees (`:src`), the source
entries they must not see (`:hide`) and the users they block, are blocked by or mute (`:excl`).
Written on follow changes and by the feed's rebuild (`write_rebuilt`, in its MULTI)."""

from typing import Any

from django.db import connection as db

from feed import keys, scripts, store
from feed.merged.authors import TABLES_M
from feed.merged.replies import hidden_member
from feed.merged.sources import max_length
from feed.pull import TABLES, excluded_cte


def add_source(*, follower_id: int, followee_id: int, tweet_ids: list[int]) -> int:
    """After following a merged author: add them to the follower's sources (built feeds
    only) and drop repost entries of their tweets, now shown as the author's own."""
    call = scripts.AddSource(follower_id=follower_id, followee_id=followee_id, tweet_ids=tweet_ids)
    result = int(store.run(scripts.ADD_SOURCE, store.connection(), call))
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
        cursor.execute(_HIDDEN_SQL, {"user_id": user_id, "sources": sources, "n": max_length()})
        return [hidden_member(t, s, keys.score(at)) for t, s, at in cursor.fetchall()]


def refresh_hidden(user_id: int) -> None:
    """After the viewer's follows changed: recompute their hidden source entries and
    excluded users, and drop excluded users from their sources (a block or mute drops the
    feed anyway; this covers one whose feed task has not run yet)."""
    from accounts.selectors import excluded_user_ids

    client = store.connection()
    excluded = excluded_user_ids(viewer_id=user_id)
    sources = [int(s) for s in client.smembers(keys.sources_key(user_id)) if int(s) not in excluded]
    members = hidden_of(user_id, sources)
    store.run(scripts.REFRESH, client, scripts.Refresh(user_id=user_id, hidden=members, excluded=excluded))


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
