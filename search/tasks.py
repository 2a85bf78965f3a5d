"""Search indexing tasks (queue "search"): ids in, the database re-read, the index synced."""

from typing import Any

from celery import shared_task
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout

from search import services

# Network errors only: anything else is a bug and retrying would not fix it.
_RETRY: dict[str, Any] = {
    "autoretry_for": (ESConnectionError, ConnectionTimeout),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**_RETRY)
def sync_tweet(tweet_id: int) -> None:
    """Index or remove one tweet according to its current row."""
    services.sync_tweet(tweet_id=tweet_id)


@shared_task(**_RETRY)
def sync_user(user_id: int, with_tweets: bool = False) -> None:
    """Index or remove one user (and, on suspension changes, their tweets)."""
    services.sync_user(user_id=user_id, with_tweets=with_tweets)
