"""Signal receivers: turn account and tweet events into notification tasks.

Connected in NotificationsConfig.ready(). Signals arrive after commit, so tasks see the
committed cause. A receiver never raises into the request: when the broker cannot take a
task, it runs inline (each is a few small queries), so no notification is lost or left
behind; a failure inline is logged.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.dispatch import Signal

from accounts import signals as account_signals
from core.enqueue import enqueue_or_run_inline
from tweets import signals as tweet_signals

logger = logging.getLogger(__name__)


def _tasks():  # type: ignore[no-untyped-def]
    from notifications import tasks  # imported late: receivers load before Celery is configured

    return tasks


def on_follow_created(sender: object, *, follower_id: int, followee_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().notify_follow, follower_id=follower_id, followee_id=followee_id)


def on_follow_removed(sender: object, *, follower_id: int, followee_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().unnotify_follow, follower_id=follower_id, followee_id=followee_id)


def on_like_created(sender: object, *, tweet_id: int, user_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().notify_like, tweet_id=tweet_id, user_id=user_id)


def on_like_removed(sender: object, *, tweet_id: int, user_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().unnotify_like, tweet_id=tweet_id, user_id=user_id)


def on_repost_created(sender: object, *, tweet_id: int, user_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().notify_repost, tweet_id=tweet_id, user_id=user_id)


def on_repost_removed(sender: object, *, tweet_id: int, user_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().unnotify_repost, tweet_id=tweet_id, user_id=user_id)


def on_tweet_created(sender: object, *, tweet_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().notify_tweet, tweet_id=tweet_id)


def on_tweet_restored(sender: object, *, tweet_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().notify_tweet, tweet_id=tweet_id)


def on_tweet_removed(sender: object, *, tweet_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().unnotify_tweet, tweet_id=tweet_id)


def on_user_blocked(sender: object, *, user_id: int, target_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().clear_block, user_id=user_id, target_id=target_id)


def connect() -> None:
    """Connect every receiver once (dispatch_uid guards against double connection)."""
    pairs: list[tuple[Signal, Callable[..., None], str]] = [
        (account_signals.follow_created, on_follow_created, "follow_created"),
        (account_signals.follow_removed, on_follow_removed, "follow_removed"),
        (account_signals.user_blocked, on_user_blocked, "user_blocked"),
        (tweet_signals.like_created, on_like_created, "like_created"),
        (tweet_signals.like_removed, on_like_removed, "like_removed"),
        (tweet_signals.repost_created, on_repost_created, "repost_created"),
        (tweet_signals.repost_removed, on_repost_removed, "repost_removed"),
        (tweet_signals.tweet_created, on_tweet_created, "tweet_created"),
        (tweet_signals.tweet_removed, on_tweet_removed, "tweet_removed"),
        (tweet_signals.tweet_restored, on_tweet_restored, "tweet_restored"),
    ]
    for signal, receiver, name in pairs:
        signal.connect(receiver, weak=False, dispatch_uid=f"notifications.{name}")
