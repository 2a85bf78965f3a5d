"""Reads of the notifications app: a page (rows, total and tweets in one query), the unread count."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window
from django.db.models.functions import JSONObject

from accounts.models import User
from accounts.selectors import blocked_either_way, muted_by
from notifications.models import Notification
from tweets.models import Like, Mention, Repost, TweetHashtag


def visible_notifications(*, viewer_id: int) -> QuerySet[Notification]:
    """Mine that may be shown: the actor active (not suspended), not blocked either way nor
    muted now (a later block or mute hides older rows), the tweet, if any, not hidden."""
    return (
        Notification.objects.filter(recipient_id=viewer_id, actor__is_active=True)
        .filter(Q(tweet__isnull=True) | Q(tweet__hidden_at__isnull=True))
        .exclude(blocked_either_way(viewer_id=viewer_id, other=OuterRef("actor_id")))
        .exclude(muted_by(viewer_id=viewer_id, other=OuterRef("actor_id")))
    )


def _with_tweets(qs: QuerySet[Notification], *, viewer_id: int) -> QuerySet[Notification]:
    """The tweet as tweets.selectors.tweet_queryset carries it for the viewer (author, mentions,
    tags, liked, reposted), as columns of the same query: correlated on the notification's tweet."""
    return (
        qs.select_related("actor", "tweet__author")
        .defer("tweet__search_vector")
        .annotate(
            tweet_mentions=ArraySubquery(
                Mention.objects.filter(tweet_id=OuterRef("tweet_id"), user__is_active=True)
                .order_by("position")
                .values(json=JSONObject(id="user_id", username="user__username"))
            ),
            tweet_tags=ArraySubquery(
                TweetHashtag.objects.filter(tweet_id=OuterRef("tweet_id")).order_by("position").values("hashtag__name")
            ),
            tweet_liked=Exists(Like.objects.filter(user_id=viewer_id, tweet_id=OuterRef("tweet_id"))),
            tweet_reposted=Exists(Repost.objects.filter(user_id=viewer_id, tweet_id=OuterRef("tweet_id"))),
        )
    )


def notification_page(*, viewer: User, limit: int, offset: int) -> tuple[int, list[Notification]]:
    """(total, page) of the viewer's notifications, newest first.

    One query: the rows, their actors and tweets, and the total by `COUNT(*) OVER ()`
    (the index on (recipient, -id) is read once for both). Only a page past the end costs
    a second query, for the total.
    """
    base = visible_notifications(viewer_id=viewer.pk)
    rows = list(
        _with_tweets(base, viewer_id=viewer.pk)
        .annotate(total=Window(Count("*")))
        .order_by("-id")[offset : offset + limit]
    )
    for row in rows:
        if row.tweet is not None:
            # What tweets.api.serializers.tweet_to_dict reads.
            row.tweet.mention_list = row.tweet_mentions
            row.tweet.tag_list = row.tweet_tags
            row.tweet.liked = row.tweet_liked
            row.tweet.reposted = row.tweet_reposted
    if rows:
        return rows[0].total, rows
    return (base.count() if offset else 0), rows


def unread_count(*, viewer: User) -> int:
    """How many of the viewer's visible notifications are unread (partial index ix_notification_unread)."""
    return visible_notifications(viewer_id=viewer.pk).filter(read=False).count()
