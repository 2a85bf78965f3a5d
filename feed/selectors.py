"""Reads of the feed: a page of ids from Redis, hydrated in one SQL query.

Reads only: the pulled feed (PostgreSQL) is in feed.pull, and feed.timeline combines the
two with the repairs a read may call for (feed.services).
"""

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from accounts.models import User
from config.replicas import primary_reads, read_connection, reading_from_replica
from feed import keys, store
from feed.pull import TABLES, excluded_cte
from tweets.models import Hashtag, Like, Mention, Tweet, TweetHashtag


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


def redis_page(*, user_id: int, limit: int, offset: int) -> tuple[int, list[tuple[int, int | None]]] | None:
    """(count, [(tweet id, reposter id or None)]) of a page of the Redis feed, in one round trip.

    None when the feed is missing (never built, evicted or dropped): the caller rebuilds it.
    Raises one of store.REDIS_ERRORS when Redis cannot answer.
    """
    client = store.connection()
    key_names = [keys.feed_key(user_id), keys.reposts_key(user_id)]
    reply = store.run("read", client, key_names, [offset, offset + limit - 1])
    if reply is None:
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
    + excluded_cte("viewer")
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
    **TABLES,
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
    params: dict[str, Any] = {
        "viewer": viewer.pk,
        "ids": [tweet_id for tweet_id, _ in entries],
        "reposters": [reposter_id for _, reposter_id in entries],
    }
    items, stale = _hydrated(params, entries, read_connection(Tweet))
    if stale and reading_from_replica():
        # A replica may lag behind the fan-out (which read the primary): what it lacks is
        # asked of the primary before the caller drops it from the feed as stale.
        with primary_reads():
            items, stale = _hydrated(params, entries, read_connection(Tweet))
    return items, stale


def _hydrated(
    params: dict[str, Any], entries: list[tuple[int, int | None]], connection: BaseDatabaseWrapper
) -> tuple[list[FeedItem], list[int]]:
    """Run _HYDRATE_SQL on `connection`; (items in the entries' order, stale ids)."""
    with connection.cursor() as cursor:
        cursor.execute(_HYDRATE_SQL, params)
        rows = cursor.fetchall()
    found: dict[int, FeedItem] = {}
    for row in rows:
        # Columns in _HYDRATE_SQL's order; the six between username and the flags go to TweetRow as they are.
        tweet_id, author_id, username, *fields, liked, reposted, by, reposted_at, mentions, tags = row
        author = AuthorRow(author_id, username)
        tweet = TweetRow._make((tweet_id, author_id, author, *fields, liked, reposted, mentions, tags))
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
