"""Tweets (replies are tweets with in_reply_to), likes, reposts and bookmarks.

Ids are bigint identity values: they sort by creation like a Snowflake id, cost 8
bytes in every index and Redis feed, and are rendered as opaque strings by the API.
"""

from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models.functions import Length
from django.utils import timezone

from media.models import Media

TWEET_MAX_LENGTH = 280

# `content__length` in the check constraint below; counts characters, not bytes.
models.TextField.register_lookup(Length, "length")


class TweetQuerySet(models.QuerySet):
    def visible(self) -> "TweetQuerySet":
        """Not hidden by a moderator and not by a suspended author."""
        return self.filter(hidden_at__isnull=True, author__is_active=True)

    def visible_to(self, viewer: object) -> "TweetQuerySet":
        """Staff see everything (moderation); everyone else sees visible tweets."""
        if viewer is not None and getattr(viewer, "is_staff", False):
            return self
        return self.visible()


class Tweet(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tweets", db_index=False
    )
    content = models.TextField()
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    num_likes = models.PositiveIntegerField(default=0)
    num_replies = models.PositiveIntegerField(default=0)
    num_reposts = models.PositiveIntegerField(default=0)
    # How many images it shows (tweets.TweetMedia), set when it is posted: lets the database
    # itself refuse a tweet with neither text nor images.
    # db_default too: bulk loaders (bench/seed.py COPY, bench/hybrid.py INSERT) name only the older columns.
    num_media = models.PositiveSmallIntegerField(default=0, db_default=0)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=500, blank=True, default="")
    # Set by the feed fan-out when every follower's feed has the tweet; NULL rows are
    # swept and fanned out again, so the database stays the source of truth.
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    # Full-text search (search app, PostgreSQL backend): kept by the database on every
    # write, so it can never lag the content. The explicit 'english' regconfig makes the
    # expression immutable, as a stored generated column requires. Deferred on reads.
    search_vector = models.GeneratedField(
        expression=SearchVector("content", config="english"), output_field=SearchVectorField(), db_persist=True
    )
    # Parsed once from the content when the tweet is written (tweets.parsing).
    hashtags: "models.ManyToManyField[Hashtag, TweetHashtag]" = models.ManyToManyField(
        "Hashtag", through="TweetHashtag", related_name="tweets"
    )

    objects = TweetQuerySet.as_manager()

    class Meta:
        constraints = [
            # 1..280 characters, or 0..280 for a tweet with images (section 9).
            models.CheckConstraint(
                condition=models.Q(content__length__lte=TWEET_MAX_LENGTH)
                & (models.Q(content__length__gte=1) | models.Q(num_media__gte=1)),
                name="tweets_tweet_content_length",
            ),
            models.CheckConstraint(condition=models.Q(num_media__lte=4), name="tweets_tweet_num_media_max"),
        ]
        indexes = [
            # A user's timeline, newest first; also the pull feed's per-followee scan.
            models.Index(fields=["author", "-created_at"], name="ix_tweet_author_created"),
            # A thread's replies, oldest first.
            models.Index(
                fields=["in_reply_to", "created_at"],
                name="ix_tweet_reply_created",
                condition=models.Q(in_reply_to__isnull=False),
            ),
            models.Index(fields=["-created_at"], name="ix_tweet_created"),
            # Small: only tweets whose fan-out has not completed.
            models.Index(
                fields=["created_at"], name="ix_tweet_fanout_pending", condition=models.Q(fanned_out_at__isnull=True)
            ),
            # `search_vector @@ websearch_to_tsquery('english', q)`.
            GinIndex(fields=["search_vector"], name="ix_tweet_search_vector"),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.content[:40]}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Interaction(models.Model):
    """A user's one-per-tweet action on a tweet (a like, a repost, a bookmark); `created_at`
    orders their lists.

    Each model declares its own `user` and `tweet` keys: their related names ("likes",
    "reposts", "bookmarks") written out, as the migrations have them.
    """

    verb: ClassVar[str]

    created_at = models.DateTimeField(default=timezone.now)

    # Names expand per model: tweets_like_uniq, ix_like_user_created, ix_repost_tweet, ...
    # (ix_<model>_tweet also serves the cascade when a tweet is deleted.)
    class Meta:
        abstract = True
        constraints = [models.UniqueConstraint(fields=["user", "tweet"], name="%(app_label)s_%(class)s_uniq")]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="ix_%(class)s_user_created"),
            models.Index(fields=["tweet"], name="ix_%(class)s_tweet"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.verb} {self.tweet_id}"  # type: ignore[attr-defined]


class Like(Interaction):
    verb = "liked"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes", db_index=False)
    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="likes", db_index=False)


class Repost(Interaction):
    verb = "reposted"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reposts", db_index=False)
    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="reposts", db_index=False)


class Bookmark(Interaction):
    """Private to its owner (DESIGN.md section 7): no counter on the tweet, no notification,
    no signal; only the owner's bookmark list and `bookmarked` flag read it."""

    verb = "bookmarked"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks", db_index=False
    )
    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="bookmarks", db_index=False)


class Mention(models.Model):
    """`user` is named as @username in `tweet` (an existing, active user when written)."""

    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="mentions", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Order of first appearance in the content.
    position = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            # Its index also serves hydration: a tweet's mentions.
            models.UniqueConstraint(fields=["tweet", "user"], name="tweets_mention_uniq"),
        ]
        indexes = [models.Index(fields=["user", "-tweet"], name="ix_mention_user_tweet")]

    def __str__(self) -> str:
        return f"{self.tweet_id} mentions {self.user_id}"


class Hashtag(models.Model):
    """A tag, stored lower-cased: `#Python` and `#python` are one row."""

    name = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name"], name="tweets_hashtag_name_uniq"),
        ]

    def __str__(self) -> str:
        return f"#{self.name}"


class TweetHashtag(models.Model):
    """`tweet` carries `hashtag`; `created_at` is the tweet's, copied so that tag pages and
    trending read one index without touching tweets_tweet first."""

    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="+", db_index=False)
    hashtag = models.ForeignKey(Hashtag, on_delete=models.CASCADE, related_name="+", db_index=False)
    position = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Its index also serves hydration: a tweet's tags.
            models.UniqueConstraint(fields=["tweet", "hashtag"], name="tweets_tweethashtag_uniq"),
        ]
        indexes = [
            # A tag's tweets, newest first.
            models.Index(fields=["hashtag", "-created_at", "-tweet"], name="ix_tweethashtag_tag_created"),
            # Trending: the last 24 h of tag uses, read from the index alone.
            models.Index(fields=["created_at"], name="ix_tweethashtag_created", include=["hashtag", "tweet"]),
        ]

    def __str__(self) -> str:
        return f"{self.tweet_id} #{self.hashtag_id}"


class TweetMedia(models.Model):
    """`tweet` shows `media` at `position` (0..3): the attachment, owned by this app above media.

    A media belongs to one tweet at most (the unique constraint on `media`); deleting the
    tweet deletes its media with their files (tweets.services.tweet_delete).
    """

    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="+", db_index=False)
    media = models.OneToOneField(Media, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            # Its index also serves hydration: a tweet's media in order.
            models.UniqueConstraint(fields=["tweet", "position"], name="tweets_tweetmedia_position_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.tweet_id} shows {self.media_id}"
