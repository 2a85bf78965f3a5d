"""Celery tasks of the feed (queue "feed"; the chunks of large fan-outs on "feed_bulk"):
take ids, call a service, retry on Redis errors.

Acknowledged late (config: CELERY_TASK_ACKS_LATE), so a worker killed mid-task leaves
the message to be redelivered; every service is idempotent, so running again is safe.
"""

import logging
import time
import uuid
from datetime import timedelta
from typing import Any

from celery import group, shared_task
from celery.signals import worker_ready

from feed import selectors, services, store

logger = logging.getLogger(__name__)

# Only Redis trouble is worth retrying: a database error or a bug would fail again. On a
# cluster that includes a slot moved or failed over mid-task (MOVED, CLUSTERDOWN, a dead
# master): the retry finds the new owner, and every service is idempotent.
_RETRY: dict[str, Any] = {
    "autoretry_for": store.REDIS_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 12,
    "acks_late": True,
}

SWEEP_MIN_AGE = timedelta(seconds=5)


@shared_task(name="feed.tasks.fan_out", **_RETRY)
def fan_out(tweet_id: int, force: bool = False, redispatch: bool = False) -> int:
    """Fan a new tweet out to its author's and followers' feeds (skipped once recorded done).

    A large audience (more than FANOUT_CHUNK_SIZE followers) is split into chunks that
    run in parallel on the `feed_bulk` queue, so this queue's next tweet does not wait.
    `redispatch` (the start-up sweep): dispatch the chunks again even if a dispatch is
    under way, since a crash may have taken some of them.
    """
    if not force and selectors.tweet_fanned_out(tweet_id=tweet_id):
        return 0
    chunks = services.fan_out_chunks(tweet_id)
    if chunks:
        return _dispatch_chunks(tweet_id, chunks, again=force or redispatch)
    started = time.perf_counter()
    written = services.fan_out_tweet(tweet_id)
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    # One structured line per fan-out (with task_id, see core/logging.py): its duration is
    # what an operator looks at when feeds lag.
    logger.info(
        "feed: fan-out of tweet %s wrote %d feeds in %.1f ms",
        tweet_id,
        written,
        duration_ms,
        extra={"tweet_id": tweet_id, "feeds_written": written, "duration_ms": duration_ms},
    )
    return written


def _dispatch_chunks(tweet_id: int, chunks: list[services.FanOutChunk], *, again: bool) -> int:
    """Publish one fan_out_chunk task per chunk (a Celery group on `feed_bulk`); returns 0.

    A dispatch already under way (the beat sweeper met the tweet before its chunks
    finished) is left to run rather than doubled, unless `again`. No result backend: the
    chunks of this dispatch (its id) count themselves done in Redis and the last one
    records the fan-out (services.record_chunk_done); an earlier dispatch's chunks still
    running count apart, so a plan made again (followers changed) is never mixed with it.
    """
    if not again and services.chunks_dispatched(tweet_id):
        return 0
    dispatch = uuid.uuid4().hex[:12]
    # Noted before publishing, so the last chunk's clean-up comes after it.
    services.record_chunks_dispatched(tweet_id)
    try:
        group(
            fan_out_chunk.si(tweet_id, index, len(chunks), chunk.after, chunk.upto, dispatch)
            for index, chunk in enumerate(chunks)
        ).apply_async()
    except Exception:
        services.forget_chunks_dispatched(tweet_id)  # nothing runs: let the sweeper try again
        raise
    logger.info(
        "feed: fan-out of tweet %s split into %d chunks",
        tweet_id,
        len(chunks),
        extra={"tweet_id": tweet_id, "chunks": len(chunks)},
    )
    return 0


@shared_task(name="feed.tasks.fan_out_chunk", **_RETRY)
def fan_out_chunk(
    tweet_id: int, index: int, total: int, after: int | None, upto: int | None, dispatch: str = ""
) -> int:
    """Fan a tweet out to one range of its author's followers (queue `feed_bulk`)."""
    started = time.perf_counter()
    written = services.fan_out_chunk(tweet_id=tweet_id, chunk=services.FanOutChunk(after, upto))
    completed = services.record_chunk_done(tweet_id=tweet_id, dispatch=dispatch, index=index, total=total)
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    logger.info(
        "feed: chunk %d/%d of tweet %s wrote %d feeds in %.1f ms%s",
        index + 1,
        total,
        tweet_id,
        written,
        duration_ms,
        " (fan-out complete)" if completed else "",
        extra={"tweet_id": tweet_id, "chunk": index, "feeds_written": written, "duration_ms": duration_ms},
    )
    return written


@shared_task(name="feed.tasks.remove_tweet", **_RETRY)
def remove_tweet(tweet_id: int, author_id: int, reposter_ids: list[int] | None = None) -> int:
    """Remove a deleted or hidden tweet from every feed it reached."""
    return services.remove_tweet_from_feeds(tweet_id=tweet_id, author_id=author_id, reposter_ids=reposter_ids or [])


@shared_task(name="feed.tasks.restore_tweet", **_RETRY)
def restore_tweet(tweet_id: int) -> int:
    """Put an unhidden tweet back into feeds."""
    return services.restore_tweet(tweet_id=tweet_id)


@shared_task(name="feed.tasks.add_repost", **_RETRY)
def add_repost(tweet_id: int, user_id: int) -> int:
    """Bring a repost into the reposter's and their followers' feeds."""
    return services.add_repost(tweet_id=tweet_id, user_id=user_id)


@shared_task(name="feed.tasks.remove_repost", **_RETRY)
def remove_repost(tweet_id: int, user_id: int) -> int:
    """Remove the feed entries an undone repost brought in."""
    return services.remove_repost(tweet_id=tweet_id, user_id=user_id)


@shared_task(name="feed.tasks.merge_followee", **_RETRY)
def merge_followee(follower_id: int, followee_id: int) -> int:
    """After a follow: backfill the followee's recent tweets."""
    return services.merge_followee(follower_id=follower_id, followee_id=followee_id)


@shared_task(name="feed.tasks.purge_followee", **_RETRY)
def purge_followee(follower_id: int, followee_id: int) -> int:
    """After an unfollow: remove the followee's tweets."""
    return services.purge_followee(follower_id=follower_id, followee_id=followee_id)


@shared_task(name="feed.tasks.invalidate_around_user", **_RETRY)
def invalidate_around_user(user_id: int) -> int:
    """After a suspension or its lifting: drop the feeds that hold the user's entries."""
    return services.invalidate_feeds_around(user_id=user_id)


@shared_task(name="feed.tasks.drop_feeds", **_RETRY)
def drop_feeds(user_ids: list[int]) -> int:
    """After a block, mute or their undoing: drop the feeds concerned; each is rebuilt on read."""
    return services.drop_feeds(user_ids=user_ids)


@shared_task(name="feed.tasks.rebuild", **_RETRY)
def rebuild(user_id: int) -> int:
    """Rebuild one user's feed from PostgreSQL."""
    return services.rebuild_feed(user_id)


@shared_task(name="feed.tasks.sweep_unfanned", acks_late=True)
def sweep_unfanned(
    min_age_seconds: float = SWEEP_MIN_AGE.total_seconds(), limit: int = 500, redispatch: bool = False
) -> int:
    """Enqueue the fan-out of tweets that never completed one (broker down when posted).

    Runs from celery beat (CELERY_BEAT_SCHEDULE) and when a worker starts. Tweets younger
    than `min_age_seconds` are left to the fan-out their commit enqueued. `redispatch`
    (at worker start): chunked fan-outs under way are dispatched again too.
    """
    ids = selectors.unfanned_tweet_ids(older_than=timedelta(seconds=min_age_seconds), limit=limit)
    for tweet_id in ids:
        fan_out.apply_async(args=[tweet_id], kwargs={"redispatch": True} if redispatch else {})
    if ids:
        logger.warning("feed: %d tweet(s) had no completed fan-out; enqueued again", len(ids))
    return len(ids)


@worker_ready.connect(dispatch_uid="feed.sweep_on_worker_ready")
def _sweep_on_worker_ready(**kwargs: object) -> None:
    """A worker that starts (maybe after an outage or a crash) fans out every straggler.

    No minimum age here: a tweet whose fan-out a crash cut short just before this start
    is redone at once (with RabbitMQ its unacknowledged task also comes back; the Redis
    transport restores it only after the visibility timeout). A fan-out that is merely
    still queued runs twice, which changes nothing: every fan-out is idempotent. So do
    the chunks of a large one under way: they are dispatched again, all of them.
    """
    try:
        sweep_unfanned.apply_async(kwargs={"min_age_seconds": 0, "redispatch": True})
    except Exception:  # never keep a worker from starting
        logger.exception("feed: could not enqueue the start-up sweep")
