"""The two test shards get URLs of their own (devtools/testrun.py)."""

import pytest

from devtools.testrun import system_env, with_database_name, with_redis_db


@pytest.mark.parametrize(
    "url, expected",
    [
        ("redis://127.0.0.1:6379/15", "redis://127.0.0.1:6379/14"),
        ("redis://:secret@host:6380/0", "redis://:secret@host:6380/14"),
        ("unix:///work/var/redis/redis.sock?db=15", "unix:///work/var/redis/redis.sock?db=14"),
        ("redis+socket:///work/var/redis.sock?virtual_host=15", "redis+socket:///work/var/redis.sock?virtual_host=14"),
    ],
)
def test_with_redis_db(url, expected):
    assert with_redis_db(url, 14) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgres://postgres@127.0.0.1:5432/chirp_ci", "postgres://postgres@127.0.0.1:5432/chirp_ci_system"),
        ("postgres://chirp@/chirp?host=/work/var/pg", "postgres://chirp@/chirp_system?host=/work/var/pg"),
    ],
)
def test_with_database_name(url, expected):
    assert with_database_name(url, "_system") == expected


def test_system_env_takes_its_own_broker():
    base = {"DATABASE_URL": "postgres://p@h/db", "REDIS_URL": "unix:///s/redis.sock?db=15"}
    assert system_env(base)["CELERY_BROKER_URL"] == "redis+socket:///s/redis.sock?virtual_host=13"
    socket = {**base, "CELERY_BROKER_URL": "redis+socket:///s/redis.sock?virtual_host=15"}  # make test's own
    assert system_env(socket)["CELERY_BROKER_URL"] == "redis+socket:///s/redis.sock?virtual_host=13"
    amqp = {**base, "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//"}
    assert system_env(amqp)["CELERY_BROKER_URL"] == "redis+socket:///s/redis.sock?virtual_host=13"
    tcp = {**amqp, "REDIS_URL": "redis://127.0.0.1:6379/15"}
    assert system_env(tcp)["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/13"
    given = {**amqp, "CELERY_BROKER_URL_SYSTEM": "amqp://guest:guest@127.0.0.1:5672/chirp_system"}
    assert system_env(given)["CELERY_BROKER_URL"] == "amqp://guest:guest@127.0.0.1:5672/chirp_system"
