"""Source lists: every author's newest tweets and reposts (`chirp:src:{author}`), written on
every post, repost, delete and hide whatever the author's size, read by their merged
followers' reads. A list Redis lost (no sentinel) is rebuilt whole from PostgreSQL."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import connection as db
from redis import Redis
from redis.exceptions import WatchError
from redis.typing import EncodableT

from feed import keys, scripts, store
from feed.pull import TABLES

logger = logging.getLogger(__name__)


def max_length() -> int:
    """FEED_MAX_LENGTH: a source list is capped as a feed is."""
    return settings.FEED_MAX_LENGTH


def record(client: Redis, *, user_id: int, tweet_id: int, score: int, author_id: int | None = None) -> None:
    """Put a tweet (author_id None) or a repost of `author_id`'s tweet into `user_id`'s source
    list: an own entry beats a repost entry, a newer repost moves it up (feed rules). Every
    author has one, whatever their size, so crossing the follower limit needs no rebuild."""
    call = scripts.Merge.into_source(
        user_id, max_length=max_length(), only_if_complete=True, entries=[(tweet_id, score, author_id)]
    )
    if int(store.run(scripts.MERGE, client, call)) < 0:
        # No list yet (a new author, or Redis lost it): built whole from PostgreSQL, which
        # has this entry committed already.
        rebuild_source(user_id)


def unrecord(client: Redis, *, user_id: int, tweet_id: int, only_repost: bool = False) -> int | None:
    """Take a tweet out of `user_id`'s source list; returns the entry's score, if it was there."""
    call = scripts.SourceRemove(author_id=user_id, tweet_id=tweet_id, only_repost=only_repost)
    score = store.run(scripts.SOURCE_REMOVE, client, call)
    return None if score is None else int(float(score))


_SOURCE_SQL = """
SELECT tweet_id, at, author_id FROM (
    (SELECT t.id AS tweet_id, t.created_at AS at, NULL::bigint AS author_id
     FROM {tweet} t WHERE t.author_id = %(user_id)s AND t.hidden_at IS NULL
     ORDER BY t.created_at DESC LIMIT %(n)s)
    UNION ALL
    (SELECT r.tweet_id, r.created_at, t.author_id
     FROM (SELECT tweet_id, created_at FROM {repost} WHERE user_id = %(user_id)s
           ORDER BY created_at DESC LIMIT %(n)s) r
     JOIN {tweet} t ON t.id = r.tweet_id AND t.hidden_at IS NULL AND t.author_id <> %(user_id)s
     JOIN {user} au ON au.id = t.author_id AND au.is_active)
) e
WHERE EXISTS (SELECT 1 FROM {user} WHERE id = %(user_id)s AND is_active)
ORDER BY at DESC, tweet_id DESC
LIMIT %(n)s
""".format(**TABLES)


def rebuild_source(user_id: int) -> int:
    """Rebuild one source list from PostgreSQL and replace it atomically (WATCH: a write
    landing meanwhile restarts it); returns its length."""
    client = store.connection()
    list_key, reposts_key = keys.source_key(user_id), keys.source_reposts_key(user_id)
    for attempt in range(5):
        with client.pipeline(transaction=True) as pipe:
            try:
                if attempt < 4:
                    pipe.watch(list_key, reposts_key)
                with db.cursor() as cursor:
                    cursor.execute(_SOURCE_SQL, {"user_id": user_id, "n": max_length()})
                    rows = cursor.fetchall()
                pipe.multi()
                pipe.delete(list_key, reposts_key)
                members: dict[str, int] = {keys.SENTINEL: keys.SENTINEL_SCORE}
                members.update((str(tweet_id), keys.score(at)) for tweet_id, at, _ in rows)
                pipe.zadd(list_key, members)
                marks: dict[EncodableT, EncodableT] = {str(t): a for t, _, a in rows if a is not None}
                if marks:
                    pipe.hset(reposts_key, mapping=marks)
                pipe.execute()
                return len(rows)
            except WatchError:
                logger.info("feed: source list of user %s changed during its rebuild; retrying", user_id)
    raise AssertionError("unreachable: the last attempt does not watch")


def drop_sources(user_ids: Iterable[int]) -> int:
    """Forget source lists (each is rebuilt on its next read); used on suspend/unsuspend."""
    key_names = [
        name
        for user_id in dict.fromkeys(user_ids)
        for name in (keys.source_key(user_id), keys.source_reposts_key(user_id))
    ]
    return store.connection().delete(*key_names) if key_names else 0
