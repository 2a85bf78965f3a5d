"""Which reads may go to a replica, and read-your-writes pins (core/replicas.py).

Against the real cache (Redis) and database; the real streaming replica is in
tests/system/test_replica.py.
"""

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.tokens import RefreshToken
from core import replicas
from core.db_router import ReplicaRouter

pytestmark = pytest.mark.django_db


def request_with(**headers: str):  # type: ignore[no-untyped-def]
    return RequestFactory().get("/api/feed/", headers=headers)


def test_reads_use_the_primary_unless_a_request_allows_a_replica(settings):
    settings.REPLICA_DATABASES = []
    assert replicas.read_alias() == DEFAULT_DB_ALIAS  # tasks, commands, shells: no context
    with replicas.replica_reads(allowed=True):
        # No replica configured (or none up): the primary serves.
        assert replicas.read_alias() == DEFAULT_DB_ALIAS
        with replicas.primary_reads():
            assert not replicas.reading_from_replica()


def test_router_sends_writes_and_migrations_to_the_primary_and_allows_relations():
    router = ReplicaRouter()
    assert router.db_for_write(object) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "feed") is True
    assert router.allow_migrate("replica_0", "feed") is False
    assert router.allow_relation(object(), object()) is True


def test_a_replica_that_does_not_answer_is_skipped_then_retried(settings, monkeypatch):
    settings.REPLICA_DATABASES = ["replica_0", "replica_1"]
    settings.REPLICA_RETRY_SECONDS = 0.3
    up = {"replica_0": False, "replica_1": True}

    class Probe:
        def __init__(self, alias: str) -> None:
            self.alias = alias

        def close_if_health_check_failed(self) -> None:
            pass

        def ensure_connection(self) -> None:
            from django.db import OperationalError

            if not up[self.alias]:
                raise OperationalError("connection refused")

        def close(self) -> None:
            pass

    monkeypatch.setattr(replicas, "connections", {alias: Probe(alias) for alias in up})
    monkeypatch.setattr(replicas, "_down_until", {})
    assert {replicas.healthy_replica() for _ in range(4)} == {"replica_1"}
    up["replica_1"] = False
    assert replicas.healthy_replica() is None  # none up: the caller uses the primary
    up["replica_0"] = up["replica_1"] = True
    assert replicas.healthy_replica() is None  # both marked down for REPLICA_RETRY_SECONDS
    time.sleep(0.35)
    assert {replicas.healthy_replica() for _ in range(4)} == {"replica_0", "replica_1"}  # round robin


@pytest.mark.django_db(transaction=True)  # not inside the test's own transaction
def test_a_request_keeps_its_replica_and_a_transaction_reads_the_primary(settings, monkeypatch):
    turns = iter(["replica_7", "replica_8", "replica_9"])
    monkeypatch.setattr(replicas, "healthy_replica", lambda: next(turns))
    with replicas.replica_reads(allowed=True):
        assert replicas.read_alias() == "replica_7"
        assert replicas.read_alias() == "replica_7"  # one replica per request: one snapshot
        with transaction.atomic():
            assert replicas.read_alias() == DEFAULT_DB_ALIAS
        assert replicas.reading_from_replica()
    with replicas.replica_reads(allowed=False):
        assert replicas.read_alias() == DEFAULT_DB_ALIAS
    with replicas.replica_reads(allowed=True):
        assert replicas.read_alias() == "replica_8"  # the next request, the next replica


def test_client_pin_keys_name_the_jwt_user_else_the_credential(alice):
    token = str(RefreshToken.for_user(alice).access_token)
    assert replicas.client_pin_keys(request_with(Authorization=f"Bearer {token}")) == [f"replica-pin:user:{alice.pk}"]
    opaque = replicas.client_pin_keys(request_with(Authorization="Bearer mastodon-token-abc"))
    assert len(opaque) == 1 and opaque[0].startswith("replica-pin:credential:")
    assert "mastodon-token-abc" not in opaque[0]  # hashed, never the secret itself
    garbage = replicas.client_pin_keys(request_with(Authorization="Bearer a.%%%.c"))
    assert garbage[0].startswith("replica-pin:credential:")
    # The claim is read unverified (routing only): a forged token still gets its 401 from DRF.
    assert replicas.client_pin_keys(request_with()) == []


def test_a_write_pins_its_user_for_replica_pin_seconds(settings, alice):
    settings.REPLICA_PIN_SECONDS = 0.5
    token = str(RefreshToken.for_user(alice).access_token)
    reader = request_with(Authorization=f"Bearer {token}")
    assert not replicas.is_pinned(reader)
    writer = RequestFactory().post("/api/tweets/", headers={"Authorization": "Bearer mastodon-token-abc"})
    writer.user = alice  # as DRF sets it once the view authenticated the token
    replicas.pin(writer, HttpResponse(status=201))
    assert replicas.is_pinned(reader)  # the same user through another client
    assert replicas.is_pinned(request_with(Authorization="Bearer mastodon-token-abc"))
    time.sleep(0.6)
    assert not replicas.is_pinned(reader)


def test_a_log_in_pins_the_session_it_starts(settings):
    from django.contrib.auth.models import AnonymousUser

    writer = RequestFactory().post("/admin/login/")
    writer.user = AnonymousUser()
    response = HttpResponse()
    response.set_cookie(settings.SESSION_COOKIE_NAME, "new-session-key")
    replicas.pin(writer, response)
    reader = RequestFactory().get("/admin/")
    reader.COOKIES[settings.SESSION_COOKIE_NAME] = "new-session-key"
    assert replicas.is_pinned(reader)


@pytest.mark.django_db(transaction=True)
def test_orm_reads_follow_the_router_and_locking_reads_go_to_the_primary(settings, monkeypatch):
    from django.db import router

    from tweets.models import Tweet

    settings.DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
    monkeypatch.setattr(replicas, "healthy_replica", lambda: "replica_7")
    with replicas.replica_reads(allowed=True):
        assert Tweet.objects.all().db == "replica_7"
        assert Tweet.objects.select_for_update().db == DEFAULT_DB_ALIAS  # routed as a write
        assert router.db_for_read(Tweet) == "replica_7"  # what read_connection() opens for raw SQL
    with replicas.replica_reads(allowed=False):
        assert Tweet.objects.all().db == DEFAULT_DB_ALIAS
    assert Tweet.objects.all().db == DEFAULT_DB_ALIAS


@pytest.mark.django_db(transaction=True)
def test_a_task_reads_the_primary_even_run_inline_in_a_read_request(monkeypatch):
    from feed import services, tasks

    seen: list[str] = []
    monkeypatch.setattr(replicas, "healthy_replica", lambda: "replica_7")
    monkeypatch.setattr(services, "fan_out_chunks", lambda tweet_id: seen.append(replicas.read_alias()) or [])
    with replicas.replica_reads(allowed=True):
        assert replicas.read_alias() == "replica_7"
        tasks.fan_out.apply(args=[2**40], kwargs={"force": True})  # as an eager task would run
        assert replicas.read_alias() == "replica_7"
    assert seen == [DEFAULT_DB_ALIAS]


@pytest.mark.django_db(transaction=True)
def test_jwt_authentication_fills_its_cache_from_the_primary(settings, monkeypatch, alice):
    """A lagging replica must not be what the auth cache remembers (a suspension it has not
    replayed would stay cached as active). replica_7 does not exist: any read of it fails."""
    from accounts.authentication import JWTAuthentication

    settings.DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
    monkeypatch.setattr(replicas, "healthy_replica", lambda: "replica_7")
    token = str(RefreshToken.for_user(alice).access_token)
    with replicas.replica_reads(allowed=True):
        user, _ = JWTAuthentication().authenticate(request_with(Authorization=f"Bearer {token}"))
    assert user.pk == alice.pk
