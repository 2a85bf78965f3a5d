"""What the feed does when accounts and tweets announce an event (connected in FeedConfig.ready()).

Signals arrive after commit, so tasks see committed rows. When the broker cannot take a
task, a tweet's fan-out is left to the sweeper (its fanned_out_at stays NULL) and the other,
small maintenance tasks run inline instead, so feeds do not drift (core.enqueue).
"""

from typing import Any

from accounts import signals as account_signals
from core.enqueue import RUN_INLINE, leave_to_sweeper
from core.events import call, enqueue
from feed import objects, tasks
from tweets import signals as tweet_signals

SWEEPER = leave_to_sweeper("the sweeper")


def forget_cached_tweet(*, tweet_id: int, **_: Any) -> None:
    """Reads would skip a removed tweet anyway (hydration checks PostgreSQL): this frees memory now."""
    objects.forget([tweet_id])


def both_users(*, user_id: int, target_id: int, **_: Any) -> dict[str, list[int]]:
    """A block or unblock: each one's content leaves (or may come back to) the other's feed."""
    return {"user_ids": [user_id, target_id]}


def the_muter(*, user_id: int, **_: Any) -> dict[str, list[int]]:
    """A mute or unmute: only the muter's view changes."""
    return {"user_ids": [user_id]}


_BODY = ("tweet_id", "author_id", "content", "created_at", "mention_ids", "tags")
_TWEET = ("tweet_id",)
_REPOST = ("tweet_id", "user_id")
_FOLLOW = ("follower_id", "followee_id")

EVENTS = [
    # The new tweet's body first, so its first reads are cache hits; then its fan-out.
    call(tweet_signals.tweet_created, objects.cache_new_tweet, _BODY),
    enqueue(tweet_signals.tweet_created, tasks.fan_out, _TWEET, policy=SWEEPER),
    call(tweet_signals.tweet_removed, forget_cached_tweet),
    enqueue(tweet_signals.tweet_removed, tasks.remove_tweet, (*_TWEET, "author_id", "reposter_ids"), policy=RUN_INLINE),
    enqueue(tweet_signals.tweet_restored, tasks.restore_tweet, _TWEET, policy=RUN_INLINE),
    enqueue(tweet_signals.repost_created, tasks.add_repost, _REPOST, policy=RUN_INLINE),
    enqueue(tweet_signals.repost_removed, tasks.remove_repost, _REPOST, policy=RUN_INLINE),
    enqueue(account_signals.follow_created, tasks.merge_followee, _FOLLOW, policy=RUN_INLINE),
    enqueue(account_signals.follow_removed, tasks.purge_followee, _FOLLOW, policy=RUN_INLINE),
    enqueue(account_signals.user_suspended, tasks.invalidate_around_user, ("user_id",), policy=RUN_INLINE),
    enqueue(account_signals.user_unsuspended, tasks.invalidate_around_user, ("user_id",), policy=RUN_INLINE),
    enqueue(account_signals.user_blocked, tasks.drop_feeds, both_users, policy=RUN_INLINE),
    enqueue(account_signals.user_unblocked, tasks.drop_feeds, both_users, policy=RUN_INLINE),
    enqueue(account_signals.user_muted, tasks.drop_feeds, the_muter, policy=RUN_INLINE),
    enqueue(account_signals.user_unmuted, tasks.drop_feeds, the_muter, policy=RUN_INLINE),
]
