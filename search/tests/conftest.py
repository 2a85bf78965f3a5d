"""Fixtures for the search tests: the PostgreSQL backend unless a test asks otherwise."""

import pytest

from accounts.tests.factories import UserFactory
from tweets import services as tweet_services


@pytest.fixture(autouse=True)
def _postgres_backend(settings):
    # Even when ELASTICSEARCH_URL is set for the run, these tests are about PostgreSQL;
    # the Elasticsearch tests switch back explicitly.
    settings.SEARCH_BACKEND = "search.backends.postgres.PostgresBackend"


@pytest.fixture
def viewer():
    return UserFactory(username="viewer")


@pytest.fixture
def client(viewer, make_client):
    return make_client(viewer)


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """Post a tweet through the service (counters, signals after commit), like the API does."""

    def _post(author, content: str):
        with django_capture_on_commit_callbacks(execute=True):
            return tweet_services.tweet_create(author=author, content=content)

    return _post
