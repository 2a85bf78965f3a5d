"""Search reacts to the domain events that model signals cannot see.

Hiding, unhiding and suspending are UPDATE statements (no post_save), so the
Elasticsearch index learns of them here; creates, edits and deletes come through the
signal processor (search/signal_processor.py). The signals are sent after commit, so
the task reads committed rows. With the PostgreSQL backend there is nothing to do.
"""

import logging
from typing import Any

from accounts import signals as account_signals
from search import tasks
from search.backends import get_backend
from tweets import signals as tweet_signals

logger = logging.getLogger(__name__)


def _enqueue(task: Any, **kwargs: Any) -> None:
    if get_backend().maintained_by_database:
        return
    try:
        task.delay(**kwargs)
    except Exception:  # a receiver must not raise; `search_index --rebuild` repairs a lost event
        logger.exception("could not enqueue %s%s", task.name, kwargs)


def on_tweet_changed(sender: Any, tweet_id: int, **kwargs: Any) -> None:
    _enqueue(tasks.sync_tweet, tweet_id=tweet_id)


def on_user_suspension_changed(sender: Any, user_id: int, **kwargs: Any) -> None:
    _enqueue(tasks.sync_user, user_id=user_id, with_tweets=True)


def connect() -> None:
    tweet_signals.tweet_removed.connect(on_tweet_changed, dispatch_uid="search.tweet_removed")
    tweet_signals.tweet_restored.connect(on_tweet_changed, dispatch_uid="search.tweet_restored")
    account_signals.user_suspended.connect(on_user_suspension_changed, dispatch_uid="search.user_suspended")
    account_signals.user_unsuspended.connect(on_user_suspension_changed, dispatch_uid="search.user_unsuspended")
