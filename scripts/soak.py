"""Load soak: simulated users posting, following and reading feeds through gunicorn + a worker.

    make soak                                   # 100 users, 60 s
    .venv/bin/python scripts/soak.py --users 100 --seconds 60

Starts everything itself, as `make run` does (embedded PostgreSQL and Redis under var/
unless DATABASE_URL / REDIS_URL are set; CELERY_BROKER_URL or the same Redis as broker),
on loopback only, in a database of its own (`chirp_soak`, recreated each run) and Redis
database 13 (SOAK_REDIS_DB; flushed each run). Bounded: it stops after --seconds, or after
--max-requests per user, whichever comes first. Then it waits for the fan-out to drain
and checks through the API that every tweet posted is in the feed of every user who
follows its author (and in the author's own), and reports errors and latencies.
Exit status 0 only with zero errors and zero lost tweets.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from devtools.dev import Services, ensure_env_file, log  # noqa: E402
from devtools.processes import free_port, stop_all, wait_for_port  # noqa: E402

SOAK_DB = "chirp_soak"
SOAK_REDIS_DB = int(os.environ.get("SOAK_REDIS_DB", "13"))
VENV_BIN = Path(sys.executable).parent
OUT_DIR = BASE_DIR / "var" / "soak"

# action -> weight: a read-heavy mix, as a timeline product is.
MIX = {"read_feed": 50, "post": 22, "follow": 8, "unfollow": 4, "like": 10, "user_tweets": 6}
OK = {
    "read_feed": {200},
    "post": {201},
    "follow": {200, 201},
    "unfollow": {204},
    "like": {200, 201},
    "user_tweets": {200},
}


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def with_redis_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("db="))
        return urlunsplit(parts._replace(query=f"{query}&db={db}" if query else f"db={db}"))
    return urlunsplit(parts._replace(path=f"/{db}"))


def recreate_database(url: str) -> None:
    """Drop and create the soak database (never another one)."""
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    assert config["NAME"] == SOAK_DB, config["NAME"]
    params: dict[str, Any] = {"dbname": "postgres", "user": config.get("USER") or "postgres", "autocommit": True}
    host = config.get("HOST") or config.get("OPTIONS", {}).get("host")  # ?host=/socket/dir (embedded)
    if host:
        params["host"] = host
    if config.get("PORT"):
        params["port"] = int(config["PORT"])
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    with psycopg.connect(**params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SOAK_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{SOAK_DB}"')


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))  # nearest rank
    return ordered[index]


class Soak:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.children: list[subprocess.Popen] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []
        self.posted: list[tuple[int, int]] = []  # (author_id, tweet_id)
        self.lock = threading.Lock()

    # --- set-up ---------------------------------------------------------------------------

    def seed(self) -> dict[int, str]:
        """Users with one shared password hash and a random follow graph; an access token each."""
        import django

        django.setup()
        from django.contrib.auth.hashers import make_password

        from accounts.models import Follow, User
        from accounts.tokens import RefreshToken
        from tweets.services import recount_stats

        password = make_password("soak-password-123")
        users = User.objects.bulk_create(
            [User(username=f"soak{i}", email=f"soak{i}@example.com", password=password) for i in range(self.args.users)]
        )
        rng = random.Random(42)
        follows = []
        for user in users:
            others = [u for u in users if u.pk != user.pk]
            for other in rng.sample(others, min(self.args.initial_follows, len(others))):
                follows.append(Follow(follower=user, followee=other))
        Follow.objects.bulk_create(follows, ignore_conflicts=True)
        recount_stats()
        self.user_ids = [u.pk for u in users]
        self.usernames = {u.pk: u.username for u in users}
        return {u.pk: str(RefreshToken.for_user(u).access_token) for u in users}

    def start_processes(self) -> None:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        worker_log = (OUT_DIR / "worker.log").open("wb")
        web_log = (OUT_DIR / "gunicorn.log").open("wb")
        self.children.append(
            subprocess.Popen(
                [
                    str(VENV_BIN / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "--beat",
                    "--schedule",
                    str(OUT_DIR / "celerybeat-schedule"),
                    "-Q",
                    "default,feed,feed_bulk,search",
                    "--concurrency",
                    str(self.args.worker_concurrency),
                    "--loglevel",
                    "WARNING",
                ],
                cwd=BASE_DIR,
                stdout=worker_log,
                stderr=subprocess.STDOUT,
            )
        )
        self.children.append(
            subprocess.Popen(
                [
                    str(VENV_BIN / "gunicorn"),
                    "config.wsgi",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(self.args.web_workers),
                    "--threads",
                    str(self.args.web_threads),
                    "--timeout",
                    "60",
                ],
                cwd=BASE_DIR,
                stdout=web_log,
                stderr=subprocess.STDOUT,
            )
        )
        wait_for_port(self.port, timeout=60, process=self.children[-1])

    def stop_processes(self) -> None:
        stop_all(self.children, timeout=20)

    # --- load -----------------------------------------------------------------------------

    def user_loop(self, user_id: int, token: str, deadline: float, start: threading.Barrier) -> None:
        import requests

        rng = random.Random(user_id)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        seen: list[str] = []
        actions, weights = zip(*MIX.items(), strict=True)
        start.wait()
        for n in range(self.args.max_requests):
            if time.monotonic() >= deadline:
                return
            action = rng.choices(actions, weights)[0]
            method, path, body = "GET", "/api/feed/?limit=20", None
            if action == "post":
                method, path, body = "POST", "/api/tweets/", {"content": f"soak {user_id} #{n} {rng.random():.6f}"}
            elif action in ("follow", "unfollow"):
                other = self.usernames[rng.choice(self.user_ids)]
                if other == self.usernames[user_id]:
                    continue
                method, path = ("POST" if action == "follow" else "DELETE"), f"/api/users/{other}/follow/"
            elif action == "like":
                if not seen:
                    continue
                method, path = "POST", f"/api/tweets/{rng.choice(seen[-50:])}/like/"
            elif action == "user_tweets":
                path = f"/api/users/{self.usernames[rng.choice(self.user_ids)]}/tweets/?limit=20"
            started = time.perf_counter()
            try:
                response = session.request(method, self.url + path, json=body, timeout=60)
                status, text = response.status_code, response.text
            except Exception as exc:
                status, text = 0, repr(exc)
            elapsed = time.perf_counter() - started
            with self.lock:
                self.latencies[action].append(elapsed)
                if status not in OK[action]:
                    self.errors[f"{action} {status}"] += 1
                    if len(self.error_samples) < 20:
                        self.error_samples.append(f"{method} {path} -> {status}: {text[:200]}")
                elif action == "post":
                    self.posted.append((user_id, int(response.json()["id"])))
            if status == 200 and action in ("read_feed", "user_tweets"):
                seen.extend(item["id"] for item in response.json()["results"])
            if self.args.think_ms:
                time.sleep(rng.uniform(0, self.args.think_ms) / 1000)

    def run_load(self, tokens: dict[int, str]) -> float:
        start = threading.Barrier(len(tokens) + 1)
        threads = []
        deadline = time.monotonic() + self.args.seconds + 5  # +5: the barrier releases below
        for user_id, token in tokens.items():
            thread = threading.Thread(target=self.user_loop, args=(user_id, token, deadline, start), daemon=True)
            thread.start()
            threads.append(thread)
        time.sleep(5 - 0.01)
        started = time.monotonic()
        start.wait()
        for thread in threads:
            thread.join(timeout=self.args.seconds + 120)
        return time.monotonic() - started

    # --- verification ---------------------------------------------------------------------

    def wait_for_fan_out(self, timeout: float = 180) -> float:
        from tweets.models import Tweet

        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if not Tweet.objects.filter(fanned_out_at__isnull=True).exists():
                break
            time.sleep(0.5)
        # The follow/unfollow merges and purges queued behind the fan-outs: let them finish too.
        time.sleep(3)
        return time.monotonic() - started

    def verify_feeds(self, tokens: dict[int, str]) -> tuple[int, int, list[str]]:
        """(expected entries checked, missing entries, samples): the final graph is the reference."""
        import requests
        from django.conf import settings

        from accounts.models import Follow

        by_author: dict[int, list[int]] = defaultdict(list)
        for author_id, tweet_id in self.posted:
            by_author[author_id].append(tweet_id)
        followees: dict[int, set[int]] = defaultdict(set)
        for follower_id, followee_id in Follow.objects.values_list("follower_id", "followee_id"):
            followees[follower_id].add(followee_id)
        checked = missing = 0
        samples: list[str] = []
        for user_id, token in tokens.items():
            sources = {user_id, *followees[user_id]}
            expected = sorted((t for a in sources for t in by_author[a]), reverse=True)[: settings.FEED_MAX_LENGTH]
            got: set[int] = set()
            offset = 0
            while offset < settings.FEED_MAX_LENGTH:
                response = requests.get(
                    f"{self.url}/api/feed/?limit=100&offset={offset}",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=60,
                )
                response.raise_for_status()
                page = response.json()["results"]
                got.update(int(item["id"]) for item in page)
                if len(page) < 100:
                    break
                offset += 100
            lost = [t for t in expected if t not in got]
            checked += len(expected)
            missing += len(lost)
            if lost and len(samples) < 10:
                samples.append(f"user {user_id}: {len(lost)} missing, e.g. {lost[:5]}")
        return checked, missing, samples


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=5000, help="per user: a hard bound besides time")
    parser.add_argument("--initial-follows", type=int, default=10)
    parser.add_argument("--think-ms", type=float, default=0, help="random pause of up to this between requests")
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")))
    parser.add_argument("--web-threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
    parser.add_argument("--worker-concurrency", type=int, default=2)
    args = parser.parse_args(argv)
    if not (1 <= args.users <= 1000 and 1 <= args.seconds <= 900):
        parser.error("--users 1..1000 and --seconds 1..900 (the soak is bounded)")

    os.chdir(BASE_DIR)
    ensure_env_file()
    services = Services()
    soak = Soak(args)
    try:
        if os.environ.get("DATABASE_URL"):
            os.environ["DATABASE_URL"] = with_database(os.environ["DATABASE_URL"], SOAK_DB)
        if os.environ.get("REDIS_URL"):
            os.environ["REDIS_URL"] = with_redis_db(os.environ["REDIS_URL"], SOAK_REDIS_DB)
        services.start(database_name=SOAK_DB, redis_db=SOAK_REDIS_DB)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        os.environ["LOG_LEVEL"] = "WARNING"
        recreate_database(os.environ["DATABASE_URL"])
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()  # the soak's own Redis database
        log(f"soak: database {SOAK_DB}, Redis {os.environ['REDIS_URL']}, broker {os.environ.get('CELERY_BROKER_URL')}")
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], check=True, cwd=BASE_DIR)
        tokens = soak.seed()
        soak.start_processes()
        log(f"soak: {args.users} users for {args.seconds:.0f} s against {soak.url} (gunicorn + worker)")
        elapsed = soak.run_load(tokens)
        drain = soak.wait_for_fan_out()
        checked, missing, samples = soak.verify_feeds(tokens)
    finally:
        soak.stop_processes()
        services.stop()

    total = sum(len(v) for v in soak.latencies.values())
    errors = sum(soak.errors.values())
    result = {
        "users": args.users,
        "seconds": round(elapsed, 1),
        "requests": total,
        "throughput_rps": round(total / elapsed, 1),
        "errors": errors,
        "errors_by_kind": dict(soak.errors),
        "tweets_posted": len(soak.posted),
        "fan_out_drain_seconds": round(drain, 1),
        "feed_entries_checked": checked,
        "feed_entries_lost": missing,
        "latency_ms": {
            action: {
                "count": len(values),
                "p50": round(percentile(values, 50) * 1000, 1),
                "p95": round(percentile(values, 95) * 1000, 1),
                "p99": round(percentile(values, 99) * 1000, 1),
                "max": round(max(values) * 1000, 1),
            }
            for action, values in sorted(soak.latencies.items())
        },
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "result.json").write_text(json.dumps(result, indent=2))
    print()
    print(f"requests {total} in {elapsed:.1f} s ({result['throughput_rps']} req/s), errors {errors}")
    print(f"{'action':12} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for action, row in result["latency_ms"].items():
        print(f"{action:12} {row['count']:7} {row['p50']:8} {row['p95']:8} {row['p99']:8} {row['max']:8}")
    print(f"tweets posted {len(soak.posted)}; fan-out drained {drain:.1f} s after the load")
    print(f"feed entries checked {checked}, lost {missing}")
    for line in soak.error_samples + samples:
        print("  " + line)
    print(f"(full result: {OUT_DIR / 'result.json'})")
    return 0 if errors == 0 and missing == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
