"""Writes of the notifications app: create what a cause justifies, remove what an undo took.

Called by the Celery tasks, after the cause committed. Safe against redelivery and reordering:

- A create runs in one transaction that first reads the cause row (Follow, Like, Repost, or
  the tweet) with SELECT ... FOR NO KEY UPDATE: an undo that committed first leaves nothing
  to notify about, and an undo racing the task waits for it, then its removal task runs.
- The insert is ON CONFLICT DO NOTHING on `notifications_uniq` (never check-then-insert), so
  a redelivered task, or like-unlike-like, gives one row.
- A removal deletes only while the cause is gone, so a late removal cannot erase the
  notification of a newer like, follow or repost.
- Blocks (either way) and mutes are checked in the same query as the cause: such actors
  cause nothing for the blocker or muter.
"""

from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import Combinable
from django.utils import timezone

from accounts.models import Block, Follow, User
from accounts.selectors import blocked_either_way, muted_by
from core.events import send_on_commit
from notifications import signals
from notifications.models import Notification
from tweets.models import Like, Mention, Repost, Tweet

Type = Notification.Type


def _blocked_or_muted(*, recipient: Combinable | int, actor: Combinable | int) -> Q:
    """True when a block stands between the two, or the recipient mutes the actor."""
    return blocked_either_way(viewer_id=recipient, other=actor) | Q(muted_by(viewer_id=recipient, other=actor))


def _insert(rows: list[Notification]) -> int:
    """One INSERT ... ON CONFLICT DO NOTHING for all rows; returns how many were offered.

    The rows actually written (RETURNING: not those that existed) are announced after
    commit (`signals.notification_created`), so a stream shows each notification once.
    """
    if not rows:
        return 0
    table = Notification._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s, false)"] * len(rows))
    params: list[Any] = []
    now = timezone.now()
    for row in rows:
        params += [row.recipient_id, row.actor_id, row.type, row.tweet_id, now]
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" (recipient_id, actor_id, type, tweet_id, created_at, read) VALUES {values} '
            "ON CONFLICT DO NOTHING RETURNING id, recipient_id",
            params,
        )
        written = cursor.fetchall()
    for notification_id, recipient_id in written:
        send_on_commit(
            signals.notification_created,
            sender=Notification,
            notification_id=notification_id,
            recipient_id=recipient_id,
        )
    return len(rows)


# --- follows -------------------------------------------------------------------


@transaction.atomic
def follow_notify(*, follower_id: int, followee_id: int) -> int:
    """`follow` for the followee, while the follow stands."""
    cause = (
        Follow.objects.select_for_update(no_key=True)
        .filter(follower_id=follower_id, followee_id=followee_id)
        .exclude(_blocked_or_muted(recipient=followee_id, actor=follower_id))
    )
    if not cause.exists():
        return 0
    return _insert([Notification(recipient_id=followee_id, actor_id=follower_id, type=Type.FOLLOW)])


def follow_unnotify(*, follower_id: int, followee_id: int) -> int:
    """After an unfollow: remove its `follow`, unless the follow stands again."""
    deleted, _ = (
        Notification.objects.filter(type=Type.FOLLOW, actor_id=follower_id, recipient_id=followee_id)
        .exclude(Exists(Follow.objects.filter(follower_id=follower_id, followee_id=followee_id)))
        .delete()
    )
    return deleted


# --- likes and reposts -------------------------------------------------------------


def _lock_tweet_key(tweet_id: int) -> None:
    """FOR KEY SHARE on the tweet: only its deletion waits (not a like's counter update, not a hide).

    Taken before the Like or Repost row, in the order tweet_delete locks them (the tweet,
    then its likes as it cascades). Otherwise the INSERT's deferred foreign-key check would
    ask for the tweet at COMMIT while holding the Like row that the deletion waits for: a
    deadlock.
    """
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT 1 FROM "{Tweet._meta.db_table}" WHERE id = %s FOR KEY SHARE', [tweet_id])


@transaction.atomic
def _interaction_notify(model: type[Like] | type[Repost], kind: str, *, tweet_id: int, user_id: int) -> int:
    _lock_tweet_key(tweet_id)
    # The cause row locked (only it: `of`), the tweet visible, not one's own, no block or mute.
    author_id = (
        model.objects.select_for_update(no_key=True, of=("self",))
        .filter(tweet_id=tweet_id, user_id=user_id, tweet__hidden_at__isnull=True)
        .exclude(tweet__author_id=user_id)
        .exclude(_blocked_or_muted(recipient=OuterRef("tweet__author_id"), actor=user_id))
        .values_list("tweet__author_id", flat=True)
        .first()
    )
    if author_id is None:
        return 0
    return _insert([Notification(recipient_id=author_id, actor_id=user_id, type=kind, tweet_id=tweet_id)])


def _interaction_unnotify(model: type[Like] | type[Repost], kind: str, *, tweet_id: int, user_id: int) -> int:
    deleted, _ = (
        Notification.objects.filter(type=kind, actor_id=user_id, tweet_id=tweet_id)
        .exclude(Exists(model.objects.filter(tweet_id=tweet_id, user_id=user_id)))
        .delete()
    )
    return deleted


def like_notify(*, tweet_id: int, user_id: int) -> int:
    """`like` for the tweet's author, while the like stands."""
    return _interaction_notify(Like, Type.LIKE, tweet_id=tweet_id, user_id=user_id)


def like_unnotify(*, tweet_id: int, user_id: int) -> int:
    """After an unlike: remove its `like`, unless the tweet is liked again."""
    return _interaction_unnotify(Like, Type.LIKE, tweet_id=tweet_id, user_id=user_id)


def repost_notify(*, tweet_id: int, user_id: int) -> int:
    """`repost` for the tweet's author, while the repost stands."""
    return _interaction_notify(Repost, Type.REPOST, tweet_id=tweet_id, user_id=user_id)


def repost_unnotify(*, tweet_id: int, user_id: int) -> int:
    """After an undone repost: remove its `repost`, unless reposted again."""
    return _interaction_unnotify(Repost, Type.REPOST, tweet_id=tweet_id, user_id=user_id)


# --- replies and mentions ------------------------------------------------------------


@transaction.atomic
def tweet_notify(*, tweet_id: int) -> int:
    """`reply` for the parent's author and `mention` for each mentioned user, in one INSERT.

    Run for a new tweet and for an unhidden one. The parent's author gets the reply only,
    even when also mentioned; nobody is notified of their own tweet.
    """
    row = (
        Tweet.objects.select_for_update(no_key=True, of=("self",))
        .filter(pk=tweet_id, hidden_at__isnull=True)
        .values_list("author_id", "in_reply_to__author_id", "content")
        .first()
    )
    if row is None:
        return 0  # deleted or hidden before the task ran
    author_id, parent_author_id, content = row
    if parent_author_id is None and "@" not in content:
        return 0  # the common case: no one to notify, no further query
    candidates = Q(pk__in=Mention.objects.filter(tweet_id=tweet_id).values("user_id"))
    if parent_author_id is not None:
        candidates |= Q(pk=parent_author_id)
    recipients = (
        User.objects.filter(candidates)
        .exclude(pk=author_id)
        .exclude(_blocked_or_muted(recipient=OuterRef("pk"), actor=author_id))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return _insert(
        [
            Notification(
                recipient_id=pk,
                actor_id=author_id,
                type=Type.REPLY if pk == parent_author_id else Type.MENTION,
                tweet_id=tweet_id,
            )
            for pk in recipients
        ]
    )


def tweet_unnotify(*, tweet_id: int) -> int:
    """After a delete or hide: remove every notification through the tweet, unless it is
    visible again (a delete has already cascaded; this is for the hide)."""
    deleted, _ = (
        Notification.objects.filter(tweet_id=tweet_id)
        .exclude(Exists(Tweet.objects.filter(pk=tweet_id, hidden_at__isnull=True)))
        .delete()
    )
    return deleted


# --- blocks ------------------------------------------------------------------------


def block_clear(*, user_id: int, target_id: int) -> int:
    """After a block: delete what either caused the other, while the block stands.

    Reads hide them anyway (selectors); deleting keeps those reads and the unread count
    from filtering them forever. A mute only hides (unmuting shows them again).
    """
    deleted, _ = (
        Notification.objects.filter(
            Q(recipient_id=user_id, actor_id=target_id) | Q(recipient_id=target_id, actor_id=user_id)
        )
        .filter(Exists(Block.objects.filter(user_id=user_id, target_id=target_id)))
        .delete()
    )
    return deleted


# --- reading -----------------------------------------------------------------------


def mark_read(*, user: User, up_to: int | None = None) -> int:
    """Mark the user's notifications read: those with id <= `up_to` (any id is a bound), or all.

    Returns how many changed. Hidden ones (blocked, muted) are marked too: they would only
    reappear as unread after an unmute.
    """
    qs = Notification.objects.filter(recipient_id=user.pk, read=False)
    if up_to is not None:
        qs = qs.filter(pk__lte=up_to)
    return qs.update(read=True)


# --- dismissing (the Mastodon-compatible API's clear and dismiss) -------------------


def notification_dismiss(*, user: User, notification_id: int) -> bool:
    """Delete one of the user's notifications; returns whether there was one."""
    deleted, _ = Notification.objects.filter(recipient_id=user.pk, pk=notification_id).delete()
    return bool(deleted)


def notifications_clear(*, user: User) -> int:
    """Delete all of the user's notifications; returns how many."""
    deleted, _ = Notification.objects.filter(recipient_id=user.pk).delete()
    return deleted
