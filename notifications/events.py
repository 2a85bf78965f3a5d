"""What notifications does when accounts and tweets announce an event (connected in NotificationsConfig.ready()).

Signals arrive after commit, so tasks see the committed cause. When the broker cannot take
a task it runs inline (each is a few small queries), so no notification is lost or left
behind; a failure inline is logged (core.enqueue).
"""

from accounts import signals as account_signals
from core.enqueue import RUN_INLINE
from core.events import enqueue
from notifications import tasks
from tweets import signals as tweet_signals

_TWEET = ("tweet_id",)
_BY_USER = ("tweet_id", "user_id")
_FOLLOW = ("follower_id", "followee_id")

EVENTS = [
    enqueue(account_signals.follow_created, tasks.notify_follow, _FOLLOW, policy=RUN_INLINE),
    enqueue(account_signals.follow_removed, tasks.unnotify_follow, _FOLLOW, policy=RUN_INLINE),
    enqueue(account_signals.user_blocked, tasks.clear_block, ("user_id", "target_id"), policy=RUN_INLINE),
    enqueue(tweet_signals.like_created, tasks.notify_like, _BY_USER, policy=RUN_INLINE),
    enqueue(tweet_signals.like_removed, tasks.unnotify_like, _BY_USER, policy=RUN_INLINE),
    enqueue(tweet_signals.repost_created, tasks.notify_repost, _BY_USER, policy=RUN_INLINE),
    enqueue(tweet_signals.repost_removed, tasks.unnotify_repost, _BY_USER, policy=RUN_INLINE),
    enqueue(tweet_signals.tweet_created, tasks.notify_tweet, _TWEET, policy=RUN_INLINE),
    enqueue(tweet_signals.tweet_restored, tasks.notify_tweet, _TWEET, policy=RUN_INLINE),
    enqueue(tweet_signals.tweet_removed, tasks.unnotify_tweet, _TWEET, policy=RUN_INLINE),
]
