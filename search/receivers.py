"""Search reacts to the domain events that model signals cannot see.

Hiding, unhiding and suspending are UPDATE statements (no post_save), so the
Elasticsearch index learns of them here; creates, edits and deletes come through the
signal processor (search/signal_processor.py). The signals are sent after commit, so
the task reads committed rows. With the PostgreSQL backend there is nothing to do.
"""

import logging
from typing import Any

from accounts import signals as account_signals
from core.enqueue import enqueue_or_leave_to_sweeper
from search import tasks
from search.backends import get_backend
from tweets import signals as tweet_signals

logger = logging.getLogger(__name__)


def _enqueue(task: Any, **kwargs: Any) -> None:
    """Nothing to do when PostgreSQL is the index; else a lost event waits for the rebuild."""
    if not get_backend().maintained_by_database:
        enqueue_or_leave_to_sweeper(task, "`search_index --rebuild`", **kwargs)


def on_tweet_changed(sender: Any, tweet_id: int, **kwargs: Any) -> None:
    _enqueue(tasks.sync_tweet, tweet_id=tweet_id)


def on_user_suspension_changed(sender: Any, user_id: int, **kwargs: Any) -> None:
    _enqueue(tasks.sync_user, user_id=user_id, with_tweets=True)


def connect() -> None:
    tweet_signals.tweet_removed.connect(on_tweet_changed, dispatch_uid="search.tweet_removed")
    tweet_signals.tweet_restored.connect(on_tweet_changed, dispatch_uid="search.tweet_restored")
    account_signals.user_suspended.connect(on_user_suspension_changed, dispatch_uid="search.user_suspended")
    account_signals.user_unsuspended.connect(on_user_suspension_changed, dispatch_uid="search.user_unsuspended")
