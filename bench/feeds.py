"""Write the seeded feeds into Redis in bulk, in the feed app's key layout.

`rebuild_feeds` does one SQL query and one round trip per user: fine on a live site, slow for
100,000 users. Here every feed is computed in numpy from the generated rows and sent as raw
RESP in large pipelines; the 90,000 fans, whose feeds are all the celebrity's tweets, get a
DUMP of the first fan's feed RESTOREd. The key, score and member come from the feed app's
layout module, so the result is what `rebuild_feed` would write (bench.run checks a sample).
"""

from __future__ import annotations

import operator
import time

import numpy as np
import redis
from django.conf import settings

from bench import layout
from bench.seed import SeedData


def _bulk(str_: str | bytes) -> bytes:
    data = str_.encode() if isinstance(str_, str) else str_
    return b"$%d\r\n%s\r\n" % (len(data), data)


def _cmd(*parts: str | bytes) -> bytes:
    return b"*%d\r\n" % len(parts) + b"".join(_bulk(part) for part in parts)


def _send(conn, commands: list[bytes]) -> None:  # type: ignore[no-untyped-def]
    conn.send_packed_command([b"".join(commands)])
    for _ in commands:
        reply = conn.read_response()
        if isinstance(reply, redis.ResponseError):
            raise reply


def _config_int(client: redis.Redis, name: str, default: int) -> int:
    try:
        value = client.config_get(name)[name]
        return default if value is None else int(value)
    except (redis.ResponseError, KeyError):
        return default  # CONFIG disabled (managed Redis): assume the default


def build_feeds(data: SeedData, client: redis.Redis, *, log=print) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Write every user's feed; returns timings and counts."""
    cap = settings.FEED_MAX_LENGTH
    t0 = time.perf_counter()
    n_tweets = len(data.tweet_author)
    tweet_ids = np.arange(1, n_tweets + 1, dtype=np.int64)
    # One RESP fragment "score member" per tweet, gathered per feed with itemgetter (C speed).
    tokens = [
        _bulk(layout.score(tid, created)) + _bulk(layout.member(tid))
        for tid, created in zip(tweet_ids.tolist(), data.tweet_created_us.tolist(), strict=True)
    ]
    tokens.insert(0, b"")  # index = tweet id
    order = np.lexsort((-tweet_ids, data.tweet_author))
    author_sorted = data.tweet_author[order]
    ids_sorted = tweet_ids[order]
    max_uid = int(max(data.celebrity_id, data.fan_ids.max() if len(data.fan_ids) else 0))
    uids = np.arange(max_uid + 2)
    starts = np.searchsorted(author_sorted, uids, "left")
    ends = np.minimum(np.searchsorted(author_sorted, uids, "right"), starts + cap)

    def newest(authors: list[int]) -> np.ndarray:
        parts = [ids_sorted[starts[a] : ends[a]] for a in authors]
        cand = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
        if len(cand) > cap:
            cand = np.partition(cand, len(cand) - cap)[len(cand) - cap :]
        return np.sort(cand)[::-1]

    # ZADD of n members into a new compact (listpack) sorted set costs O(n^2) in Redis 7.0,
    # about 10 ms for 800: each insert scans the listpack. A first member longer than
    # zset-max-listpack-value makes Redis start a skiplist (O(n log n)); once that member is
    # removed, ZUNIONSTORE copies the set and converts it to a listpack in O(n): ~1 ms in all.
    pad_member = "~" * (_config_int(client, "zset-max-ziplist-value", 64) + 1)

    extra = layout.extra_members()
    extra_body = b"".join(_bulk(score) + _bulk(member) for score, member in extra)

    def zadd(uid: int, ids: np.ndarray) -> list[bytes]:
        key = layout.key(uid)
        cmds = [_cmd("DEL", key)]
        if len(ids) or extra:
            got = operator.itemgetter(*ids.tolist())(tokens) if len(ids) else b""
            body = b"".join(got) if isinstance(got, tuple) else got
            tmp = key + ":bulk"
            head = b"*%d\r\n" % (4 + 2 * (len(ids) + len(extra))) + _bulk("ZADD") + _bulk(tmp)
            cmds.append(head + _bulk("-inf") + _bulk(pad_member) + body + extra_body)
            cmds.append(_cmd("ZREM", tmp, pad_member))
            cmds.append(_cmd("ZUNIONSTORE", key, "1", tmp))
            cmds.append(_cmd("DEL", tmp))
        return cmds

    conn = client.connection_pool.get_connection()
    entries = 0
    try:
        batch: list[bytes] = []
        main = data.followees.shape[0]
        for i in range(main):
            uid = i + 1
            ids = newest([*data.followees[i].tolist(), uid])
            entries += len(ids)
            batch.extend(zadd(uid, ids))
            if len(batch) >= 400:
                _send(conn, batch)
                batch.clear()
        celeb = newest([data.celebrity_id])
        batch.extend(zadd(data.celebrity_id, celeb))
        entries += len(celeb)
        _send(conn, batch)
        batch.clear()
        t_main = time.perf_counter() - t0
        if len(data.fan_ids):
            first = int(data.fan_ids[0])
            _send(conn, zadd(first, celeb))
            payload = client.dump(layout.key(first))
            if payload is None:
                raise RuntimeError(f"feed {first} was not written")
            restore_tail = _bulk("0") + _bulk(payload) + _bulk("REPLACE")
            for uid in data.fan_ids[1:].tolist():
                batch.append(b"*5\r\n$7\r\nRESTORE\r\n" + _bulk(layout.key(uid)) + restore_tail)
                if len(batch) >= 2000:
                    _send(conn, batch)
                    batch.clear()
            _send(conn, batch)
            entries += len(celeb) * len(data.fan_ids)
    finally:
        client.connection_pool.release(conn)
    elapsed = time.perf_counter() - t0
    log(
        f"feeds: {main + 1 + len(data.fan_ids):,} feeds, {entries:,} entries in {elapsed:.1f}s "
        f"(main users {t_main:.1f}s, fans by RESTORE {elapsed - t_main:.1f}s)"
    )
    return {"feeds_s": elapsed, "feed_entries": entries, "feeds": main + 1 + len(data.fan_ids)}
