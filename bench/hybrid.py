"""Hybrid fan-out benchmarks (issue 11; feed/merged/), each against its baseline in the same run.

- `hybrid_post_<N>`: posting by an account with N followers (10k, 100k, 1M) under the hybrid:
  `tweets.services.tweet_create` in a transaction, its on-commit signal and the fan-out
  task run inline (eager Celery), until `fanned_out_at` is stamped; p50 of several posts.
  Baseline: the same post pushed to every follower (FANOUT_FOLLOWER_LIMIT above N), for the
  sizes where that takes seconds, not minutes. Goal: < 50 ms, and flat in N.
- `hybrid_read_5`: a page of 20 for a user following 5 merged accounts (their source lists
  merged at read time: one more round trip) and 45 fanned-out ones, against the same feed
  fanned out whole (a plain read). Goal: <= 1.5x.

Follows and users are bulk-inserted with generate_series. Run: `make bench-hybrid`
(`python -m bench.hybrid [--quick]`) with DATABASE_URL naming a database with "bench" in its
name (users, follows and tweets are replaced) and REDIS_URL a Redis database it may flush.
"""

import argparse
import os
import statistics
import sys
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.benchmarks import Result, ms, pct  # noqa: E402
from feed import merged, services, store  # noqa: E402
from feed.models import MergedAuthor  # noqa: E402
from feed.timeline import feed_page  # noqa: E402
from tweets import services as tweet_services  # noqa: E402
from tweets.models import Tweet  # noqa: E402

POST_GOAL_MS = 50.0
READ_GOAL = 1.5
PUSH_BASELINE_MAX = 100_000  # pushing to 1M followers takes ~10 s: measured up to here


def log(message: str) -> None:
    print(f"[bench.hybrid] {message}", flush=True)


def _reset() -> None:
    """Empty users, follows, tweets (and all that hangs on them) and the feeds' Redis."""
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise SystemExit(f"refusing to replace the data of database {name!r}: its name must contain 'bench'")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE accounts_user RESTART IDENTITY CASCADE")
    store.connection().flushdb()


def _insert_users(first: int, last: int, prefix: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_user (id, password, is_superuser, username, email, display_name, bio, is_active,"
            " is_staff, created_at, num_tweets, num_followers, num_following)"
            " SELECT g, '!bench-no-password', false, %s || g, %s || g || '@bench.invalid', '', '', true, false,"
            " now() - interval '90 days', 0, 0, 0 FROM generate_series(%s, %s) g",
            [prefix, prefix, first, last],
        )


def _follow(followers: tuple[int, int], followee: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_follow (follower_id, followee_id, created_at)"
            " SELECT g, %s, now() - interval '30 days' FROM generate_series(%s, %s) g",
            [followee, *followers],
        )
        cursor.execute(
            "UPDATE accounts_user SET num_followers = num_followers + %s WHERE id = %s",
            [followers[1] - followers[0] + 1, followee],
        )


def _sync_sequence() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), (SELECT max(id) FROM accounts_user))"
        )
        cursor.execute("ANALYZE accounts_user, accounts_follow")


def _post(author: User, text: str) -> tuple[float, Tweet]:
    """One post end to end (commit, on-commit signal, eager fan-out task); seconds taken."""
    started = time.perf_counter()
    with transaction.atomic():
        tweet = tweet_services.tweet_create(author=author, content=text)
    elapsed = time.perf_counter() - started
    tweet.refresh_from_db(fields=["fanned_out_at"])
    assert tweet.fanned_out_at is not None, "fan-out did not complete"
    return elapsed, tweet


def _fan_out_only(author: User) -> float:
    """The fan-out task's own share: `fan_out_tweet` of a tweet inserted without its signal."""
    tweet = Tweet.objects.create(author=author, content="fan-out only")
    started = time.perf_counter()
    services.fan_out_tweet(tweet.pk)
    return time.perf_counter() - started


def bench_post(sizes: list[int], posts: int) -> list[Result]:
    """Posting by accounts with `sizes` followers, merged, against a push fan-out."""
    biggest = max(sizes)
    started = time.perf_counter()
    _insert_users(1, biggest, "hf")
    authors = {}
    for i, size in enumerate(sizes):
        author_id = biggest + 1 + i
        _insert_users(author_id, author_id, f"star{size}_")
        _follow((1, size), author_id)
        authors[size] = User.objects.get(pk=author_id)
    _sync_sequence()
    log(f"{biggest:,} followers and {len(sizes)} authors inserted in {time.perf_counter() - started:.1f}s")
    results = []
    reader = User.objects.get(pk=1)  # follows every author
    loner = User.objects.get(pk=2)  # follows every author, and nobody follows them: the floor of a post
    floor = statistics.median([_post(loner, f"nobody reads this {n}")[0] for n in range(posts)])
    log(f"a post by an account without followers: {ms(floor)} p50 (commit, signals, tasks: the floor)")
    for size in sizes:
        author = authors[size]
        settings.FANOUT_FOLLOWER_LIMIT = 5_000  # every size here is above it
        # The first merged post is the upward crossing: the author joins each follower's sources, once.
        crossing, _ = _post(author, "crossing the limit")
        assert MergedAuthor.objects.filter(pk=author.pk).exists()
        times = []
        for n in range(posts):
            elapsed, tweet = _post(author, f"merged post {n}")
            times.append(elapsed)
        _, items = feed_page(viewer=reader, limit=5, offset=0)
        assert tweet.pk in [item.tweet.pk for item in items], "a follower does not see the merged post"
        fan_out = statistics.median([_fan_out_only(author) for _ in range(posts)])
        ours = statistics.median(times)
        info: dict[str, Any] = {
            "crossing_s": crossing,
            "p50_s": ours,
            "p99_s": pct(times, 99),
            "fan_out_task_p50_s": fan_out,
            "no_follower_post_p50_s": floor,
            "posts": posts,
        }
        baseline = "-"
        ratio = None
        if size <= PUSH_BASELINE_MAX:
            settings.FANOUT_FOLLOWER_LIMIT = 10**9  # the same author, pushed to every follower
            push = [_post(author, f"pushed post {n}")[0] for n in range(3)]
            MergedAuthor.objects.filter(pk=author.pk).delete()  # the push was a downward crossing
            info["push_p50_s"] = statistics.median(push)
            baseline = f"push {ms(statistics.median(push))} p50"
            ratio = statistics.median(push) / ours
        results.append(
            Result(
                f"hybrid_post_{size // 1000}k",
                f"{ms(ours)} p50 (fan-out {ms(fan_out)})",
                baseline,
                ratio,
                f"< {POST_GOAL_MS:.0f} ms, flat in followers",
                ours * 1000 < POST_GOAL_MS,
                info,
            )
        )
        log(results[-1].line())
    flat = [r.info["p50_s"] for r in results]
    log(
        f"hybrid post p50 by followers {sizes}: {[f'{x * 1000:.1f} ms' for x in flat]};"
        f" without followers {ms(floor)}; crossings (once each): {[round(r.info['crossing_s'], 1) for r in results]} s"
    )
    return results


def bench_read(pages: int) -> Result:
    """A page of 20 for a viewer following 5 merged accounts against a plain (pushed) read."""
    settings.FANOUT_FOLLOWER_LIMIT = 10**9
    base = User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    first = base + 1
    _insert_users(first, first + 51, "hr")
    _sync_sequence()
    authors = list(range(first, first + 50))
    merged_viewer, plain_viewer = first + 50, first + 51
    for author in authors:
        _follow((merged_viewer, plain_viewer), author)
    with connection.cursor() as cursor:  # 40 tweets per author over the last 30 days: 2,000 entries
        cursor.execute(
            "INSERT INTO tweets_tweet (author_id, content, created_at, num_likes, num_replies, num_reposts,"
            " hidden_reason, fanned_out_at)"
            " SELECT a, 'read bench ' || a || ' ' || n, now() - (random() * interval '30 days'), 0, 0, 0, '', now()"
            " FROM generate_series(%s, %s) a, generate_series(1, 40) n",
            [authors[0], authors[-1]],
        )
        cursor.execute("ANALYZE tweets_tweet")
    services.rebuild_feed(plain_viewer)  # nobody merged yet: the plain feed holds everything
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO feed_mergedauthor (user_id, since) SELECT unnest(%s::bigint[]), 0", [authors[:5]])
    for author in authors[:5]:
        merged.rebuild_source(author)
    services.rebuild_feed(merged_viewer)
    viewers = {"merged": User.objects.get(pk=merged_viewer), "plain": User.objects.get(pk=plain_viewer)}
    assert store.connection().scard(f"chirp:feed:{{{merged_viewer}}}:src") == 5
    pages_seen = {name: feed_page(viewer=viewer, limit=20, offset=0) for name, viewer in viewers.items()}
    assert [i.tweet.pk for i in pages_seen["merged"][1]] == [i.tweet.pk for i in pages_seen["plain"][1]]
    assert pages_seen["merged"][0] == pages_seen["plain"][0], "counts differ"
    times: dict[str, list[float]] = {"merged": [], "plain": []}
    for n in range(pages):
        order = ("merged", "plain") if n % 2 else ("plain", "merged")
        for name in order:
            started = time.perf_counter()
            feed_page(viewer=viewers[name], limit=20, offset=0)
            times[name].append(time.perf_counter() - started)
    p50 = {name: statistics.median(values) for name, values in times.items()}
    ratio = p50["merged"] / p50["plain"]
    result = Result(
        "hybrid_read_5",
        f"{ms(p50['merged'])} p50 (5 merged of 50)",
        f"plain {ms(p50['plain'])} p50",
        ratio,
        f"<= {READ_GOAL}x a plain read",
        ratio <= READ_GOAL,
        {"p50_s": p50, "p99_s": {name: pct(values, 99) for name, values in times.items()}, "pages": pages},
    )
    log(result.line())
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k followers only, fewer runs")
    parser.add_argument("--sizes", help="comma-separated follower counts (default 10000,100000,1000000)")
    parser.add_argument("--only", choices=["post", "read"], help="run one of the two benchmarks")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [10_000, 100_000, 1_000_000]
    if args.quick and not args.sizes:
        sizes = [10_000, 100_000]
    _reset()
    results = [] if args.only == "read" else bench_post(sizes, posts=10 if args.quick else 20)
    if args.only != "post":
        results.append(bench_read(pages=100 if args.quick else 300))
    print()
    for result in results:
        print(result.line())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
