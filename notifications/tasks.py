"""Celery tasks of notifications (queue "default"): take ids, call a service.

Acknowledged late (CELERY_TASK_ACKS_LATE): a worker killed mid-task leaves the message to be
redelivered, and every service is idempotent and checks its cause, so running a task
again, or after a later one, leaves the right rows.
"""

from typing import Any

from celery import shared_task
from django.db import OperationalError

from notifications import services

# A lost connection, a deadlock or a lock timeout may pass; a bug or bad data would fail again.
_RETRY: dict[str, Any] = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 1,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
    "acks_late": True,
}


@shared_task(name="notifications.tasks.notify_follow", **_RETRY)
def notify_follow(follower_id: int, followee_id: int) -> int:
    """After a follow: tell the followee."""
    return services.follow_notify(follower_id=follower_id, followee_id=followee_id)


@shared_task(name="notifications.tasks.unnotify_follow", **_RETRY)
def unnotify_follow(follower_id: int, followee_id: int) -> int:
    """After an unfollow: take the follow notification back."""
    return services.follow_unnotify(follower_id=follower_id, followee_id=followee_id)


@shared_task(name="notifications.tasks.notify_like", **_RETRY)
def notify_like(tweet_id: int, user_id: int) -> int:
    """After a like: tell the tweet's author."""
    return services.like_notify(tweet_id=tweet_id, user_id=user_id)


@shared_task(name="notifications.tasks.unnotify_like", **_RETRY)
def unnotify_like(tweet_id: int, user_id: int) -> int:
    """After an unlike: take the like notification back."""
    return services.like_unnotify(tweet_id=tweet_id, user_id=user_id)


@shared_task(name="notifications.tasks.notify_repost", **_RETRY)
def notify_repost(tweet_id: int, user_id: int) -> int:
    """After a repost: tell the tweet's author."""
    return services.repost_notify(tweet_id=tweet_id, user_id=user_id)


@shared_task(name="notifications.tasks.unnotify_repost", **_RETRY)
def unnotify_repost(tweet_id: int, user_id: int) -> int:
    """After an undone repost: take the repost notification back."""
    return services.repost_unnotify(tweet_id=tweet_id, user_id=user_id)


@shared_task(name="notifications.tasks.notify_tweet", **_RETRY)
def notify_tweet(tweet_id: int) -> int:
    """After a new (or unhidden) tweet: reply and mention notifications."""
    return services.tweet_notify(tweet_id=tweet_id)


@shared_task(name="notifications.tasks.unnotify_tweet", **_RETRY)
def unnotify_tweet(tweet_id: int) -> int:
    """After a delete or hide: remove every notification through the tweet."""
    return services.tweet_unnotify(tweet_id=tweet_id)


@shared_task(name="notifications.tasks.clear_block", **_RETRY)
def clear_block(user_id: int, target_id: int) -> int:
    """After a block: remove what the two caused each other."""
    return services.block_clear(user_id=user_id, target_id=target_id)
