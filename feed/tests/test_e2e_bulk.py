"""A large fan-out split into chunks on two real worker processes, beside a normal tweet.

Transactional tests: the workers are other processes and see only committed rows.
"""

import re
import time

import pytest
from django.db import transaction

from accounts.tests.factories import UserFactory
from feed import keys, store
from feed.tests.conftest import feed_ids, feeds_having, make_followers, wait_for
from tweets import services as tweet_services
from tweets.models import Tweet

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FOLLOWERS = 12_000
CHUNK_SIZE = 2000  # feed.tests.slow_bulk_settings


def chunks_run(log: str, tweet_id: int) -> set[int]:
    """The chunk numbers of the tweet's fan-out a worker's log says it ran."""
    return {int(n) for n in re.findall(rf"chunk (\d+)/\d+ of tweet {tweet_id} wrote", log)}


def test_large_fan_out_runs_in_chunks_on_two_workers_and_a_normal_tweet_does_not_wait(
    worker_factory, live_celery, settings, capsys
):
    settings.FANOUT_FOLLOWER_LIMIT = 10_000_000  # fanned out on write, whatever the hybrid's default
    big = UserFactory(username="celebrity")
    followers = [f.pk for f in make_followers(big, FOLLOWERS)]
    normal = UserFactory(username="normal")
    reader = UserFactory(username="reader")
    from accounts.models import Follow

    Follow.objects.create(follower=reader, followee=normal)
    # Two workers, each on both feed queues; chunks of 2,000 written in paced batches of 500.
    workers = [worker_factory(DJANGO_SETTINGS_MODULE="feed.tests.slow_bulk_settings") for _ in range(2)]

    started = time.perf_counter()
    with transaction.atomic():
        large = tweet_services.tweet_create(author=big, content="to twelve thousand")
    assert wait_for(lambda: feeds_having(followers, large.pk) > 0, timeout=30, interval=0.01)
    small_started = time.perf_counter()
    with transaction.atomic():
        small = tweet_services.tweet_create(author=normal, content="a normal tweet")
    assert wait_for(lambda: small.pk in feed_ids(reader), timeout=30, interval=0.01)
    small_ms = (time.perf_counter() - small_started) * 1000
    # The normal tweet arrived while the large fan-out was still under way: it did not queue behind it.
    reached = feeds_having(followers, large.pk)
    assert reached < FOLLOWERS
    assert Tweet.objects.get(pk=large.pk).fanned_out_at is None

    assert wait_for(
        lambda: Tweet.objects.filter(pk=large.pk, fanned_out_at__isnull=False).exists(), timeout=90, interval=0.05
    ), "\n".join(worker.log_text() for worker in workers)
    large_ms = (time.perf_counter() - started) * 1000
    assert feeds_having(followers, large.pk) == FOLLOWERS
    # Exactly once: each follower's feed holds this one tweet and nothing else.
    with store.connection().pipeline(transaction=False) as pipe:
        for follower in followers:
            pipe.zcard(keys.feed_key(follower))
        assert set(pipe.execute()) == {1}
    # Both workers ran chunks, and together every one of the six.
    per_worker = [chunks_run(worker.log_path.read_text(errors="replace"), large.pk) for worker in workers]
    assert all(per_worker), per_worker
    assert set().union(*per_worker) == set(range(1, FOLLOWERS // CHUNK_SIZE + 1))
    with capsys.disabled():
        print(
            f"\n[feed] chunked fan-out to {FOLLOWERS:,} followers on 2 workers: {large_ms:.0f} ms"
            f" (chunks per worker: {[sorted(chunks) for chunks in per_worker]});"
            f" a normal tweet posted meanwhile reached its follower {small_ms:.0f} ms after its commit,"
            f" when the large one had reached {reached:,} feeds"
        )
