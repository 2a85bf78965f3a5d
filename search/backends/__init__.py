"""The search backend interface, and SEARCH_BACKEND (settings) choosing the one in use.

Two implementations: `postgres.PostgresBackend` (full-text search on a generated column:
the database keeps it current, nothing to index) and `elasticsearch.ElasticsearchBackend`
(django-elasticsearch-dsl Documents, kept current by Celery tasks). Views and tasks talk
to `get_backend()` only.
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from accounts.models import User
    from tweets.models import Tweet


class SearchPage(NamedTuple):
    """How many results match in all, and the ids of the requested page, best first."""

    count: int  # type: ignore[assignment]  # the field shadows tuple.count, as NamedTuple allows
    ids: list[int]


class SearchBackend(abc.ABC):
    #: True when the searched data is the database itself: no event needs indexing.
    maintained_by_database: bool = False

    @abc.abstractmethod
    def index_tweets(self, tweets: Iterable[Tweet]) -> None:
        """Add or replace these (visible) tweets in the index."""

    @abc.abstractmethod
    def remove_tweets(self, tweet_ids: Iterable[int]) -> None:
        """Remove these tweets from the index; unknown ids are fine."""

    @abc.abstractmethod
    def remove_tweets_by_author(self, author_id: int) -> None:
        """Remove every tweet of one author (suspension)."""

    @abc.abstractmethod
    def index_users(self, users: Iterable[User]) -> None:
        """Add or replace these (active) users in the index."""

    @abc.abstractmethod
    def remove_users(self, user_ids: Iterable[int]) -> None:
        """Remove these users from the index; unknown ids are fine."""

    @abc.abstractmethod
    def search_tweets(self, q: str, *, viewer: User | None, limit: int, offset: int) -> SearchPage:
        """Tweets matching `q` (web-search syntax), by relevance then recency."""

    @abc.abstractmethod
    def search_users(self, q: str, *, viewer: User | None, limit: int, offset: int) -> SearchPage:
        """Users whose username or display name matches `q`, best match first."""

    @abc.abstractmethod
    def check(self) -> None:
        """Raise when the backend cannot answer searches (for /healthz)."""


@functools.cache
def _load(path: str) -> SearchBackend:
    return import_string(path)()


def get_backend() -> SearchBackend:
    """The backend SEARCH_BACKEND names (one instance per process)."""
    return _load(settings.SEARCH_BACKEND)
