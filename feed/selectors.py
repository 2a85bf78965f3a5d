"""Reads of the feed: hydration of a page (ids and cached bodies read by feed.merged), completed by one
exact SQL query (counters, flags, visibility, names).

Reads only: the pulled feed (PostgreSQL) is in feed.pull, and feed.timeline combines the
two with the repairs a read may call for (feed.services).
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from accounts.models import Follow, User
from core.prepared import prepared_cursor
from core.replicas import primary_reads, read_connection, reading_from_replica
from feed import objects
from feed.models import MergedAuthor
from feed.pull import TABLES, excluded_cte, kept_from
from tweets.models import Like, Tweet


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


# What changes about the page's tweets, for this viewer, exactly as PostgreSQL has it now:
# counters, in_reply_to (a parent's deletion sets it NULL), the author's current username,
# the viewer's flags and, for repost entries, the reposter's name while that repost still
# exists; then the current usernames of the active users the bodies mention. One
# statement, ids passed as arrays so its text never changes; no body columns, no mention or
# hashtag joins (the bodies come from feed.objects). Tweets by excluded users (blocks
# either way, mutes), hidden tweets and suspended authors have no row, and repost entries by
# excluded or suspended reposters no reposter: both come out stale, dropped from Redis like
# deleted ones. So does a repost entry of the viewer's own tweet or of a followed author's
# (the pull query's rule; a merged source's list holds such reposts, feed.merged). Mention
# rows are told apart by their NULL counters.
_STATE_SQL = (
    "WITH "
    + excluded_cte("viewer")
    + """
SELECT t.id, t.in_reply_to_id, t.num_likes, t.num_replies, t.num_reposts, u.username,
       EXISTS (SELECT 1 FROM {like} l WHERE l.tweet_id = t.id AND l.user_id = %(viewer)s),
       EXISTS (SELECT 1 FROM {repost} r WHERE r.tweet_id = t.id AND r.user_id = %(viewer)s),
       rp.username, rp.created_at
FROM unnest(%(ids)s::bigint[], %(reposters)s::bigint[]) AS e(tweet_id, reposter_id)
JOIN {tweet} t ON t.id = e.tweet_id AND t.hidden_at IS NULL AND t.author_id NOT IN (SELECT uid FROM excluded)
JOIN {user} u ON u.id = t.author_id AND u.is_active
LEFT JOIN LATERAL (
    SELECT ru.username, r2.created_at FROM {repost} r2 JOIN {user} ru ON ru.id = r2.user_id AND ru.is_active
    WHERE r2.tweet_id = t.id AND r2.user_id = e.reposter_id AND r2.user_id NOT IN (SELECT uid FROM excluded)
      AND t.author_id <> %(viewer)s AND NOT EXISTS (
          SELECT 1 FROM {follow} f WHERE f.follower_id = %(viewer)s AND f.followee_id = t.author_id)
) rp ON e.reposter_id IS NOT NULL
UNION ALL
SELECT mu.id, NULL, NULL, NULL, NULL, mu.username, NULL, NULL, NULL, NULL
FROM {user} mu WHERE mu.id = ANY(%(mentioned)s::bigint[]) AND mu.is_active
"""
).format(like=Like._meta.db_table, **TABLES)


def hydrate(
    *, entries: list[tuple[int, int | None]], viewer: User, blobs: dict[int, list] | None = None
) -> tuple[list[FeedItem], list[int]]:
    """Tweets for (tweet id, reposter id) entries, in the entries' order: bodies from the
    tweet-object cache (feed.objects; `blobs` = what the read script brought, else one
    pipelined fetch), the rest from one exact PostgreSQL query (_STATE_SQL).

    Returns (items, stale ids): deleted or hidden tweets, suspended authors, authors the
    viewer blocks, is blocked by or mutes, and repost entries whose repost was undone (or
    whose reposter was suspended, blocked either way or muted) are stale. Tweets
    carry their author (id, username) and the viewer's `liked`/`reposted` flags, as
    tweets.selectors.tweet_queryset's do.
    """
    if not entries:
        return [], []
    ids = [tweet_id for tweet_id, _ in entries]
    bodies = objects.tweet_bodies(ids, blobs=blobs)
    items, stale = _hydrated(entries, viewer.pk, bodies, read_connection(Tweet))
    if stale and reading_from_replica():
        # A replica may lag behind the fan-out (which read the primary): what it lacks is
        # asked of the primary before the caller drops it from the feed as stale.
        with primary_reads():
            absent = [tweet_id for tweet_id in ids if tweet_id not in bodies]
            bodies |= objects.tweet_bodies(absent, blobs={})  # the cache had none of them
            items, stale = _hydrated(entries, viewer.pk, bodies, read_connection(Tweet))
    return items, stale


def _bigint_array(values: Iterable[int | None]) -> str:
    """A bigint[] as PostgreSQL's array literal ('{1,NULL,3}'), cast by the statement: psycopg's
    list dumper inspects every element in Python, a quarter of the state query's client time."""
    return "{" + ",".join("NULL" if value is None else str(int(value)) for value in values) + "}"


def _hydrated(
    entries: list[tuple[int, int | None]],
    viewer_id: int,
    bodies: dict[int, objects.TweetBody],
    connection: BaseDatabaseWrapper,
) -> tuple[list[FeedItem], list[int]]:
    """Run _STATE_SQL on `connection` and join it with the bodies; (items in the entries'
    order, stale ids)."""
    params: dict[str, Any] = {
        "viewer": viewer_id,
        "ids": _bigint_array(tweet_id for tweet_id, _ in entries),
        "reposters": _bigint_array(reposter_id for _, reposter_id in entries),
        "mentioned": _bigint_array({user_id for body in bodies.values() for user_id in body.mention_ids}),
    }
    with prepared_cursor(connection) as cursor:  # one text for every page: planned once per connection
        cursor.execute(_STATE_SQL, params)
        rows = cursor.fetchall()
    names: dict[int, str] = {}
    states = []
    for row in rows:
        if row[2] is None:  # a mentioned user: (id, ..., username, ...)
            names[row[0]] = row[5]
        else:
            states.append(row)
    found: dict[int, FeedItem] = {}
    for tweet_id, in_reply_to_id, likes, replies, reposts, username, liked, reposted, by, reposted_at in states:
        body = bodies.get(tweet_id)
        if body is None:  # deleted between the two reads
            continue
        mentions = [{"id": uid, "username": names[uid]} for uid in body.mention_ids if uid in names]
        tweet = TweetRow(
            tweet_id,
            body.author_id,
            AuthorRow(body.author_id, username),
            body.content,
            body.created_at,
            in_reply_to_id,
            likes,
            replies,
            reposts,
            liked,
            reposted,
            mentions,
            body.tags,
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


# --- the live streams (streaming/): who sees a merged author's new entry ----------------


def merged_author_ids() -> set[int]:
    """Every author merged at read time now (hybrid fan-out)."""
    return set(MergedAuthor.objects.values_list("user_id", flat=True))


def merged_followees(*, user_id: int) -> list[int]:
    """The merged authors `user_id` follows (their entries reach the home feed at read time)."""
    return list(
        Follow.objects.filter(follower_id=user_id, followee__merged_feed__isnull=False).values_list(
            "followee_id", flat=True
        )
    )


def followers_among(*, author_id: int, user_ids: list[int]) -> set[int]:
    """Which of these users follow `author_id`."""
    if not user_ids:
        return set()
    return set(
        Follow.objects.filter(followee_id=author_id, follower_id__in=user_ids).values_list("follower_id", flat=True)
    )


def merged_entry_viewers(
    *, candidates: list[int], source_id: int, author_id: int, reposter_id: int | None
) -> list[int]:
    """Which of these followers of a merged author get its new entry in their home feed, by
    the feed's rules: nobody who blocks, is blocked by or mutes the source or the tweet's
    author (`kept_from`, as the fan-out); a repost reaches neither the tweet's author nor
    those who follow them (they have the tweet by its own right, as in `add_repost`)."""
    if not candidates:
        return []
    kept = kept_from(list({source_id, author_id}))
    viewers = [user_id for user_id in candidates if user_id not in kept]
    if reposter_id is not None and viewers:
        own = followers_among(author_id=author_id, user_ids=viewers) | {author_id}
        viewers = [user_id for user_id in viewers if user_id not in own]
    return viewers
