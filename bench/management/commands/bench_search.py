"""Search latency on N tweets with the PostgreSQL backend, and the EXPLAIN of its query.

    DATABASE_URL=postgres://.../chirp_search_bench python manage.py migrate
    BENCH_ENDPOINTS=1 DATABASE_URL=postgres://.../chirp_search_bench python manage.py bench_search --tweets 100000

Fills the database (which must hold nothing but earlier bench data: use a scratch one)
with bench users and tweets of pseudo-words in a Zipf distribution, plus marker words of
known frequency, then times each query shape through the search selector (backend +
hydration, as the endpoint runs it) and through the full API (DRF, JWT, JSON), in process.
Re-running reuses the data when the tweet count matches.
"""

import os
import random
import statistics
import time
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import RefreshToken
from search.backends.postgres import PostgresBackend, page_rows
from search.selectors import search_tweets, search_users
from tweets.models import Tweet

BENCH_EMAIL_DOMAIN = "@bench.invalid"
# Marker words and their share of tweets: the queries below know how many rows they hit.
MARKERS = {"elasticsearch": 0.001, "python": 0.01, "coffee": 0.1}
PHRASE, PHRASE_SHARE = "red apple", 0.005
QUERIES = {
    "rare word (0.1%)": "elasticsearch",
    "medium word (1%)": "python",
    "common word (10%)": "coffee",
    "stemmed (1%)": "pythons",
    "two words AND": "python coffee",
    "phrase (0.5%)": '"red apple"',
    "OR": "python or elasticsearch",
    "exclusion": "python -coffee",
    "no match": "zzzyzx",
}
SYLLABLES = [c + v for c in "bcdfgklmnprstvz" for v in "aeiou"]


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def make_tweet_text(rng: random.Random, words: list[str], weights: list[float]) -> str:
    parts = rng.choices(words, weights=weights, k=rng.randint(5, 25))
    for marker, share in MARKERS.items():
        if rng.random() < share:
            parts.insert(rng.randrange(len(parts) + 1), marker)
    if rng.random() < PHRASE_SHARE:
        parts.insert(rng.randrange(len(parts) + 1), PHRASE)
    elif rng.random() < PHRASE_SHARE:
        parts[rng.randrange(len(parts)) :] = ["apple", "red"]  # the words, not the phrase
    return " ".join(parts)[:280]


class Command(BaseCommand):
    help = "Benchmark search latency with the PostgreSQL backend on a scratch database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tweets", type=int, default=100_000)
        parser.add_argument("--users", type=int, default=20_000)
        parser.add_argument("--repeat", type=int, default=30, help="timed runs per query")
        parser.add_argument("--limit", type=int, default=20, help="page size")
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args: Any, tweets: int, users: int, repeat: int, limit: int, seed: int, **options: Any) -> None:
        self.ensure_data(tweets=tweets, users=users, seed=seed)
        viewer = User.objects.order_by("pk").first()
        assert viewer is not None
        sample = User.objects.order_by("pk")[users // 2]
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        self.stdout.write(f"PostgreSQL {version}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        self.stdout.write(
            f"database {connection.settings_dict['NAME']}: {Tweet.objects.count()} tweets, "
            f"{User.objects.count()} users; page size {limit}, {repeat} timed runs per query\n"
        )

        client = APIClient(HTTP_HOST="localhost")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(viewer).access_token}")
        rows, selector_all, api_all = [], [], []
        for label, q in QUERIES.items():
            selector_ms = self.time(repeat, lambda q=q: search_tweets(q=q, viewer=viewer, limit=limit, offset=0))
            api_ms = self.time(repeat, lambda q=q: client.get("/api/search/tweets/", {"q": q, "limit": limit}))
            count, page = search_tweets(q=q, viewer=viewer, limit=limit, offset=0)
            with CaptureQueriesContext(connection) as queries:
                search_tweets(q=q, viewer=viewer, limit=limit, offset=0)
            rows.append((label, q, count, len(page), len(queries), selector_ms, api_ms))
            selector_all += selector_ms
            api_all += api_ms

        self.stdout.write(
            f"{'query':<20} {'q':<26} {'matches':>8} {'page':>5} {'SQL':>4} "
            f"{'selector median':>16} {'p95':>7} {'API median':>11} {'p95':>7}"
        )
        for label, q, count, page_len, n_sql, sel, api in rows:
            self.stdout.write(
                f"{label:<20} {q:<26} {count:>8} {page_len:>5} {n_sql:>4} {statistics.median(sel):>13.2f} ms "
                f"{p95(sel):>7.2f} {statistics.median(api):>8.2f} ms {p95(api):>7.2f}"
            )
        self.stdout.write(
            f"\nALL tweet queries: selector median {statistics.median(selector_all):.2f} ms "
            f"(p95 {p95(selector_all):.2f}); API median {statistics.median(api_all):.2f} ms (p95 {p95(api_all):.2f})"
        )

        user_queries = {
            "username prefix": sample.username[:4],
            "exact username": sample.username,
            "display-name word": sample.display_name.split()[-1],
            "misspelt name": sample.display_name.split()[0][:-1] + "x",
            "no match": "zzzyzx",
        }
        self.stdout.write(f"\nuser search on {users} users:")
        for label, q in user_queries.items():
            samples = self.time(repeat, lambda q=q: search_users(q=q, viewer=viewer, limit=limit, offset=0))
            count, _ = search_users(q=q, viewer=viewer, limit=limit, offset=0)
            self.stdout.write(f"  {label:<18} {q:<16} {count:>6} matches  median {statistics.median(samples):.2f} ms")

        for q in ("python", "coffee"):
            self.stdout.write(f"\nEXPLAIN (ANALYZE, BUFFERS) of the search query for {q!r} (page and total in one):")
            qs = page_rows(PostgresBackend().tweet_queryset(q, viewer=viewer), limit=limit, offset=0)
            self.stdout.write(qs.explain(analyze=True, buffers=True))

    @staticmethod
    def time(repeat: int, fn: Any) -> list[float]:
        fn()  # warm-up: plans, caches, connection
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - start) * 1000)
        return samples

    def ensure_data(self, *, tweets: int, users: int, seed: int) -> None:
        others = User.objects.exclude(email__endswith=BENCH_EMAIL_DOMAIN).exists()
        if others:
            raise CommandError("This database holds non-bench users: point DATABASE_URL at a scratch database.")
        if Tweet.objects.count() == tweets and User.objects.count() == users:
            self.stdout.write(f"reusing {tweets} bench tweets\n")
            return
        self.stdout.write(f"inserting {users} users and {tweets} tweets ...")
        started = time.perf_counter()
        rng = random.Random(seed)
        words = vocabulary(rng, 20_000)
        weights = [1 / (rank + 1) ** 1.07 for rank in range(len(words))]  # Zipf, as in natural text
        password = make_password(None)  # unusable: bench users never log in with a password
        with transaction.atomic():
            Tweet.objects.all().delete()
            User.objects.all().delete()
            names = vocabulary(rng, 5_000)
            authors = User.objects.bulk_create(
                User(
                    username=f"{rng.choice(names)}{i}"[:30],
                    email=f"u{i}{BENCH_EMAIL_DOMAIN}",
                    display_name=f"{rng.choice(names).title()} {rng.choice(names).title()}",
                    password=password,
                )
                for i in range(users)
            )
            batch: list[Tweet] = []
            for i in range(tweets):
                batch.append(Tweet(author=authors[i % users], content=make_tweet_text(rng, words, weights)))
                if len(batch) == 5000:
                    Tweet.objects.bulk_create(batch)
                    batch.clear()
            Tweet.objects.bulk_create(batch)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tweets_tweet")
            cursor.execute("VACUUM ANALYZE accounts_user")
        self.stdout.write(f"inserted in {time.perf_counter() - started:.1f} s\n")


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]
