"""Signal receivers: turn account and tweet events into feed tasks.

Connected in FeedConfig.ready(). Signals arrive after commit, so tasks see committed
rows. A receiver never raises into the request: when the broker cannot take a task,
tweet fan-outs are left to the sweeper (the tweet's fanned_out_at stays NULL) and the
other, small maintenance tasks run inline instead, so feeds do not drift.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.dispatch import Signal

from accounts import signals as account_signals
from core.enqueue import enqueue_or_leave_to_sweeper, enqueue_or_run_inline
from feed import objects
from tweets import signals as tweet_signals

logger = logging.getLogger(__name__)


def _tasks():  # type: ignore[no-untyped-def]
    from feed import tasks  # imported late: receivers load before Celery is configured

    return tasks


def on_tweet_created(sender: object, *, tweet_id: int, author_id: int, **kwargs: Any) -> None:
    if "content" in kwargs:  # the body, so the first reads of the new tweet are cache hits
        objects.cache_new_tweet(
            tweet_id=tweet_id,
            author_id=author_id,
            content=kwargs["content"],
            created_at=kwargs["created_at"],
            mention_ids=list(kwargs["mention_ids"]),
            tags=list(kwargs["tags"]),
        )
    enqueue_or_leave_to_sweeper(_tasks().fan_out, "the sweeper", tweet_id=tweet_id)


def on_tweet_removed(sender: object, *, tweet_id: int, author_id: int, reposter_ids: list[int], **kwargs: Any) -> None:
    objects.forget([tweet_id])  # reads would skip it anyway (hydrate checks PostgreSQL): frees memory now
    enqueue_or_run_inline(
        _tasks().remove_tweet, tweet_id=tweet_id, author_id=author_id, reposter_ids=list(reposter_ids)
    )


def on_tweet_restored(sender: object, *, tweet_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().restore_tweet, tweet_id=tweet_id)


def on_repost_created(sender: object, *, tweet_id: int, user_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().add_repost, tweet_id=tweet_id, user_id=user_id)


def on_repost_removed(sender: object, *, tweet_id: int, user_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().remove_repost, tweet_id=tweet_id, user_id=user_id)


def on_follow_created(sender: object, *, follower_id: int, followee_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().merge_followee, follower_id=follower_id, followee_id=followee_id)


def on_follow_removed(sender: object, *, follower_id: int, followee_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().purge_followee, follower_id=follower_id, followee_id=followee_id)


def on_user_suspension_changed(sender: object, *, user_id: int, **kwargs: Any) -> None:
    enqueue_or_run_inline(_tasks().invalidate_around_user, user_id=user_id)


def on_block_changed(sender: object, *, user_id: int, target_id: int, **kwargs: Any) -> None:
    # Each one's content leaves (or may come back to) the other's feed: both are rebuilt.
    enqueue_or_run_inline(_tasks().drop_feeds, user_ids=[user_id, target_id])


def on_mute_changed(sender: object, *, user_id: int, target_id: int, **kwargs: Any) -> None:
    # Only the muter's view changes.
    enqueue_or_run_inline(_tasks().drop_feeds, user_ids=[user_id])


def connect() -> None:
    """Connect every receiver once (dispatch_uid guards against double connection)."""
    pairs: list[tuple[Signal, Callable[..., None], str]] = [
        (tweet_signals.tweet_created, on_tweet_created, "tweet_created"),
        (tweet_signals.tweet_removed, on_tweet_removed, "tweet_removed"),
        (tweet_signals.tweet_restored, on_tweet_restored, "tweet_restored"),
        (tweet_signals.repost_created, on_repost_created, "repost_created"),
        (tweet_signals.repost_removed, on_repost_removed, "repost_removed"),
        (account_signals.follow_created, on_follow_created, "follow_created"),
        (account_signals.follow_removed, on_follow_removed, "follow_removed"),
        (account_signals.user_suspended, on_user_suspension_changed, "user_suspended"),
        (account_signals.user_unsuspended, on_user_suspension_changed, "user_unsuspended"),
        (account_signals.user_blocked, on_block_changed, "user_blocked"),
        (account_signals.user_unblocked, on_block_changed, "user_unblocked"),
        (account_signals.user_muted, on_mute_changed, "user_muted"),
        (account_signals.user_unmuted, on_mute_changed, "user_unmuted"),
    ]
    for signal, receiver, name in pairs:
        signal.connect(receiver, weak=False, dispatch_uid=f"feed.{name}")
