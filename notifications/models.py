"""Notifications: someone acted on my account or my tweet, or mentioned me."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """`actor` did `type` to `recipient` (through `tweet`, except for a follow).

    Written by a Celery task after the cause commits; removed when the cause is undone.
    `tweet` is the liked or reposted tweet, or the reply or mentioning tweet itself.
    """

    class Type(models.TextChoices):
        FOLLOW = "follow"
        LIKE = "like"
        REPOST = "repost"
        REPLY = "reply"
        MENTION = "mention"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    type = models.CharField(max_length=10, choices=Type.choices)
    tweet = models.ForeignKey("tweets.Tweet", null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField(default=timezone.now)
    read = models.BooleanField(default=False)

    class Meta:
        constraints = [
            # One per cause: a redelivered task, or like-unlike-like, inserts nothing new
            # (INSERT ... ON CONFLICT DO NOTHING). NULL tweets (follows) count as equal.
            models.UniqueConstraint(
                fields=["recipient", "type", "actor", "tweet"], name="notifications_uniq", nulls_distinct=False
            ),
            models.CheckConstraint(condition=~models.Q(recipient=models.F("actor")), name="notifications_not_self"),
            models.CheckConstraint(
                condition=models.Q(type__in=["follow", "like", "repost", "reply", "mention"]),
                name="notifications_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(type="follow", tweet__isnull=True)
                | (~models.Q(type="follow") & models.Q(tweet__isnull=False)),
                name="notifications_tweet_iff_not_follow",
            ),
        ]
        indexes = [
            # Mine, newest first (ids grow with time), and paging through them.
            models.Index(fields=["recipient", "-id"], name="ix_notification_recipient"),
            # The unread count: only unread rows are in it.
            models.Index(fields=["recipient"], name="ix_notification_unread", condition=models.Q(read=False)),
            # Removal when a tweet is hidden (deletes cascade through it too).
            models.Index(fields=["tweet"], name="ix_notification_tweet", condition=models.Q(tweet__isnull=False)),
            # Removal of what an actor caused (unfollow, block).
            models.Index(fields=["actor", "recipient"], name="ix_notification_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.type} -> {self.recipient_id}"
