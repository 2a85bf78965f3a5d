"""Project-wide fixtures: API clients with real JWTs, a clean Redis per test, eager Celery.

With CHIRP_TEST_FEED_CLUSTER=1 (`make test-scale`) the session starts a real Redis Cluster
(3 masters, 3 replicas, devtools/servers.py) and home feeds live on it
(FEED_REDIS_CLUSTER_URL); the cache and throttling stay on REDIS_URL.
"""

import os
from collections.abc import Iterator

import pytest
from django_redis import get_redis_connection
from rest_framework.test import APIClient

from accounts.tokens import RefreshToken


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings
    from django.contrib.auth.hashers import Argon2PasswordHasher

    if settings.DATABASE_URL_SOURCE == "make run":
        # Tests flush their Redis database: never the one a running `make run` serves from.
        pytest.exit("make run is up here and no URLs are set: run the tests with `make test`, or set REDIS_URL", 2)

    from config.celery import app

    # Still Argon2, but cheap: Django's production cost (100 MiB, 8 lanes) makes every
    # log-in in a test take ~0.5 s. Hashes carry their parameters, so this is consistent.
    Argon2PasswordHasher.time_cost = 1
    Argon2PasswordHasher.memory_cost = 1024
    Argon2PasswordHasher.parallelism = 1

    # Unit tests run tasks inline (against the real Redis and PostgreSQL); the e2e
    # tests start a real worker and switch this off for their duration.
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


FEED_CLUSTER = os.environ.get("CHIRP_TEST_FEED_CLUSTER", "") in {"1", "true", "yes"}


@pytest.fixture(scope="session", autouse=True)
def _feed_cluster() -> Iterator[None]:
    """CHIRP_TEST_FEED_CLUSTER=1: one real Redis Cluster for the session, feeds on it.

    Set in the environment too, so worker subprocesses the tests start use it as well.
    """
    if not FEED_CLUSTER:
        yield
        return
    from django.conf import settings

    from devtools.servers import ThrowawayRedisCluster

    cluster = ThrowawayRedisCluster()
    try:
        cluster.start()
        url = cluster.url()
        previous = settings.FEED_REDIS_CLUSTER_URL
        settings.FEED_REDIS_CLUSTER_URL = url
        os.environ["FEED_REDIS_CLUSTER_URL"] = url
        yield
        settings.FEED_REDIS_CLUSTER_URL = previous
        os.environ.pop("FEED_REDIS_CLUSTER_URL", None)
    finally:
        cluster.destroy()


@pytest.fixture(autouse=True)
def _clean_redis(_feed_cluster: None) -> None:
    """Each test starts with an empty Redis database (REDIS_URL points at a test db), and
    an empty feed cluster when there is one (every master flushed)."""
    get_redis_connection("default").flushdb()
    if FEED_CLUSTER:
        from feed import store

        store.connection().flushall()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    """An APIClient sending a real access token for `user`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def make_client():
    return client_for


# --- named users shared by the app test suites --------------------------------


@pytest.fixture
def alice():  # type: ignore[no-untyped-def]
    from accounts.tests.factories import UserFactory

    return UserFactory(username="alice")


@pytest.fixture
def bob():  # type: ignore[no-untyped-def]
    from accounts.tests.factories import UserFactory

    return UserFactory(username="bob")


@pytest.fixture
def carol():  # type: ignore[no-untyped-def]
    from accounts.tests.factories import UserFactory

    return UserFactory(username="carol")


@pytest.fixture
def dave():  # type: ignore[no-untyped-def]
    from accounts.tests.factories import UserFactory

    return UserFactory(username="dave")


@pytest.fixture
def staff():  # type: ignore[no-untyped-def]
    from accounts.tests.factories import UserFactory

    return UserFactory(username="moderator", is_staff=True)


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:  # type: ignore[no-untyped-def]
    """The OpenAPI document as /api/schema/ serves it (JSON), fetched once per test module."""
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()
