"""Writes of the feed: fan-out on write into Redis, feed maintenance, rebuilds.

Every function here is idempotent (a re-delivered task changes nothing) and takes ids,
re-reading what it needs from PostgreSQL, the source of truth. Fan-outs stream
followers from PostgreSQL and write each batch of ~1,000 feeds with one Lua call.
"""

import logging
import time
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing
from datetime import datetime
from itertools import islice
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection as db
from django.utils import timezone
from redis.exceptions import WatchError
from redis.typing import EncodableT

from accounts.models import Follow, User
from accounts.selectors import excluded_user_ids, follower_id_bounds, follower_ids, follower_ids_between
from core.replicas import reads_from_primary
from feed import keys, merged, scripts, signals, store
from feed.models import MergedAuthor
from feed.pull import TABLES, FeedEntry, kept_from, pull_feed_entries
from tweets.models import Repost, Tweet

logger = logging.getLogger(__name__)


def _max_length() -> int:
    return settings.FEED_MAX_LENGTH


def _batches(ids: Iterable[int]) -> Generator[list[int]]:
    """Batches of FEED_FANOUT_BATCH_SIZE ids, pausing FEED_FANOUT_BATCH_PAUSE s between them.

    The pause (0 by default) lets an operator spread a huge fan-out over time. Use it as
    `with closing(_batches(...))`: on an error (Redis down, a failover) the follower stream's
    server-side cursor is then closed at once. Left to the garbage collector, it was closed
    in the middle of the retry's own fetch, and psycopg waited forever on the connection.
    """
    size = getattr(settings, "FEED_FANOUT_BATCH_SIZE", 1000)
    pause = getattr(settings, "FEED_FANOUT_BATCH_PAUSE", 0.0)
    iterator = iter(ids)
    first = True
    try:
        while batch := list(islice(iterator, size)):
            if pause and not first:
                time.sleep(pause)
            first = False
            yield batch
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def _audience(user_id: int) -> Generator[int]:
    """The feeds an action of `user_id` reaches: their own and their followers'.

    A generator, so that closing it closes the followers' server-side cursor.
    """
    yield user_id
    yield from follower_ids(user_id=user_id)


def _may_see(viewer: str, other: str) -> str:
    """SQL condition: `other`'s content may reach `viewer`'s feed (no block either way, no mute)."""
    mute, block = TABLES["mute"], TABLES["block"]
    return (
        f"NOT EXISTS (SELECT 1 FROM {mute} WHERE user_id = {viewer} AND target_id = {other})"
        f" AND NOT EXISTS (SELECT 1 FROM {block} WHERE user_id = {viewer} AND target_id = {other})"
        f" AND NOT EXISTS (SELECT 1 FROM {block} WHERE user_id = {other} AND target_id = {viewer})"
    )


# --- tweets -----------------------------------------------------------------


def fan_out_tweet(tweet_id: int) -> int:
    """Write a tweet into its author's feed and every follower's; returns feeds written.

    Followers who mute the author are skipped (and, should a block race the fan-out,
    blocked ones too). Records completion in Tweet.fanned_out_at so the sweeper leaves it alone.
    """
    row = (
        Tweet.objects.filter(pk=tweet_id)
        .values_list(
            "author_id",
            "created_at",
            "hidden_at",
            "author__is_active",
            "author__num_followers",
            "author__merged_feed__since",
        )
        .first()
    )
    if row is None:
        return 0  # deleted before its fan-out ran
    author_id, created_at, hidden_at, author_active, num_followers, merged_since = row
    written = 0
    if hidden_at is None and author_active:
        merged.record(store.connection(), user_id=author_id, tweet_id=tweet_id, score=keys.score(created_at))
        if merged.is_merged(user_id=author_id, num_followers=num_followers, since=merged_since):
            # A large account: followers merge the tweet from its source list at read time.
            audience: Iterable[int] = [author_id]
            signals.source_entry_added.send(
                sender=Tweet, source_id=author_id, tweet_id=tweet_id, author_id=author_id, reposter_id=None
            )
        elif num_followers < 1000:
            kept = kept_from([author_id])
            # Most authors: one plain query (the server-side cursor that streams a big
            # audience costs 3-4 round trips). It returns every follower whatever the counter says.
            followers = Follow.objects.filter(followee_id=author_id).values_list("follower_id", flat=True)
            audience = [author_id, *(uid for uid in followers if uid not in kept)]
        else:
            kept = kept_from([author_id])
            audience = (uid for uid in _audience(author_id) if uid not in kept)
        written = _write_fan_out(tweet_id=tweet_id, created_at=created_at, audience=audience)
    # Hidden or suspended: nothing to fan out now; unhide/unsuspend put it back.
    _mark_fanned_out(tweet_id)
    return written


def _write_fan_out(*, tweet_id: int, created_at: datetime, audience: Iterable[int]) -> int:
    """Add the tweet to these users' feeds, a batch of feeds per Lua call; returns feeds written."""
    client = store.connection()
    args = scripts.FanOut(tweet_id=tweet_id, score=keys.score(created_at), max_length=_max_length())
    written = 0
    with closing(_batches(audience)) as batches:
        for batch in batches:
            added = store.positions(store.run_feeds(scripts.FAN_OUT, client, _feeds(batch), args), batch)
            written += len(batch)
            if added:  # a re-run adds nothing: the live streams hear of each entry once
                signals.entries_added.send(sender=Tweet, tweet_id=tweet_id, reposter_id=None, user_ids=added)
    return written


def _mark_fanned_out(tweet_id: int) -> None:
    """Record a completed fan-out (the sweeper then leaves the tweet alone)."""
    Tweet.objects.filter(pk=tweet_id, fanned_out_at__isnull=True).update(fanned_out_at=timezone.now())


# --- chunked fan-out of a large audience ------------------------------------


class FanOutChunk(NamedTuple):
    """A keyset range of an author's follower ids, (after, upto]; None is an open end."""

    after: int | None
    upto: int | None


def fan_out_chunks(tweet_id: int) -> list[FanOutChunk]:
    """The ranges a tweet's fan-out is split into; [] when it is not worth splitting.

    Only authors with more than FANOUT_CHUNK_SIZE followers (the counter) are split, into
    ranges of that many follower ids found by one index-only query; a deleted or hidden
    tweet or a suspended author has nothing to split (the plain fan-out records it done).
    """
    chunk_size = settings.FANOUT_CHUNK_SIZE
    row = (
        Tweet.objects.filter(pk=tweet_id, hidden_at__isnull=True, author__is_active=True)
        .values_list("author_id", "author__num_followers")
        .first()
    )
    if row is None or chunk_size <= 0 or row[1] <= chunk_size or row[1] > merged.follower_limit():
        return []  # (above the follower limit the author is merged: fan_out_tweet writes one feed)
    bounds: list[int | None] = [None, *follower_id_bounds(user_id=row[0], every=chunk_size)]
    return [FanOutChunk(after, upto) for after, upto in zip(bounds, [*bounds[1:], None], strict=True)]


def fan_out_chunk(*, tweet_id: int, chunk: FanOutChunk) -> int:
    """Fan a tweet out to the followers in one range (the first range adds the author's own
    feed); idempotent like the whole fan-out. Returns feeds written."""
    row = (
        Tweet.objects.filter(pk=tweet_id, hidden_at__isnull=True, author__is_active=True)
        .values_list("author_id", "created_at")
        .first()
    )
    if row is None:
        return 0  # deleted, hidden or suspended since: nothing to write
    author_id, created_at = row
    if chunk.after is None:  # once per fan-out: the source list every author has
        merged.record(store.connection(), user_id=author_id, tweet_id=tweet_id, score=keys.score(created_at))
        merged.fanned_out_again(author_id)
    kept = kept_from([author_id])
    followers = follower_ids_between(user_id=author_id, after=chunk.after, upto=chunk.upto)
    audience = [*([author_id] if chunk.after is None else []), *(uid for uid in followers if uid not in kept)]
    return _write_fan_out(tweet_id=tweet_id, created_at=created_at, audience=audience)


def chunks_dispatched(tweet_id: int) -> bool:
    """Whether a chunked fan-out of the tweet was dispatched lately and may still be running
    (the sweeper then leaves it to its chunks instead of dispatching them all again)."""
    return bool(store.connection().exists(keys.fan_out_lease_key(tweet_id)))


def record_chunks_dispatched(tweet_id: int) -> None:
    """Note the dispatch for FANOUT_CHUNK_LEASE_SECONDS (chunks lost beyond it are dispatched again)."""
    store.connection().set(keys.fan_out_lease_key(tweet_id), 1, ex=settings.FANOUT_CHUNK_LEASE_SECONDS)


def forget_chunks_dispatched(tweet_id: int) -> None:
    """Undo record_chunks_dispatched (the chunks could not be published)."""
    store.connection().delete(keys.fan_out_lease_key(tweet_id))


def record_chunk_done(*, tweet_id: int, dispatch: str, index: int, total: int) -> bool:
    """Count one finished chunk; the last one records the whole fan-out done. True then.

    A set of chunk indexes, not a counter: a chunk run twice (retry, redelivery after a
    worker died) is counted once, so the fan-out is done exactly when every chunk ran.
    """
    key = keys.fan_out_chunks_key(tweet_id, dispatch)
    # No MULTI: two last chunks both seeing the full set only record the (idempotent) end twice.
    with store.connection().pipeline(transaction=False) as pipe:
        pipe.sadd(key, index)
        pipe.expire(key, settings.FANOUT_CHUNK_LEASE_SECONDS * 4)
        pipe.scard(key)
        done = int(pipe.execute()[-1])
    if done < total:
        return False
    _mark_fanned_out(tweet_id)
    store.connection().delete(key, keys.fan_out_lease_key(tweet_id))
    return True


def remove_tweet_from_feeds(*, tweet_id: int, author_id: int, reposter_ids: Iterable[int] = ()) -> int:
    """Remove a deleted or hidden tweet from every feed it reached; returns feeds changed."""
    client = store.connection()
    removed = 0
    for user_id in dict.fromkeys([author_id, *reposter_ids]):
        score = merged.unrecord(client, user_id=user_id, tweet_id=tweet_id)
        # A merged entry is in the user's own feed and source list only.
        reach: Iterator[int]
        if merged.reaches_followers(user_id=user_id, score=score):
            reach = _audience(user_id)
        else:
            reach = iter([user_id])
            signals.source_entry_removed.send(sender=Tweet, source_id=user_id, tweet_id=tweet_id)
        with closing(_batches(reach)) as batches:
            for batch in batches:
                feeds = _feeds_and_reposts(batch)
                replies = store.run_feeds(scripts.REMOVE, client, feeds, scripts.Remove(tweet_id=tweet_id))
                had = store.positions(replies, batch)
                removed += len(had)
                if had:
                    signals.entries_removed.send(sender=Tweet, tweet_id=tweet_id, user_ids=had)
    return removed


def restore_tweet(*, tweet_id: int) -> int:
    """Put an unhidden tweet back: its own fan-out, then the entries its reposts brought."""
    written = fan_out_tweet(tweet_id)
    for user_id in Repost.objects.filter(tweet_id=tweet_id).order_by("created_at").values_list("user_id", flat=True):
        written += add_repost(tweet_id=tweet_id, user_id=user_id)
    return written


# --- reposts ----------------------------------------------------------------


def add_repost(*, tweet_id: int, user_id: int) -> int:
    """Bring a reposted tweet into the reposter's and their followers' feeds, once.

    Users who follow the tweet's author are left alone (they see it by its own right), and
    so are users who block, are blocked by or mute the reposter or the author; an entry an
    older repost brought moves up and takes this reposter's name. Returns the number of
    feeds changed.
    """
    row = (
        Repost.objects.filter(tweet_id=tweet_id, user_id=user_id)
        .values_list(
            "created_at",
            "tweet__author_id",
            "tweet__hidden_at",
            "tweet__author__is_active",
            "user__is_active",
            "user__num_followers",
            "user__merged_feed__since",
        )
        .first()
    )
    if row is None:
        return 0  # undone (or the tweet deleted) before this ran
    created_at, author_id, hidden_at, author_active, reposter_active, num_followers, merged_since = row
    if hidden_at is not None or not author_active or not reposter_active:
        return 0
    client = store.connection()
    args = scripts.RepostAdd(
        tweet_id=tweet_id, score=keys.score(created_at), reposter_id=user_id, max_length=_max_length()
    )
    if author_id != user_id:  # one's own tweet is in one's source list already
        merged.record(client, user_id=user_id, tweet_id=tweet_id, score=keys.score(created_at), author_id=author_id)
    # A large reposter: followers merge it from the reposter's source list.
    large = merged.is_merged(user_id=user_id, num_followers=num_followers, since=merged_since)
    audience: Iterator[int] = iter([user_id]) if large else _audience(user_id)
    if large and author_id != user_id:
        signals.source_entry_added.send(
            sender=Repost, source_id=user_id, tweet_id=tweet_id, author_id=author_id, reposter_id=user_id
        )
    kept = kept_from([user_id, author_id])
    added = 0
    with closing(_batches(audience)) as batches:
        for batch in batches:
            # Who follows the author sees the tweet by its own right, even once trimmed away.
            own = set(
                Follow.objects.filter(followee_id=author_id, follower_id__in=batch).values_list(
                    "follower_id", flat=True
                )
            )
            own.add(author_id)
            targets = [target for target in batch if target not in own and target not in kept]
            if targets:
                replies = store.run_feeds(scripts.REPOST_ADD, client, _feeds_and_reposts(targets), args)
                entered = store.positions(replies, targets)
                added += len(entered)
                if entered:
                    signals.entries_added.send(sender=Repost, tweet_id=tweet_id, reposter_id=user_id, user_ids=entered)
    return added


def remove_repost(*, tweet_id: int, user_id: int) -> int:
    """Undo a repost in feeds: remove the entries this repost brought in.

    Users who still have a reason to see the tweet (they follow its author, or someone
    else they follow reposted it) get it back with that reason. Returns feeds changed.
    """
    if Repost.objects.filter(tweet_id=tweet_id, user_id=user_id).exists():
        return 0  # reposted again since: nothing to undo
    client = store.connection()
    changed = 0
    score = merged.unrecord(client, user_id=user_id, tweet_id=tweet_id, only_repost=True)
    reach = _audience(user_id) if merged.reaches_followers(user_id=user_id, score=score) else iter([user_id])
    args = scripts.RepostRemove(tweet_id=tweet_id, reposter_id=user_id)
    with closing(_batches(reach)) as batches:
        for batch in batches:
            replies = store.run_feeds(scripts.REPOST_REMOVE, client, _feeds_and_reposts(batch), args)
            # Positions are 1-based within each call's feeds.
            users = [batch[reply.feeds[position - 1]] for reply in replies for position in reply.value]
            if users:
                changed += len(users)
                _merge_many(client, _reasons_to_see(tweet_id=tweet_id, user_ids=users))
    return changed


def _reasons_to_see(*, tweet_id: int, user_ids: list[int]) -> dict[int, FeedEntry]:
    """For each user, why they should still see the tweet: author followed or a repost.

    Users who block, are blocked by or mute the author have none; a repost by someone they
    block, are blocked by or mute is no reason.
    """
    row = (
        Tweet.objects.filter(pk=tweet_id, hidden_at__isnull=True, author__is_active=True)
        .values_list("author_id", "created_at")
        .first()
    )
    if row is None:
        return {}
    author_id, created_at = row
    kept = kept_from([author_id])
    user_ids = [user_id for user_id in user_ids if user_id not in kept]
    if not user_ids:
        return {}
    follows = Follow.objects.filter(followee_id=author_id, follower_id__in=user_ids)
    own = set(follows.values_list("follower_id", flat=True))
    if author_id in user_ids:
        own.add(author_id)
    reasons = {user_id: FeedEntry(tweet_id, keys.score(created_at), None) for user_id in own}
    others = [user_id for user_id in user_ids if user_id not in own]
    if others:
        sql = """
            SELECT DISTINCT ON (u.uid) u.uid, r.user_id, r.created_at
            FROM unnest(%s::bigint[]) AS u(uid)
            JOIN {repost} r ON r.tweet_id = %s AND (
                r.user_id = u.uid OR EXISTS (
                    SELECT 1 FROM {follow} f WHERE f.follower_id = u.uid AND f.followee_id = r.user_id))
            JOIN {user} ru ON ru.id = r.user_id AND ru.is_active
            WHERE {may_see}
            ORDER BY u.uid, r.created_at DESC, r.user_id DESC
        """.format(may_see=_may_see("u.uid", "r.user_id"), **TABLES)
        with db.cursor() as cursor:
            cursor.execute(sql, [others, tweet_id])
            for user_id, reposter_id, at in cursor.fetchall():
                reasons[user_id] = FeedEntry(tweet_id, keys.score(at), reposter_id)
    return reasons


def _merge_many(client: Any, entries_by_user: dict[int, FeedEntry]) -> None:
    """Merge one entry into each of several feeds, in one pipeline (one round trip per node)."""
    if not entries_by_user:
        return
    calls = [
        scripts.Merge.into_feed(user_id, max_length=_max_length(), only_if_complete=False, entries=[entry])
        for user_id, entry in entries_by_user.items()
    ]
    store.run_each(scripts.MERGE, client, calls)


def _feeds(user_ids: list[int]) -> list[list[str]]:
    """Each user's feed key, as `store.run_feeds` takes them."""
    return [[keys.feed_key(user_id)] for user_id in user_ids]


def _feeds_and_reposts(user_ids: list[int]) -> list[list[str]]:
    """Each user's [feed, reposts] keys, as `store.run_feeds` takes them."""
    return [[keys.feed_key(user_id), keys.reposts_key(user_id)] for user_id in user_ids]


# --- follows ----------------------------------------------------------------


def merge_followee(*, follower_id: int, followee_id: int) -> int:
    """After a follow: merge the followee's recent tweets and reposts into the follower's feed.

    A feed not built yet is left alone (it is built whole on first read). A muted followee
    brings nothing, nor does a repost of a tweet by someone blocked either way or muted.
    """
    if not Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).exists():
        return 0  # unfollowed before this ran
    if not User.objects.filter(pk=followee_id, is_active=True).exists():
        return 0
    excluded = excluded_user_ids(viewer_id=follower_id)
    if followee_id in excluded:
        return 0
    max_length = _max_length()
    own = Tweet.objects.filter(author_id=followee_id, hidden_at__isnull=True).order_by("-created_at")[:max_length]
    if MergedAuthor.objects.filter(pk=followee_id).exists():
        # Merged at read time: the followee becomes a source of this feed, nothing is copied.
        tweet_ids = list(own.values_list("pk", flat=True))
        return merged.add_source(follower_id=follower_id, followee_id=followee_id, tweet_ids=tweet_ids)
    sources = [follower_id, *Follow.objects.filter(follower_id=follower_id).values_list("followee_id", flat=True)]
    reposts = (
        Repost.objects.filter(user_id=followee_id, tweet__hidden_at__isnull=True, tweet__author__is_active=True)
        .exclude(tweet__author_id__in=[*sources, *excluded])
        .order_by("-created_at")
        .values_list("tweet_id", "created_at")[:max_length]
    )
    # Own entries first: a repost of a tweet that is already there is then skipped.
    entries = [
        scripts.MergeEntry(tweet_id, keys.score(at), None) for tweet_id, at in own.values_list("pk", "created_at")
    ]
    entries += [scripts.MergeEntry(tweet_id, keys.score(at), followee_id) for tweet_id, at in reposts]
    if not entries:
        return 0
    client = store.connection()
    call = scripts.Merge.into_feed(follower_id, max_length=max_length, only_if_complete=True, entries=entries)
    added = store.run(scripts.MERGE, client, call)
    if int(added) >= 0 and merged.has_sources(follower_id):
        merged.refresh_hidden(follower_id)  # sources' reposts of the followee's tweets now hidden
    return max(int(added), 0)


def purge_followee(*, follower_id: int, followee_id: int) -> int:
    """After an unfollow: remove the followee's tweets and reposts from the follower's feed.

    Tweets the follower still has a reason to see (another followee reposted them) come
    back with that reason. Returns the number of entries removed.
    """
    if Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).exists():
        return 0  # followed again before this ran
    tweet_ids = list(
        Tweet.objects.filter(author_id=followee_id)
        .order_by("-created_at")
        .values_list("pk", flat=True)[: _max_length()]
    )
    client = store.connection()
    purge = scripts.Purge(user_id=follower_id, followee_id=followee_id, tweet_ids=tweet_ids)
    removed = [int(tweet_id) for tweet_id in store.run(scripts.PURGE, client, purge)]
    was_source = merged.remove_source(follower_id=follower_id, followee_id=followee_id)
    # A merged followee's tweets were never in this feed: any of them may come back by a repost.
    seen_again = tweet_ids if was_source else removed
    if seen_again:
        back = _reposts_seen_by(user_id=follower_id, tweet_ids=seen_again)
        if back:
            call = scripts.Merge.into_feed(follower_id, max_length=_max_length(), only_if_complete=False, entries=back)
            store.run(scripts.MERGE, client, call)
    if merged.has_sources(follower_id):
        merged.refresh_hidden(follower_id)  # sources' reposts of the followee's tweets shown again
    return len(removed)


def _reposts_seen_by(*, user_id: int, tweet_ids: list[int]) -> list[FeedEntry]:
    """For each tweet, its latest repost by the user or someone they follow (if any), leaving
    out tweets and reposts by users the user blocks, is blocked by or mutes."""
    sql = """
        SELECT DISTINCT ON (r.tweet_id) r.tweet_id, r.created_at, r.user_id
        FROM {repost} r
        JOIN {tweet} t ON t.id = r.tweet_id AND t.hidden_at IS NULL
        JOIN {user} au ON au.id = t.author_id AND au.is_active
        JOIN {user} ru ON ru.id = r.user_id AND ru.is_active
        WHERE r.tweet_id = ANY(%(ids)s) AND (
            r.user_id = %(user_id)s
            OR r.user_id IN (SELECT followee_id FROM {follow} WHERE follower_id = %(user_id)s))
            AND {author_seen} AND {reposter_seen}
        ORDER BY r.tweet_id, r.created_at DESC, r.user_id DESC
    """.format(
        author_seen=_may_see("%(user_id)s", "t.author_id"),
        reposter_seen=_may_see("%(user_id)s", "r.user_id"),
        **TABLES,
    )
    with db.cursor() as cursor:
        cursor.execute(sql, {"ids": tweet_ids, "user_id": user_id})
        return [FeedEntry(tweet_id, keys.score(at), reposter_id) for tweet_id, at, reposter_id in cursor.fetchall()]


# --- users ------------------------------------------------------------------


def invalidate_feeds_around(*, user_id: int) -> int:
    """Drop every feed that may hold the user's tweets or reposts; each is rebuilt on read.

    Used on suspend and unsuspend: cheaper and exacter than editing thousands of feeds
    (the rebuild reads who is active), and reads already hide suspended authors meanwhile.
    """
    sql = """
        SELECT DISTINCT r.user_id FROM {repost} r JOIN {tweet} t ON t.id = r.tweet_id
        WHERE t.author_id = %s
    """.format(**TABLES)
    with db.cursor() as cursor:
        cursor.execute(sql, [user_id])
        reposters = [row[0] for row in cursor.fetchall()]
    client = store.connection()
    dropped = merged.drop_sources([user_id, *reposters])
    for source in dict.fromkeys([user_id, *reposters]):
        with closing(_batches(_audience(source))) as batches:
            for batch in batches:
                dropped += store.delete_feeds(client, batch)
    return dropped


@reads_from_primary
def rebuild_feed(user_id: int) -> int:
    """Rebuild one feed from PostgreSQL and replace it atomically; returns its length.

    WATCH makes a fan-out that lands between the SQL read and the write restart the
    rebuild, so nothing committed meanwhile is lost. Safe on a live site. Reads the
    primary even inside a read-only request: a lagging replica would drop new tweets.
    """
    client = store.connection()
    feed_key, reposts_key = keys.feed_key(user_id), keys.reposts_key(user_id)
    extra_keys = merged.viewer_extra_keys(user_id)
    for attempt in range(5):
        with client.pipeline(transaction=True) as pipe:
            try:
                if attempt < 4:
                    pipe.watch(feed_key, reposts_key, *extra_keys)
                # Merged followees stay out of the feed: the read merges their source lists.
                sources = merged.sources_of(user_id)
                hidden = merged.hidden_of(user_id, sources)
                excluded = excluded_user_ids(viewer_id=user_id)
                entries = pull_feed_entries(user_id=user_id, limit=_max_length(), offset=0, skip_sources=sources)
                pipe.multi()
                pipe.delete(feed_key, reposts_key, *extra_keys)
                members: dict[str, int] = {keys.SENTINEL: keys.SENTINEL_SCORE}
                members.update((str(entry.tweet_id), entry.score) for entry in entries)
                pipe.zadd(feed_key, members)
                marks: dict[EncodableT, EncodableT] = {
                    str(entry.tweet_id): entry.reposter_id for entry in entries if entry.reposter_id
                }
                if marks:
                    pipe.hset(reposts_key, mapping=marks)
                merged.write_rebuilt(pipe, user_id, sources, hidden, excluded)
                pipe.execute()
                return len(entries)
            except WatchError:
                logger.info("feed: user %s's feed changed during its rebuild; retrying", user_id)
    raise AssertionError("unreachable: the last attempt does not watch")


def forget_entries(*, user_id: int, tweet_ids: list[int]) -> None:
    """Drop entries a read found it can no longer show (deleted, hidden, excluded); best effort."""
    try:
        client = store.connection()
        with client.pipeline(transaction=False) as pipe:
            pipe.zrem(keys.feed_key(user_id), *tweet_ids)
            pipe.hdel(keys.reposts_key(user_id), *(str(tweet_id) for tweet_id in tweet_ids))
            pipe.execute()
    except store.REDIS_ERRORS as exc:
        logger.warning("feed: could not drop stale entries of user %s: %s", user_id, exc)


def drop_feed(user_id: int) -> None:
    """Forget a feed (it is rebuilt on the next read)."""
    store.delete_feeds(store.connection(), [user_id])


def drop_feeds(*, user_ids: Iterable[int]) -> int:
    """Forget several feeds in one call; each is rebuilt from PostgreSQL on its next read.

    Used after a block, mute, unblock or unmute: the rebuild applies the new exclusions
    exactly (including reposts of old tweets a purge by id list would miss) and brings back
    what an undo allows again. Returns how many keys existed.
    """
    return store.delete_feeds(store.connection(), list(dict.fromkeys(user_ids)))
