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
from media.selectors import MediaRows
from tweets.models import Bookmark, Like, Tweet


class AuthorRow(NamedTuple):
    id: int
    username: str
    display_name: str = ""  # read with `names=True` only (the web interface)


class AccountRow(NamedTuple):
    """A user with what the Mastodon API's Account shows (mastodon_api.entities.Renderer.account),
    read with the page's state by `hydrate(accounts=True)`: no query of its own."""

    id: int
    username: str
    display_name: str
    bio: str
    created_at: datetime
    num_tweets: int
    num_followers: int
    num_following: int

    @property
    def pk(self) -> int:
        return self.id


class TweetRow(NamedTuple):
    """A hydrated tweet with the attributes tweet_to_dict reads; a plain tuple, not a model
    instance: Model.__init__ for 20 tweets and 20 authors was a quarter of a feed read.
    `bookmarked` and `reply_to_author_id` are read with `accounts=True` only (the Mastodon API),
    `reply_to_username` with `names=True` only (the web interface)."""

    pk: int
    author_id: int
    author: AuthorRow | AccountRow
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
    media_list: MediaRows  # as the body has them (media.selectors.rows_of decodes either form)
    bookmarked: bool = False
    reply_to_author_id: int | None = None
    reply_to_username: str | None = None


class FeedItem(NamedTuple):
    """A tweet with the viewer's flags and, for an entry a repost brought in, who and when
    (with `accounts=True` also the repost's id and the reposter's account)."""

    tweet: TweetRow
    reposted_by: str | None
    reposted_at: datetime | None
    repost_id: int | None = None
    reposter: AccountRow | None = None


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
# The {*_extra} slots are empty for the native feed; the Mastodon API's variant fills them
# (_ACCOUNT_EXTRA): two statements, each prepared once per connection.
_STATE_TEMPLATE = (
    "WITH "
    + excluded_cte("viewer")
    + """
SELECT t.id, t.in_reply_to_id, t.num_likes, t.num_replies, t.num_reposts, u.username,
       EXISTS (SELECT 1 FROM {like} l WHERE l.tweet_id = t.id AND l.user_id = %(viewer)s),
       EXISTS (SELECT 1 FROM {repost} r WHERE r.tweet_id = t.id AND r.user_id = %(viewer)s),
       rp.username, rp.created_at{tweet_extra}
FROM unnest(%(ids)s::bigint[], %(reposters)s::bigint[]) AS e(tweet_id, reposter_id)
JOIN {tweet} t ON t.id = e.tweet_id AND t.hidden_at IS NULL AND t.author_id NOT IN (SELECT uid FROM excluded)
JOIN {user} u ON u.id = t.author_id AND u.is_active
LEFT JOIN LATERAL (
    SELECT ru.username, r2.created_at{repost_extra}
    FROM {repost} r2 JOIN {user} ru ON ru.id = r2.user_id AND ru.is_active
    WHERE r2.tweet_id = t.id AND r2.user_id = e.reposter_id AND r2.user_id NOT IN (SELECT uid FROM excluded)
      AND t.author_id <> %(viewer)s AND NOT EXISTS (
          SELECT 1 FROM {follow} f WHERE f.follower_id = %(viewer)s AND f.followee_id = t.author_id)
) rp ON e.reposter_id IS NOT NULL
UNION ALL
SELECT mu.id, NULL, NULL, NULL, NULL, mu.username, NULL, NULL, NULL, NULL{mention_extra}
FROM {user} mu WHERE mu.id = ANY(%(mentioned)s::bigint[]) AND mu.is_active
"""
)
_ACCOUNT_FIELDS = ("display_name", "bio", "created_at", "num_tweets", "num_followers", "num_following")
# The Mastodon API's extra columns: the viewer's bookmark flag, the author of the tweet a reply
# answers (any visibility, as Mastodon's in_reply_to_account_id), the author's account, and for
# a repost entry the repost's id (the reblog's status id) and the reposter's account.
_ACCOUNT_EXTRA = {
    "tweet_extra": """,
       EXISTS (SELECT 1 FROM {bookmark} b WHERE b.tweet_id = t.id AND b.user_id = %(viewer)s),
       (SELECT p.author_id FROM {tweet} p WHERE p.id = t.in_reply_to_id), """
    + ", ".join(f"u.{field}" for field in _ACCOUNT_FIELDS)
    + ", rp.repost_id, rp.user_id, "
    + ", ".join(f"rp.user_{field}" for field in _ACCOUNT_FIELDS),
    "repost_extra": ", r2.id AS repost_id, ru.id AS user_id, "
    + ", ".join(f"ru.{field} AS user_{field}" for field in _ACCOUNT_FIELDS),
    "mention_extra": ", NULL" * (4 + 2 * len(_ACCOUNT_FIELDS)),
}
# The web interface's extra columns (`names=True`): the author's display name, and the username
# of whom a reply answers while that tweet is visible (not hidden, its author active), as
# tweets.selectors.reply_authors reads it ("Replying to @name").
_NAMES_EXTRA = {
    "tweet_extra": """, u.display_name,
       (SELECT pu.username FROM {tweet} p JOIN {user} pu ON pu.id = p.author_id AND pu.is_active
        WHERE p.id = t.in_reply_to_id AND p.hidden_at IS NULL)""",
    "repost_extra": "",
    "mention_extra": ", NULL, NULL",
}
_TABLES = {**TABLES, "like": Like._meta.db_table, "bookmark": Bookmark._meta.db_table}
_STATE_SQL = _STATE_TEMPLATE.format(tweet_extra="", repost_extra="", mention_extra="", **_TABLES)
_STATE_ACCOUNTS_SQL = _STATE_TEMPLATE.format(
    **{key: value.format(**_TABLES) for key, value in _ACCOUNT_EXTRA.items()}, **_TABLES
)
_STATE_NAMES_SQL = _STATE_TEMPLATE.format(
    **{key: value.format(**_TABLES) for key, value in _NAMES_EXTRA.items()}, **_TABLES
)


def hydrate(
    *,
    entries: list[tuple[int, int | None]],
    viewer: User,
    blobs: dict[int, list] | None = None,
    accounts: bool = False,
    names: bool = False,
) -> tuple[list[FeedItem], list[int]]:
    """Tweets for (tweet id, reposter id) entries, in the entries' order: bodies from the
    tweet-object cache (feed.objects; `blobs` = what the read script brought, else one
    pipelined fetch), the rest from one exact PostgreSQL query (_STATE_SQL).

    Returns (items, stale ids): deleted or hidden tweets, suspended authors, authors the
    viewer blocks, is blocked by or mutes, and repost entries whose repost was undone (or
    whose reposter was suspended, blocked either way or muted) are stale. Tweets
    carry their author (id, username) and the viewer's `liked`/`reposted` flags, as
    tweets.selectors.tweet_queryset's do. `accounts` (the Mastodon API): the same single
    query also reads the authors' and reposters' accounts (AccountRow), the repost ids, the
    viewer's `bookmarked` flag and the author each reply answers. `names` (the web
    interface): the same single query also reads the authors' display names and the
    username each reply answers.
    """
    if not entries:
        return [], []
    ids = [tweet_id for tweet_id, _ in entries]
    bodies = objects.tweet_bodies(ids, blobs=blobs)
    items, stale = _hydrated(entries, viewer.pk, bodies, read_connection(Tweet), accounts, names)
    if stale and reading_from_replica():
        # A replica may lag behind the fan-out (which read the primary): what it lacks is
        # asked of the primary before the caller drops it from the feed as stale.
        with primary_reads():
            absent = [tweet_id for tweet_id in ids if tweet_id not in bodies]
            bodies |= objects.tweet_bodies(absent, blobs={})  # the cache had none of them
            items, stale = _hydrated(entries, viewer.pk, bodies, read_connection(Tweet), accounts, names)
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
    accounts: bool = False,
    names: bool = False,
) -> tuple[list[FeedItem], list[int]]:
    """Run the state query on `connection` and join it with the bodies; (items in the entries'
    order, stale ids)."""
    params: dict[str, Any] = {
        "viewer": viewer_id,
        "ids": _bigint_array(tweet_id for tweet_id, _ in entries),
        "reposters": _bigint_array(reposter_id for _, reposter_id in entries),
        "mentioned": _bigint_array({user_id for body in bodies.values() for user_id in body.mention_ids}),
    }
    with prepared_cursor(connection) as cursor:  # one text for every page: planned once per connection
        cursor.execute(_STATE_ACCOUNTS_SQL if accounts else _STATE_NAMES_SQL if names else _STATE_SQL, params)
        rows = cursor.fetchall()
    mentioned: dict[int, str] = {}
    states = []
    for row in rows:
        if row[2] is None:  # a mentioned user: (id, ..., username, ...)
            mentioned[row[0]] = row[5]
        else:
            states.append(row)
    found: dict[int, FeedItem] = {}
    for row in states:
        tweet_id, username, by, reposted_at = row[0], row[5], row[8], row[9]
        body = bodies.get(tweet_id)
        if body is None:  # deleted between the two reads
            continue
        mentions = [{"id": uid, "username": mentioned[uid]} for uid in body.mention_ids if uid in mentioned]
        if accounts:
            found[tweet_id] = _with_accounts(row, body, mentions)
            continue
        if names:
            author = AuthorRow(body.author_id, username, row[10])
            tweet = _tweet_row(row, body, mentions, author, reply_to_username=row[11])
        else:
            tweet = _tweet_row(row, body, mentions, AuthorRow(body.author_id, username))
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


_N = len(_ACCOUNT_FIELDS)


def _with_accounts(row: tuple, body: objects.TweetBody, mentions: list[dict]) -> FeedItem:
    """A FeedItem from a row of _STATE_ACCOUNTS_SQL: the base columns, then bookmarked, the
    replied-to author, the author's account fields, the repost id, the reposter's id and fields."""
    username, by, reposted_at, bookmarked, reply_to_author_id = row[5], row[8], row[9], row[10], row[11]
    author = AccountRow(body.author_id, username, *row[12 : 12 + _N])
    repost_id, reposter_id = row[12 + _N], row[13 + _N]
    reposter = AccountRow(reposter_id, by, *row[14 + _N : 14 + 2 * _N]) if repost_id is not None else None
    tweet = _tweet_row(row, body, mentions, author, bookmarked=bookmarked, reply_to_author_id=reply_to_author_id)
    return FeedItem(tweet, by, reposted_at, repost_id, reposter)


def _tweet_row(row: tuple, body: objects.TweetBody, mentions: list[dict], author: Any, **extra: Any) -> TweetRow:
    """A TweetRow from a state row's base columns (id, in_reply_to, counters, flags), the body,
    and what the variant adds (`extra`: the Mastodon API's or the web's columns)."""
    tweet_id, in_reply_to_id, likes, replies, reposts, _username, liked, reposted = row[:8]
    return TweetRow(
        tweet_id,
        body.author_id,
        author,
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
        body.media,
        **extra,
    )


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
    follows = Follow.objects.filter(followee_id=author_id, follower_id__in=user_ids)
    return set(follows.values_list("follower_id", flat=True))


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
