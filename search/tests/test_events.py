"""search/events.py: with Elasticsearch, hiding, unhiding, suspending and unsuspending publish the
sync tasks after commit (queue "search"); with PostgreSQL (the index is the table) nothing is sent."""

import json

import pytest
from django.db import transaction

from accounts import services as account_services
from feed.tests.conftest import purge_queues, take_messages, tasks_published
from tweets import services as tweet_services
from tweets.tests.factories import TweetFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _published() -> list[tuple[str, dict]]:
    return [(m.headers["task"], json.loads(m.body)[1]) for m in take_messages("search")]


@pytest.fixture
def elasticsearch(settings) -> None:  # type: ignore[no-untyped-def]
    """Elasticsearch named as the backend (nothing here talks to it: the tasks are only published)."""
    settings.SEARCH_BACKEND = "search.backends.elasticsearch.ElasticsearchBackend"


def _hide_unhide_suspend_unsuspend() -> tuple[int, int]:
    tweet = TweetFactory()
    purge_queues("search")
    with tasks_published():
        with transaction.atomic():
            tweet_services.tweet_hide(tweet=tweet, reason="spam")
            assert _published() == []  # not before the commit
        with transaction.atomic():
            tweet_services.tweet_unhide(tweet=tweet)
        with transaction.atomic():
            account_services.user_suspend(user=tweet.author)
        with transaction.atomic():
            account_services.user_unsuspend(user=tweet.author)
    return tweet.pk, tweet.author_id


def test_elasticsearch_learns_of_hides_and_suspensions(elasticsearch) -> None:
    tweet_id, author_id = _hide_unhide_suspend_unsuspend()
    assert _published() == [
        ("search.tasks.sync_tweet", {"tweet_id": tweet_id}),
        ("search.tasks.sync_tweet", {"tweet_id": tweet_id}),
        ("search.tasks.sync_user", {"user_id": author_id, "with_tweets": True}),
        ("search.tasks.sync_user", {"user_id": author_id, "with_tweets": True}),
    ]


def test_postgres_needs_no_event() -> None:
    _hide_unhide_suspend_unsuspend()
    assert _published() == []
