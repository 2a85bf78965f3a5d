"""A large fan-out split into chunks on two real bulk workers, beside a normal tweet on its own worker.

Transactional tests: the workers are other processes and see only committed rows.
"""

import json
import time
from datetime import datetime

import pytest
from django.db import transaction

from accounts.models import Follow
from accounts.tests.factories import UserFactory
from feed.tests.conftest import Worker, feed_ids, feed_sizes, feeds_having, make_followers, wait_for
from tweets import services as tweet_services
from tweets.models import Tweet

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FOLLOWERS = 12_000
CHUNKS = 12  # chunks of 1,000 (feed.tests.slow_bulk_settings)


def chunks_finished(worker: Worker, tweet_id: int) -> dict[int, datetime]:
    """Chunk index -> when it finished, for the chunks of the tweet's fan-out this worker ran."""
    finished: dict[int, datetime] = {}
    for line in worker.log_path.read_text(errors="replace").splitlines():
        if '"feeds_written"' not in line or '"chunk"' not in line:
            continue
        record = json.loads(line)
        if record.get("tweet_id") == tweet_id:
            finished[record["chunk"]] = datetime.fromisoformat(record["time"])
    return finished


def test_large_fan_out_runs_in_chunks_on_two_workers_and_a_normal_tweet_does_not_wait(
    worker_factory, live_celery, settings, capsys
):
    settings.FANOUT_FOLLOWER_LIMIT = 10_000_000  # fanned out on write, whatever the hybrid's default
    big = UserFactory(username="celebrity")
    followers = [f.pk for f in make_followers(big, FOLLOWERS)]
    normal, reader = UserFactory(username="normal"), UserFactory(username="reader")
    Follow.objects.create(follower=reader, followee=normal)
    # Workers per queue, one task at a time each: one for normal fan-outs, two for the chunks.
    # (A worker on both queues may take chunk after chunk ahead of a normal fan-out: Celery's
    # prefetch on RabbitMQ is per channel, and which queue fills a freed slot is RabbitMQ's choice.)
    slow = "feed.tests.slow_bulk_settings"
    fast = worker_factory(queues="feed,default", DJANGO_SETTINGS_MODULE=slow)
    workers = [worker_factory(queues="feed_bulk", DJANGO_SETTINGS_MODULE=slow) for _ in range(2)]

    started = time.perf_counter()
    with transaction.atomic():
        large = tweet_services.tweet_create(author=big, content="to twelve thousand")
    # Every 20th follower: enough to see the first batch land, and cheap enough to poll (on
    # the test cluster a check of all 12,000 feeds takes ~0.5 s, long enough for chunks to finish).
    assert wait_for(lambda: feeds_having(followers[::20], large.pk) > 0, timeout=30, interval=0.01)
    small_started = time.perf_counter()
    with transaction.atomic():
        small = tweet_services.tweet_create(author=normal, content="a normal tweet")
    assert wait_for(lambda: small.pk in feed_ids(reader), timeout=30, interval=0.01)
    small_ms = (time.perf_counter() - small_started) * 1000
    assert Tweet.objects.get(pk=large.pk).fanned_out_at is None, "the large fan-out must still be under way"

    assert wait_for(
        lambda: Tweet.objects.filter(pk=large.pk, fanned_out_at__isnull=False).exists(), timeout=90, interval=0.05
    ), "\n".join(worker.log_text() for worker in workers)
    large_ms = (time.perf_counter() - started) * 1000
    assert feeds_having(followers, large.pk) == FOLLOWERS
    # Exactly once: each follower's feed holds this one tweet and nothing else.
    assert set(feed_sizes(followers)) == {1}
    # Both bulk workers ran chunks, and together every one of them; the normal one none.
    per_worker = [chunks_finished(worker, large.pk) for worker in workers]
    assert all(per_worker), per_worker
    assert chunks_finished(fast, large.pk) == {}
    finished = {chunk: at for chunks in per_worker for chunk, at in chunks.items()}
    assert sorted(finished) == list(range(CHUNKS))
    # The normal tweet did not queue behind the chunks: it was fanned out while most of
    # them were still to run; had the chunks shared its queue, it would have come after all.
    small_done = Tweet.objects.get(pk=small.pk).fanned_out_at
    before = sum(at < small_done for at in finished.values())
    assert before <= CHUNKS // 2, f"{before} of {CHUNKS} chunks finished before the normal tweet's fan-out"
    with capsys.disabled():
        print(
            f"\n[feed] chunked fan-out to {FOLLOWERS:,} followers, {CHUNKS} chunks on 2 bulk workers: {large_ms:.0f} ms"
            f" (chunks per worker: {[len(chunks) for chunks in per_worker]}); a normal tweet posted meanwhile"
            f" reached its follower {small_ms:.0f} ms after its commit, with {before} of {CHUNKS} chunks done"
        )
