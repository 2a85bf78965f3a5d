"""Reads of the tweets app. Every queryset carries its select_related and viewer flags."""

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import JSONArray, JSONObject, TruncDate
from django.http import Http404
from django.utils import timezone

from accounts.models import Block, User
from accounts.selectors import blocked_either_way, muted_by
from core.replicas import read_connection
from media.selectors import ROW_FIELDS
from tweets.models import Bookmark, Hashtag, Like, Mention, Repost, Tweet, TweetHashtag, TweetMedia
from tweets.parsing import is_valid_tag

TRENDING_WINDOW = timedelta(hours=24)
TRENDING_SIZE = 10

_MAX_ID = 2**63 - 1


def parse_tweet_id(raw: str) -> int:
    """An id in its canonical form (as the API renders it), or Http404 (never a 500)."""
    if not (raw.isascii() and raw.isdigit()) or raw.startswith("0") or len(raw) > 19 or int(raw) > _MAX_ID:
        raise Http404("No such tweet.")
    return int(raw)


def tweet_object_annotations(*, tweet: str = "pk", viewer_id: int | None) -> dict[str, Any]:
    """What tweet_to_dict reads beyond the row, as columns of the reading query (no query
    per page): mentions ([{id, username}] of active users) and tags in order of first
    appearance, media (compact rows, media.selectors.ROW_FIELDS) in attachment order, and the
    viewer's liked/reposted/bookmarked flags (`bookmarked` is read by the Mastodon API only;
    an index probe per row). `tweet` names the tweet's id in the outer query ("pk" for tweets,
    "tweet_id" for rows that point at one)."""
    ref = OuterRef(tweet)
    annotations: dict[str, Any] = {
        "mention_list": ArraySubquery(
            Mention.objects.filter(tweet_id=ref, user__is_active=True)
            .order_by("position")
            .values(json=JSONObject(id="user_id", username="user__username"))
        ),
        "tag_list": ArraySubquery(
            TweetHashtag.objects.filter(tweet_id=ref).order_by("position").values("hashtag__name")
        ),
        "media_list": ArraySubquery(
            TweetMedia.objects.filter(tweet_id=ref)
            .order_by("position")
            .values(row=JSONArray(*(f"media__{field}" for field in ROW_FIELDS)))
        ),
    }
    if viewer_id is None:
        annotations.update(liked=Value(False), reposted=Value(False), bookmarked=Value(False))
    else:
        annotations.update(
            liked=Exists(Like.objects.filter(user_id=viewer_id, tweet_id=ref)),
            reposted=Exists(Repost.objects.filter(user_id=viewer_id, tweet_id=ref)),
            bookmarked=Exists(Bookmark.objects.filter(user_id=viewer_id, tweet_id=ref)),
        )
    return annotations


def tweet_queryset(*, viewer: User | None) -> QuerySet[Tweet]:
    """Tweets visible to `viewer`, with author and the viewer's liked/reposted flags in one query."""
    # search_vector is the search index's column: never needed to render a tweet.
    signed_in = viewer is not None and viewer.is_authenticated
    qs = (
        Tweet.objects.visible_to(viewer)
        .select_related("author")
        .defer("search_vector")
        .annotate(**tweet_object_annotations(viewer_id=viewer.pk if viewer is not None and signed_in else None))
    )
    if viewer is not None and signed_in and viewer.is_staff:
        # Staff see hidden tweets (moderation): the object says so (tweets.api.serializers).
        qs = qs.annotate(staff_hidden=Q(hidden_at__isnull=False))
    return qs


def without_blocked(qs: QuerySet[Tweet], *, viewer: User | None) -> QuerySet[Tweet]:
    """Leave out tweets whose author blocks the viewer or is blocked by them (lists, search)."""
    if viewer is None or not viewer.is_authenticated:
        return qs
    return qs.filter(~blocked_either_way(viewer_id=viewer.pk, other=OuterRef("author_id")))


def tweet_get(*, tweet_id: str | int, viewer: User | None) -> Tweet:
    """One visible tweet with its flags; Http404, or PermissionDenied when its author blocks the viewer."""
    pk = parse_tweet_id(str(tweet_id))
    qs = tweet_queryset(viewer=viewer).filter(pk=pk)
    if viewer is not None and viewer.is_authenticated:
        # In the same query: the check costs no round trip.
        qs = qs.annotate(blocks_viewer=Exists(Block.objects.filter(user_id=OuterRef("author_id"), target_id=viewer.pk)))
    tweet = qs.first()
    if tweet is None:
        raise Http404("No such tweet.")
    if getattr(tweet, "blocks_viewer", False):
        raise PermissionDenied("The author of this tweet has blocked you.")
    return tweet


def tweets_by_ids(*, ids: list[int], viewer: User | None) -> dict[int, Tweet]:
    """Hydrate many ids in one query; missing, deleted or hidden ids, and tweets a block
    stands between, are simply absent."""
    if not ids:
        return {}
    qs = without_blocked(tweet_queryset(viewer=viewer).filter(pk__in=ids), viewer=viewer)
    return {tweet.pk: tweet for tweet in qs}


def user_tweets(*, user: User, viewer: User | None) -> QuerySet[Tweet]:
    """A user's tweets and replies, newest first."""
    return tweet_queryset(viewer=viewer).filter(author=user).order_by("-created_at", "-id")


def tweet_replies(*, tweet: Tweet, viewer: User | None) -> QuerySet[Tweet]:
    """Replies to a tweet, oldest first, without those a block stands between."""
    qs = tweet_queryset(viewer=viewer).filter(in_reply_to=tweet).order_by("created_at", "id")
    return without_blocked(qs, viewer=viewer)


def hashtag_tweets(*, tag: str, viewer: User | None) -> QuerySet[Tweet]:
    """Tweets carrying `tag` (any case), newest first; Http404 for a tag that breaks the rule.

    An unknown tag is simply an empty list.
    """
    if not is_valid_tag(tag):
        raise Http404("Not a hashtag.")
    qs = tweet_queryset(viewer=viewer).filter(hashtags__name=tag.lower()).order_by("-created_at", "-id")
    return without_blocked(qs, viewer=viewer)


def public_tweets(*, viewer: User | None) -> QuerySet[Tweet]:
    """Every visible tweet (replies too), newest first by id; without those a block stands
    between or whose author the viewer mutes (Mastodon's public timeline)."""
    qs = without_blocked(tweet_queryset(viewer=viewer), viewer=viewer)
    if viewer is not None and viewer.is_authenticated:
        qs = qs.exclude(muted_by(viewer_id=viewer.pk, other=OuterRef("author_id")))
    return qs.order_by("-id")


def interactions(*, tweet_id: int, user_ids: list[int]) -> tuple[set[int], set[int]]:
    """Which of these users liked, and which reposted, the tweet: one query."""
    if not user_ids:
        return set(), set()
    likes = Like.objects.filter(tweet_id=tweet_id, user_id__in=user_ids).values_list("user_id", Value("l"))
    reposts = Repost.objects.filter(tweet_id=tweet_id, user_id__in=user_ids).values_list("user_id", Value("r"))
    liked: set[int] = set()
    reposted: set[int] = set()
    for user_id, kind in likes.union(reposts, all=True):
        (liked if kind == "l" else reposted).add(user_id)
    return liked, reposted


def trending_hashtags(*, window: timedelta = TRENDING_WINDOW, size: int = TRENDING_SIZE) -> list[dict[str, object]]:
    """The tags on the most distinct visible tweets in the last `window`, most first (ties by name).

    Served by ix_tweethashtag_created; the same for every viewer.
    """
    since = timezone.now() - window
    rows = (
        TweetHashtag.objects.filter(created_at__gte=since, tweet__hidden_at__isnull=True, tweet__author__is_active=True)
        .values("hashtag__name")
        .annotate(tweets=Count("tweet_id", distinct=True))
        .order_by("-tweets", "hashtag__name")[:size]
    )
    return [{"tag": row["hashtag__name"], "tweets": row["tweets"]} for row in rows]


def hashtag_history(*, names: list[str], days: int = 7) -> dict[str, list[dict[str, Any]]]:
    """Per tag, one entry per UTC day of the last `days`, today first: `day` (a date), `uses`
    (distinct visible tweets carrying it that day) and `accounts` (their distinct authors).

    One query for all the tags (ix_tweethashtag_tag_created); days without a use are zeros.
    """
    if not names:
        return {}
    today = timezone.now().astimezone(UTC).date()
    since = datetime.combine(today - timedelta(days=days - 1), time.min, tzinfo=UTC)
    rows = (
        TweetHashtag.objects.filter(
            hashtag__name__in=names, created_at__gte=since, tweet__hidden_at__isnull=True, tweet__author__is_active=True
        )
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("hashtag__name", "day")
        .annotate(uses=Count("tweet_id", distinct=True), accounts=Count("tweet__author_id", distinct=True))
        .order_by()
    )
    found = {(row["hashtag__name"], row["day"]): row for row in rows}
    history: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        entries = []
        for back in range(days):
            day = today - timedelta(days=back)
            row = found.get((name, day), {})
            entries.append({"day": day, "uses": row.get("uses", 0), "accounts": row.get("accounts", 0)})
        history[name] = entries
    return history


def liked_tweets(*, user: User) -> QuerySet[Tweet]:
    """Tweets `user` liked, newest like first."""
    qs = tweet_queryset(viewer=user).filter(likes__user=user).order_by("-likes__created_at", "-likes__id")
    return without_blocked(qs, viewer=user)


def reposted_tweets(*, user: User) -> QuerySet[Tweet]:
    """Tweets `user` reposted, newest repost first."""
    qs = tweet_queryset(viewer=user).filter(reposts__user=user).order_by("-reposts__created_at", "-reposts__id")
    return without_blocked(qs, viewer=user)


def bookmarked_tweets(*, user: User) -> QuerySet[Tweet]:
    """Tweets `user` bookmarked, newest bookmark first (only their owner ever reads them)."""
    qs = tweet_queryset(viewer=user).filter(bookmarks__user=user).order_by("-bookmarks__created_at", "-bookmarks__id")
    return without_blocked(qs, viewer=user)


def tweet_likers(*, tweet: Tweet, viewer: User | None) -> QuerySet[User]:
    """Who liked `tweet`, newest like first, without those a block stands between with `viewer`."""
    qs = User.objects.visible_to(viewer).filter(likes__tweet=tweet).order_by("-likes__created_at", "-likes__id")
    return _without_blocked_users(qs, viewer=viewer)


def tweet_reposters(*, tweet: Tweet, viewer: User | None) -> QuerySet[User]:
    """Who reposted `tweet`, newest repost first, without those a block stands between with `viewer`."""
    qs = User.objects.visible_to(viewer).filter(reposts__tweet=tweet).order_by("-reposts__created_at", "-reposts__id")
    return _without_blocked_users(qs, viewer=viewer)


def _without_blocked_users(qs: QuerySet[User], *, viewer: User | None) -> QuerySet[User]:
    if viewer is None or not viewer.is_authenticated:
        return qs
    return qs.filter(~blocked_either_way(viewer_id=viewer.pk, other=OuterRef("pk")))


# --- for the Mastodon-compatible API (mastodon_api) ---------------------------
# Reposts take their ids from the tweets' sequence (migration 0004): a status id names a
# tweet or a repost, and ids of both kinds sort by creation.


def repost_get(*, repost_id: int) -> Repost | None:
    """One repost by its own id, with its user, or None."""
    return Repost.objects.select_related("user").filter(pk=repost_id).first()


def user_reposts(*, user: User) -> QuerySet[Repost]:
    """`user`'s reposts, newest first (by id, which follows creation), with the user."""
    return Repost.objects.filter(user=user).select_related("user").order_by("-id")


def reposts_for(*, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], Repost]:
    """The reposts of these (tweet id, user id) pairs in one query, keyed by the pair."""
    if not pairs:
        return {}
    match = Q()
    for tweet_id, user_id in pairs:
        match |= Q(tweet_id=tweet_id, user_id=user_id)
    return {(r.tweet_id, r.user_id): r for r in Repost.objects.filter(match).select_related("user")}


def author_ids(*, tweet_ids: list[int]) -> dict[int, int]:
    """tweet id -> author id for these tweets, in one query (what a reply replies to)."""
    if not tweet_ids:
        return {}
    return dict(Tweet.objects.filter(pk__in=tweet_ids).values_list("pk", "author_id"))


def reply_authors(*, tweet_ids: list[int]) -> dict[int, str]:
    """tweet id -> its author's username for these (visible) tweets, in one query: whom a
    reply answers ("Replying to @name" in the web interface)."""
    if not tweet_ids:
        return {}
    return dict(Tweet.objects.visible().filter(pk__in=tweet_ids).values_list("pk", "author__username"))


def status_time(*, status_id: int) -> tuple[datetime, bool] | None:
    """(time, exact) a status id stands for: when the newest tweet or repost with an id up to
    `status_id` was created, and whether its id is `status_id` itself (a cursor may name a
    status that is gone, or no status at all). None when no id is that small."""
    with read_connection(Tweet).cursor() as cursor:
        cursor.execute(
            f"""SELECT created_at, id = %s FROM (
                (SELECT id, created_at FROM {Tweet._meta.db_table} WHERE id <= %s ORDER BY id DESC LIMIT 1)
                UNION ALL
                (SELECT id, created_at FROM {Repost._meta.db_table} WHERE id <= %s ORDER BY id DESC LIMIT 1)
            ) s ORDER BY id DESC LIMIT 1""",
            [status_id, status_id, status_id],
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def thread_ids(*, tweet_id: int, depth: int = 40, size: int = 200) -> tuple[list[int], list[int]]:
    """(ancestors oldest first, descendants in thread order) of a tweet: two recursive queries."""
    table = Tweet._meta.db_table
    with read_connection(Tweet).cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE up(id, parent, n) AS (
                SELECT id, in_reply_to_id, 0 FROM {table} WHERE id = %s
                UNION ALL SELECT t.id, t.in_reply_to_id, up.n + 1 FROM {table} t JOIN up ON t.id = up.parent
                WHERE up.n < %s
            ) SELECT id FROM up WHERE n > 0 ORDER BY n DESC""",
            [tweet_id, depth],
        )
        ancestors = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"""WITH RECURSIVE down(id, path) AS (
                SELECT id, ARRAY[id] FROM {table} WHERE in_reply_to_id = %s
                UNION ALL SELECT t.id, down.path || t.id FROM {table} t JOIN down ON t.in_reply_to_id = down.id
                WHERE cardinality(down.path) < %s
            ) SELECT id FROM down ORDER BY path LIMIT %s""",
            [tweet_id, depth, size],
        )
        descendants = [row[0] for row in cursor.fetchall()]
    return ancestors, descendants


def hashtags_matching(*, prefix: str, limit: int) -> list[str]:
    """Known tags starting with `prefix` (any case), shortest first."""
    if not is_valid_tag(prefix) and not prefix.isdigit():
        return []
    names = Hashtag.objects.filter(name__startswith=prefix.lower()).values_list("name", flat=True)
    return sorted(names[: limit * 5], key=lambda name: (len(name), name))[:limit]


def visible_tweet_count() -> int:
    """How many tweets anyone may see (instance statistics)."""
    return Tweet.objects.visible().count()


def tweet_ids_showing(*, media_id: int) -> list[int]:
    """The tweet (at most one) that shows this media: whose cached body a description change stales."""
    return list(TweetMedia.objects.filter(media_id=media_id).values_list("tweet_id", flat=True))
