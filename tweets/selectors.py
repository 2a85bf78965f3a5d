"""Reads of the tweets app. Every queryset carries its select_related and viewer flags."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, QuerySet, Value
from django.db.models.functions import JSONObject
from django.http import Http404

from accounts.models import User
from tweets.models import Like, Mention, Repost, Tweet, TweetHashtag

_MAX_ID = 2**63 - 1


def parse_tweet_id(raw: str) -> int:
    """An id in its canonical form (as the API renders it), or Http404 (never a 500)."""
    if not (raw.isascii() and raw.isdigit()) or raw.startswith("0") or len(raw) > 19 or int(raw) > _MAX_ID:
        raise Http404("No such tweet.")
    return int(raw)


# A tweet's mentions ([{id, username}] of active users) and tags, in order of first
# appearance: subqueries of the one query that reads the tweets (no query per page).
MENTION_LIST = ArraySubquery(
    Mention.objects.filter(tweet=OuterRef("pk"), user__is_active=True)
    .order_by("position")
    .values(json=JSONObject(id="user_id", username="user__username"))
)
TAG_LIST = ArraySubquery(TweetHashtag.objects.filter(tweet=OuterRef("pk")).order_by("position").values("hashtag__name"))


def tweet_queryset(*, viewer: User | None) -> QuerySet[Tweet]:
    """Tweets visible to `viewer`, with author and the viewer's liked/reposted flags in one query."""
    # search_vector is the search index's column: never needed to render a tweet.
    qs = (
        Tweet.objects.visible_to(viewer)
        .select_related("author")
        .defer("search_vector")
        .annotate(mention_list=MENTION_LIST, tag_list=TAG_LIST)
    )
    if viewer is None or not viewer.is_authenticated:
        return qs.annotate(liked=Value(False), reposted=Value(False))
    return qs.annotate(
        liked=Exists(Like.objects.filter(user=viewer, tweet=OuterRef("pk"))),
        reposted=Exists(Repost.objects.filter(user=viewer, tweet=OuterRef("pk"))),
    )


def tweet_get(*, tweet_id: str | int, viewer: User | None) -> Tweet:
    """One visible tweet with its flags, or Http404."""
    pk = parse_tweet_id(str(tweet_id))
    tweet = tweet_queryset(viewer=viewer).filter(pk=pk).first()
    if tweet is None:
        raise Http404("No such tweet.")
    return tweet


def tweets_by_ids(*, ids: list[int], viewer: User | None) -> dict[int, Tweet]:
    """Hydrate many ids in one query; missing, deleted or hidden ids are simply absent."""
    if not ids:
        return {}
    return {tweet.pk: tweet for tweet in tweet_queryset(viewer=viewer).filter(pk__in=ids)}


def user_tweets(*, user: User, viewer: User | None) -> QuerySet[Tweet]:
    """A user's tweets and replies, newest first."""
    return tweet_queryset(viewer=viewer).filter(author=user).order_by("-created_at", "-id")


def tweet_replies(*, tweet: Tweet, viewer: User | None) -> QuerySet[Tweet]:
    """Replies to a tweet, oldest first."""
    return tweet_queryset(viewer=viewer).filter(in_reply_to=tweet).order_by("created_at", "id")


def liked_tweets(*, user: User) -> QuerySet[Tweet]:
    """Tweets `user` liked, newest like first."""
    return tweet_queryset(viewer=user).filter(likes__user=user).order_by("-likes__created_at", "-likes__id")


def reposted_tweets(*, user: User) -> QuerySet[Tweet]:
    """Tweets `user` reposted, newest repost first."""
    return tweet_queryset(viewer=user).filter(reposts__user=user).order_by("-reposts__created_at", "-reposts__id")
