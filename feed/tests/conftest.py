"""Feed test fixtures: Redis feed inspection, on-commit execution, a real Celery worker."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from accounts.models import Follow, User
from accounts.tests.factories import hashed_password
from devtools.processes import stop
from devtools.testing import test_database_url
from feed import keys, merged, store
from feed.models import MergedAuthor

BASE_DIR = Path(__file__).resolve().parents[2]


# --- Redis inspection --------------------------------------------------------


def merged_view(user: User | int) -> tuple[bool, list[merged.Entry]]:
    """A user's whole feed as a read sees it, before hydration: the Redis feed merged with the
    source lists of the merged authors they follow (feed.merged); and whether the feed is
    complete (has its sentinel) or only partial (written by fan-outs, never built)."""
    user_id = user if isinstance(user, int) else user.pk
    complete = store.connection().zscore(keys.feed_key(user_id), keys.SENTINEL) is not None
    page = merged.read_page(user_id=user_id, limit=settings.FEED_MAX_LENGTH, offset=0, partial=True)
    assert page is not None
    return complete, page.entries


def feed_ids(user: User | int) -> list[int]:
    """The tweet ids in a user's Redis feed, newest first (sentinel excluded), merged with
    the source lists of the merged authors they follow."""
    _, view = merged_view(user)
    return [entry.tweet_id for entry in view]


def feed_snapshot(user: User | int) -> tuple[list[tuple[bytes, float]], dict[bytes, bytes]]:
    """Everything a feed holds, as the raw feed would if every entry were fanned out:
    members with scores (oldest first, the sentinel first if complete), and the repost marks."""
    complete, view = merged_view(user)
    members = [(keys.SENTINEL.encode(), float(keys.SENTINEL_SCORE))] if complete else []
    members += [(str(e.tweet_id).encode(), float(e.score)) for e in reversed(view)]
    return members, {str(e.tweet_id).encode(): str(e.reposter_id).encode() for e in view if e.reposter_id}


DEAD_REDIS = "redis://127.0.0.1:1/0"


def redis_down(settings) -> None:  # type: ignore[no-untyped-def]
    """Point the cache and the feeds (single Redis or cluster) at a port nobody listens on."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": DEAD_REDIS}}
    if settings.FEED_REDIS_CLUSTER_URL:
        settings.FEED_REDIS_CLUSTER_URL = DEAD_REDIS


def feed_marks(user: User | int) -> dict[int, int]:
    _, marks = feed_snapshot(user)
    return {int(k): int(v) for k, v in marks.items()}


def is_merged(user: User | int) -> bool:
    """Whether the user's entries are merged at read time now (feed.merged)."""
    user_id = user if isinstance(user, int) else user.pk
    return MergedAuthor.objects.filter(pk=user_id).exists()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """`with commit(): ...` runs the on-commit signals (and the eager tasks) at block end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def make_users(count: int, prefix: str) -> list[User]:
    """Many users at once (bulk insert, one shared password hash)."""
    password = hashed_password()
    return User.objects.bulk_create(
        [User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.com", password=password) for i in range(count)],
        batch_size=5000,
    )


def make_followers(author: User, count: int, prefix: str = "f") -> list[User]:
    followers = make_users(count, prefix)
    Follow.objects.bulk_create([Follow(follower=f, followee=author) for f in followers], batch_size=5000)
    User.objects.filter(pk=author.pk).update(num_followers=count)
    return followers


def feeds_having(user_ids: list[int], tweet_id: int) -> int:
    """How many of these users' feeds contain the tweet, merged sources included (one round
    trip per Redis node for the feeds, then for the sources of the users whose feed lacks it)."""
    client = store.connection()
    scores = store.execute_each(client, [("ZSCORE", keys.feed_key(user_id), tweet_id) for user_id in user_ids])
    lacking = [user_id for user_id, score in zip(user_ids, scores, strict=True) if score is None]
    having = len(user_ids) - len(lacking)
    if not lacking:
        return having
    sources_per_user = store.execute_each(client, [("SMEMBERS", keys.sources_key(user_id)) for user_id in lacking])
    in_source: dict[int, bool] = {}
    for sources in sources_per_user:
        for source in map(int, sources):
            if source not in in_source:
                in_source[source] = client.zscore(keys.source_key(source), tweet_id) is not None
            if in_source[source]:
                having += 1
                break
    return having


def feed_sizes(user_ids: list[int]) -> list[int]:
    """ZCARD of each of these users' feeds (one round trip per Redis node)."""
    commands = [("ZCARD", keys.feed_key(user_id)) for user_id in user_ids]
    return [int(size) for size in store.execute_each(store.connection(), commands)]


def wait_for(condition: Callable[[], bool], timeout: float = 20.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


# --- a real Celery worker -----------------------------------------------------


class Worker:
    """`celery -A config worker` as a subprocess, in its own process group."""

    def __init__(self, env: dict[str, str], log_dir: Path, queues: str = "feed,feed_bulk,default") -> None:
        self.env = env
        self.queues = queues
        self.log_path = log_dir / f"worker-{uuid.uuid4().hex[:8]}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> Worker:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",  # the task runs in this very process: SIGKILL really interrupts it
                "-Q",
                self.queues,
                "-n",
                f"feedtest-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        if not wait_for(lambda: b"ready." in self.log_path.read_bytes() or self.process.poll() is not None, timeout):
            self.stop()
            raise RuntimeError(f"worker did not start:\n{self.log_text()}")
        if self.process.poll() is not None:
            raise RuntimeError(f"worker exited:\n{self.log_text()}")
        return self

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def kill(self) -> None:
        """SIGKILL the worker's whole process group: no cleanup, no ack."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        stop(self.process, timeout=15, group=True)


DEAD_BROKER = "amqp://guest:guest@127.0.0.1:1//"


@contextlib.contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Point this process's Celery publisher at another broker (fresh connection pools)."""
    from config.celery import app

    def reset() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    # Not broker_url: Celery prefers the CELERY_BROKER_URL environment variable to it.
    previous = app.conf.get("broker_write_url")
    app.conf.broker_write_url = url
    reset()
    try:
        yield
    finally:
        app.conf.broker_write_url = previous
        reset()


@contextlib.contextmanager
def tasks_published() -> Iterator[None]:
    """Tasks are published to the broker instead of run inline (eager) for the block."""
    from config.celery import app

    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True


def take_messages(name: str) -> list[Any]:
    """Take (and acknowledge) every message waiting in a queue of the real broker: what was
    published, without a worker."""
    from config.celery import app

    messages = []
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        app.amqp.queues[name].bind(channel).declare()  # declared as Celery does (a new vhost has none)
        while (message := channel.basic_get(name, no_ack=True)) is not None:
            messages.append(message)
    return messages


def purge_queues(*names: str) -> None:
    from config.celery import app

    for name in names:
        with app.connection_for_write() as conn, contextlib.suppress(Exception):  # the queue may not exist yet
            conn.default_channel.queue_purge(name)


@pytest.fixture(scope="session")
def worker_env(django_db_setup, django_db_blocker) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    """Environment for worker subprocesses: the test database, our Redis db (and feed
    cluster, if any) and broker."""
    with django_db_blocker.unblock():
        env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "FEED_REDIS_CLUSTER_URL": settings.FEED_REDIS_CLUSTER_URL,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONUNBUFFERED": "1",
        }
    yield env


@pytest.fixture
def live_celery() -> Iterator[None]:
    """Tasks go through the broker (not run inline) for the duration of a test."""
    from config.celery import app

    purge_queues("feed", "feed_bulk", "default")
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True


@pytest.fixture
def worker_factory(worker_env, tmp_path) -> Iterator[Callable[..., Worker]]:  # type: ignore[no-untyped-def]
    """Start workers of one's own (e.g. to kill them); all are stopped at teardown."""
    started: list[Worker] = []

    def start(queues: str = "feed,feed_bulk,default", **settings_env: str) -> Worker:
        worker = Worker({**worker_env, **settings_env}, tmp_path, queues).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
