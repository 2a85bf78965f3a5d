"""Build the benchmark data set fast and reproducibly (numpy with a fixed seed, COPY).

Shape (FULL, the issue's numbers):

- 10,000 "main" users `u00001`.. (ids 1..10,000). Each follows exactly 200 accounts: the
  celebrity plus 199 other main users drawn without replacement with probability
  proportional to 1 / (popularity_rank + 50), popularity ranks being a random permutation.
  That skews followers like a real network: median about 80 followers, 90th percentile
  about 380, the most popular main user about 5,600; a few hundred have 190-210.
- `celebrity` (id 10,001): followed by all 10,000 main users plus 90,000 `fan000001`..
  accounts that follow only the celebrity, so exactly 100,000 followers.
- 1,000,000 tweets uniformly over the last 30 days: 200 by the celebrity, the rest spread
  over main users with log-normal activity (sigma 1). Tweet ids follow creation time, as
  Snowflake-like ids do. Contents come from a pool of 20,000 generated sentences. Fans never
  post. No likes or reposts. `fanned_out_at` is set: these tweets are already fanned out.
- Counters (num_tweets, num_followers, num_following) are exact.

The database part truncates the accounts and tweets tables (only in a database whose name
contains "bench", unless forced), drops their secondary indexes and constraints, COPYs the
rows, recreates the very same indexes and constraints (DDL is transactional: an interrupted
seed leaves the old state), then VACUUM ANALYZE so plans and index-only scans are realistic.

Feeds are then written straight into Redis in the feed app's own key layout (see
bench.feeds), computed here in numpy from the generated rows: the newest FEED_MAX_LENGTH ids
of the user and its followees, exactly what `rebuild_feed` computes from the database, only
without 100,000 round trips. `bench.run` checks a sample against `rebuild_feed`.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import connection, transaction

from tweets.management.commands.seed_demo import WORDS as DEMO_WORDS

DAY_US = 86_400 * 1_000_000
# The demo vocabulary plus a few words, so that search has common and rare terms.
WORDS = [
    *DEMO_WORDS,
    "lunch",
    "train",
    "city",
    "night",
    "book",
    "movie",
    "game",
    "garden",
    "bread",
    "pizza",
    "bike",
    "code",
    "review",
    "queue",
    "cache",
    "index",
    "vacuum",
    "latency",
    "throughput",
    "ship",
    "merge",
    "branch",
    "yes",
    "no",
    "today",
    "tomorrow",
    "really",
    "great",
    "small",
    "big",
    "new",
    "old",
    "happy",
    "tired",
]


@dataclass(frozen=True)
class SeedSize:
    users: int = 10_000
    follows: int = 200  # per main user, the celebrity included
    tweets: int = 1_000_000
    days: int = 30
    celebrity_followers: int = 100_000
    celebrity_tweets: int = 200
    zipf_offset: int = 50
    seed: int = 42


FULL = SeedSize()
QUICK = SeedSize(users=1_000, follows=50, tweets=50_000, celebrity_followers=10_000, celebrity_tweets=100)


@dataclass
class SeedData:
    """The generated rows the feed builder needs (ids are database ids)."""

    size: SeedSize
    now_us: int
    celebrity_id: int
    fan_ids: np.ndarray
    followees: np.ndarray  # (users, follows) followee ids of main user i+1
    tweet_author: np.ndarray  # index = tweet id - 1
    tweet_created_us: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)


def generate(size: SeedSize, now_us: int | None = None) -> SeedData:
    """All rows as numpy arrays; deterministic for a given size (times shift with `now_us`)."""
    rng = np.random.default_rng(size.seed)
    if now_us is None:
        now_us = int(datetime.now(UTC).timestamp() * 1_000_000)
    n = size.users
    celebrity_id = n + 1
    n_fans = max(0, size.celebrity_followers - n)
    fan_ids = np.arange(n + 2, n + 2 + n_fans, dtype=np.int64)

    # Follows among main users: weighted sampling without replacement (Efraimidis-Spirakis keys).
    k = min(size.follows - 1, n - 1)
    rank = rng.permutation(n)
    weight = 1.0 / (rank + size.zipf_offset)
    followees = np.empty((n, k + 1), dtype=np.int64)
    batch = max(1, 5_000_000 // n)
    for start in range(0, n, batch):
        stop = min(n, start + batch)
        keys = np.log(rng.random((stop - start, n))) / weight[None, :]
        keys[np.arange(stop - start), np.arange(start, stop)] = -np.inf  # never oneself
        followees[start:stop, :k] = np.argpartition(keys, -k, axis=1)[:, -k:] + 1
    followees[:, k] = celebrity_id

    # Tweets: the celebrity's, then main users' by log-normal activity; ids in time order.
    activity = rng.lognormal(0.0, 1.0, n)
    activity /= activity.sum()
    authors = np.concatenate(
        [
            np.full(size.celebrity_tweets, celebrity_id, dtype=np.int64),
            rng.choice(n, size=size.tweets - size.celebrity_tweets, p=activity).astype(np.int64) + 1,
        ]
    )
    created = now_us - 1_000_000 - rng.integers(0, size.days * DAY_US, size=size.tweets, dtype=np.int64)
    order = np.argsort(created, kind="stable")
    return SeedData(
        size=size,
        now_us=now_us,
        celebrity_id=celebrity_id,
        fan_ids=fan_ids,
        followees=followees,
        tweet_author=authors[order],
        tweet_created_us=created[order],
    )


# --- database -----------------------------------------------------------------

TABLES = ("accounts_user", "accounts_follow", "tweets_tweet")


def _ts(us: np.ndarray) -> list[str]:
    return [s + "+00" for s in np.datetime_as_string(us.astype("datetime64[us]"), unit="us")]


def _copy(cursor, sql: str, lines, chunk: int = 50_000) -> None:  # type: ignore[no-untyped-def]
    with cursor.copy(sql) as copy:
        buf: list[str] = []
        for line in lines:
            buf.append(line)
            if len(buf) >= chunk:
                copy.write("\n".join(buf) + "\n")
                buf.clear()
        if buf:
            copy.write("\n".join(buf) + "\n")


def _drop_secondary(cursor) -> list[str]:  # type: ignore[no-untyped-def]
    """Drop secondary indexes and unique/foreign-key constraints; return the DDL that recreates them."""
    cursor.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
           FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')
           ORDER BY contype DESC, conname""",
        [list(TABLES)],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
           FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                           AND c.contype IN ('p', 'u', 'x'))""",
        [list(TABLES)],
    )
    indexes = cursor.fetchall()
    for table, name, _, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    # Indexes first, then unique constraints ('u' sorts after 'f' descending), then foreign keys.
    return [ddl for _, ddl in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition, _ in constraints
    ]


def _content_pool(seed: int, n: int = 20_000) -> list[str]:
    rnd = random.Random(seed)
    pool = []
    for _ in range(n):
        text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(3, 30)))
        pool.append(text[:280].strip())
    return pool


def seed_database(data: SeedData, *, log=print) -> None:  # type: ignore[no-untyped-def]
    """Replace users, follows and tweets with the generated data set."""
    size = data.size
    n = size.users
    t0 = time.perf_counter()
    main_ids = np.arange(1, n + 1, dtype=np.int64)
    all_ids = np.concatenate([main_ids, [data.celebrity_id], data.fan_ids])
    follower_counts = np.bincount(data.followees.ravel(), minlength=int(all_ids.max()) + 1)
    follower_counts[data.celebrity_id] += len(data.fan_ids)
    tweet_counts = np.bincount(data.tweet_author, minlength=int(all_ids.max()) + 1)
    following = np.zeros(int(all_ids.max()) + 1, dtype=np.int64)
    following[main_ids] = data.followees.shape[1]
    following[data.fan_ids] = 1

    def username(uid: int) -> str:
        if uid <= n:
            return f"u{uid:05d}"
        if uid == data.celebrity_id:
            return "celebrity"
        return f"fan{uid - n - 1:06d}"

    user_created = _ts(np.full(1, data.now_us - 90 * DAY_US))[0]
    user_lines = (
        f"{uid}\t!bench-no-password\tf\t{username(uid)}\t{username(uid)}@bench.invalid\t\t\tt\tf\t{user_created}\t"
        f"{tweet_counts[uid]}\t{follower_counts[uid]}\t{following[uid]}"
        for uid in all_ids.tolist()
    )

    rng = np.random.default_rng(size.seed + 1)
    rows = data.followees.shape[0] * data.followees.shape[1] + len(data.fan_ids)
    follow_created = _ts(data.now_us - 31 * DAY_US - rng.integers(0, 59 * DAY_US, size=rows, dtype=np.int64))
    followers = np.concatenate([np.repeat(main_ids, data.followees.shape[1]), data.fan_ids])
    followee_col = np.concatenate([data.followees.ravel(), np.full(len(data.fan_ids), data.celebrity_id)])
    follow_lines = (
        f"{a}\t{b}\t{c}" for a, b, c in zip(followers.tolist(), followee_col.tolist(), follow_created, strict=True)
    )

    pool = _content_pool(size.seed)
    content_idx = np.random.default_rng(size.seed + 2).integers(0, len(pool), size=size.tweets).tolist()
    created = _ts(data.tweet_created_us)
    tweet_lines = (
        f"{i + 1}\t{a}\t{pool[c]}\t{ts}\t0\t0\t0\t\t{ts}"
        for i, (a, c, ts) in enumerate(zip(data.tweet_author.tolist(), content_idx, created, strict=True))
    )
    data.timings["generate_rows_s"] = time.perf_counter() - t0

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        recreate = _drop_secondary(cursor)
        t = time.perf_counter()
        _copy(
            cursor,
            "COPY accounts_user (id, password, is_superuser, username, email, display_name, bio, is_active, "
            "is_staff, created_at, num_tweets, num_followers, num_following) FROM STDIN",
            user_lines,
        )
        _copy(cursor, "COPY accounts_follow (follower_id, followee_id, created_at) FROM STDIN", follow_lines)
        _copy(
            cursor,
            "COPY tweets_tweet (id, author_id, content, created_at, num_likes, num_replies, num_reposts, "
            "hidden_reason, fanned_out_at) FROM STDIN",
            tweet_lines,
        )
        data.timings["copy_s"] = time.perf_counter() - t
        copied = f"{len(all_ids):,} users, {rows:,} follows, {size.tweets:,} tweets"
        log(f"seed: COPY {copied} in {data.timings['copy_s']:.1f}s")
        t = time.perf_counter()
        for ddl in recreate:
            cursor.execute(ddl)
        for table in ("accounts_user", "tweets_tweet"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        data.timings["indexes_s"] = time.perf_counter() - t
        log(f"seed: recreated {len(recreate)} indexes and constraints in {time.perf_counter() - t:.1f}s")
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(TABLES)}")
    data.timings["vacuum_s"] = time.perf_counter() - t
    data.timings["database_s"] = time.perf_counter() - t0


def seeded_now_us() -> int:
    """The `now` of the seed in this database: every user was created exactly 90 days before it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT created_at FROM accounts_user WHERE username = 'u00001'")
        row = cursor.fetchone()
    if row is None:
        raise SystemExit("no seeded data in this database: run without --no-seed first")
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return (row[0] - epoch) // timedelta(microseconds=1) + 90 * DAY_US


def forget_bench_tweets(size: SeedSize) -> int:
    """Delete tweets earlier benchmark runs posted (ids above the seeded ones)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tweets_tweet WHERE id > %s", [size.tweets])
        return cursor.rowcount


def check_database_name(force: bool) -> None:
    name = connection.settings_dict["NAME"] or ""
    if "bench" not in name and not force:
        raise SystemExit(f"seed_bench replaces all users and tweets; database {name!r} has no 'bench' in its name.")
