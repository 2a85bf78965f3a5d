"""Search reacts to the domain events that model signals cannot see (connected in SearchConfig.ready()).

Hiding, unhiding and suspending are UPDATE statements (no post_save), so the Elasticsearch
index learns of them here; creates, edits and deletes come through the signal processor
(search/signal_processor.py). The signals are sent after commit, so the task reads committed
rows. With the PostgreSQL backend there is nothing to do; with Elasticsearch, an event the
broker lost waits for `search_index --rebuild`.
"""

from typing import Any

from accounts import signals as account_signals
from core.enqueue import leave_to_sweeper
from core.events import enqueue
from search import tasks
from search.backends import get_backend
from tweets import signals as tweet_signals

REBUILD = leave_to_sweeper("`search_index --rebuild`")


def index_is_external() -> bool:
    """Whether the index is kept apart from PostgreSQL (Elasticsearch), so events must reach it."""
    return not get_backend().maintained_by_database


def with_tweets(*, user_id: int, **_: Any) -> dict[str, Any]:
    """A suspension changes whether the user's tweets may be found too."""
    return {"user_id": user_id, "with_tweets": True}


EVENTS = [
    enqueue(tweet_signals.tweet_removed, tasks.sync_tweet, ("tweet_id",), policy=REBUILD, when=index_is_external),
    enqueue(tweet_signals.tweet_restored, tasks.sync_tweet, ("tweet_id",), policy=REBUILD, when=index_is_external),
    enqueue(account_signals.user_suspended, tasks.sync_user, with_tweets, policy=REBUILD, when=index_is_external),
    enqueue(account_signals.user_unsuspended, tasks.sync_user, with_tweets, policy=REBUILD, when=index_is_external),
]
