"""Streaming benchmarks (issue 22; streaming/), each with its baseline in the same run.

- `stream_hold`: one stream process (`manage.py stream`, uvicorn) holding N idle SSE `user`
  streams (10,000; one account each): resident memory per connection = (RSS with them - RSS
  before) / N. Goal: <= 32 kB.
- `stream_fanout_1k`, `stream_fanout_10k`: a post by an author with 1,000 (then 10,000)
  followers, all of them connected: from `tweet_create`'s return (the commit, as a POST's
  response) until every follower's stream has the `update`, over 20 posts: p50 and p99.
  Through the real path: on-commit signal, broker, a Celery worker's fan-out (two chunks on
  `feed_bulk` at 10,000), the publish, Redis pub/sub, the stream process, the sockets.
  Goals: p99 < 500 ms at 1,000, < 2 s at 10,000.
- `post_to_feed_listened`: post-to-feed latency (commit until 5 sampled followers' feeds hold
  the tweet, polled in Redis) of an author with 1,000 followers, with those 1,000 connected
  against none, p99. Goal: <= 1.2x.

The clients are asyncio sockets in a process of their own, so their parsing shares the two
cores with the server, the worker, PostgreSQL and Redis: an upper bound. Run:
`make bench ARGS="--only streaming"`, or alone `python -m bench.streaming [--quick]` with
DATABASE_URL naming a database with "bench" in its name, REDIS_URL a database it may flush,
and CELERY_BROKER_URL a broker for its worker.
"""

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"  # the real path: a worker fans out

import django

django.setup()

import psutil  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.tokens import AccessToken  # noqa: E402
from bench.benchmarks import Result, ms, pct  # noqa: E402
from bench.hybrid import _follow, _insert_users, _reset, _sync_sequence  # noqa: E402
from devtools.processes import free_port, stop, wait_for_port  # noqa: E402
from feed import keys, store  # noqa: E402
from tweets import services as tweet_services  # noqa: E402

BASE_DIR = Path(__file__).resolve().parent.parent
WORK = BASE_DIR / "var" / "bench"
HOLD_GOAL_KB = 32.0
FANOUT_GOALS = {1_000: 0.5, 10_000: 2.0}
LATENCY_GOAL = 1.2


def log(message: str) -> None:
    print(f"[bench.streaming] {message}", flush=True)


def _raise_file_limit(wanted: int = 20_000) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


# --- the data: N listeners; authors followed by 1,000 and by all N -----------------------


def seed(listeners: int) -> dict[str, int]:
    _reset()
    _insert_users(1, listeners, "s")
    small, large, poster = listeners + 1, listeners + 2, listeners + 3
    _insert_users(small, poster, "author")
    _follow((1, 1_000), small)
    _follow((1, listeners), large)
    _follow((1, 1_000), poster)
    _sync_sequence()
    return {"small": small, "large": large, "poster": poster}


# --- processes ------------------------------------------------------------------------


def start_stream_process(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    log_file = (WORK / "streaming.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, str(BASE_DIR / "manage.py"), "stream", "--port", str(port)],
        cwd=BASE_DIR,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        preexec_fn=_raise_file_limit,
        start_new_session=True,
    )
    wait_for_port(port, process=process)
    return process


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    log_path = WORK / "streaming-worker.log"
    log_path.write_bytes(b"")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "default,feed,feed_bulk",
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while b"ready" not in log_path.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process, timeout=15, group=True)
            raise SystemExit(f"worker did not start: {log_path.read_text()[-2000:]}")
        time.sleep(0.2)
    return process


# --- the clients: asyncio SSE readers on a thread ---------------------------------------


class Listeners:
    """Many SSE `user` streams in one asyncio loop; records when each tweet id arrived."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.lock = threading.Lock()
        self.count: dict[str, int] = defaultdict(int)
        self.last: dict[str, float] = {}
        self.writers: dict[int, asyncio.StreamWriter] = {}
        self.tasks: set[asyncio.Task[None]] = set()  # referenced: the loop keeps only weak ones
        self.failed = 0

    def open(self, tokens: dict[int, str], concurrency: int = 200) -> None:
        asyncio.run_coroutine_threadsafe(self._open_all(tokens, concurrency), self.loop).result()

    async def _open_all(self, tokens: dict[int, str], concurrency: int) -> None:
        gate = asyncio.Semaphore(concurrency)
        opened = [asyncio.get_running_loop().create_future() for _ in tokens]
        for (user_id, token), ready in zip(tokens.items(), opened, strict=True):
            task = asyncio.get_running_loop().create_task(self._one(user_id, token, gate, ready))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        await asyncio.gather(*opened)

    async def _one(self, user_id: int, token: str, gate: asyncio.Semaphore, ready: asyncio.Future[None]) -> None:
        async with gate:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 20)
                writer.write(
                    f"GET /api/v1/streaming/user HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                    f"Authorization: Bearer {token}\r\n\r\n".encode()
                )
                if b" 200 " not in await reader.readline():
                    raise ConnectionError("refused")
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass
                self.writers[user_id] = writer
            except (OSError, ConnectionError):
                self.failed += 1
                ready.set_result(None)
                return
        ready.set_result(None)
        try:
            while line := await reader.readline():
                if line.startswith(b'data: {"id":"'):
                    tweet_id = line[13 : line.index(b'"', 13)].decode()
                    now = time.perf_counter()
                    with self.lock:
                        self.count[tweet_id] += 1
                        self.last[tweet_id] = now
        except (OSError, ValueError):
            pass

    def close(self, user_ids: list[int]) -> None:
        def close_them() -> None:
            for user_id in user_ids:
                writer = self.writers.pop(user_id, None)
                if writer is not None:
                    writer.close()

        self.loop.call_soon_threadsafe(close_them)

    def arrived(self, tweet_id: int) -> tuple[int, float | None]:
        with self.lock:
            return self.count.get(str(tweet_id), 0), self.last.get(str(tweet_id))


class RemoteListeners:
    """`Listeners` in a process of their own (forked), driven over a pipe: their parsing of
    10,000 events must not take the GIL from this process's posting and polling."""

    def __init__(self, port: int) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=_serve_listeners, args=(port, child), daemon=True)
        self.process.start()
        self.failed = 0

    def _ask(self, *command: Any) -> Any:
        self.pipe.send(command)
        return self.pipe.recv()

    def open(self, tokens: dict[int, str], concurrency: int = 200) -> None:
        self.failed = self._ask("open", tokens, concurrency)

    def close(self, user_ids: list[int]) -> None:
        self._ask("close", user_ids)

    def arrived(self, tweet_id: int) -> tuple[int, float | None]:
        count, last = self._ask("arrived", tweet_id)
        return count, last

    def stop(self) -> None:
        self.process.kill()


def _serve_listeners(port: int, pipe: Any) -> None:
    listeners = Listeners(port)
    while True:
        command, *args = pipe.recv()
        if command == "open":
            listeners.open(*args)
            pipe.send(listeners.failed)
        elif command == "close":
            listeners.close(*args)
            pipe.send(None)
        elif command == "arrived":
            pipe.send(listeners.arrived(*args))


def _tokens(first: int, last: int) -> dict[int, str]:
    return {user_id: str(AccessToken.for_user(User(pk=user_id))) for user_id in range(first, last + 1)}


def _markers(user_ids: range) -> int:
    from django_redis import get_redis_connection

    from streaming import channels

    client = get_redis_connection("default")
    with client.pipeline(transaction=False) as pipe:
        for user_id in user_ids:
            pipe.exists(channels.marker(channels.user(user_id)))
        return sum(int(x) for x in pipe.execute())


# --- the measures ------------------------------------------------------------------------


def _post(author_id: int, text: str) -> tuple[float, int]:
    with transaction.atomic():
        tweet = tweet_services.tweet_create(author=User.objects.get(pk=author_id), content=text)
    return time.perf_counter(), tweet.pk


def stream_fanout(listeners: RemoteListeners, author_id: int, audience: int, posts: int) -> Result:
    times: list[float] = []
    missing = 0
    for n in range(posts):
        posted_at, tweet_id = _post(author_id, f"streaming benchmark {n} to {audience}")
        deadline = posted_at + 30
        while (got := listeners.arrived(tweet_id))[0] < audience and time.perf_counter() < deadline:
            time.sleep(0.002)
        count, last = got
        if count < audience or last is None:
            missing += audience - count
        else:
            times.append(last - posted_at)
        time.sleep(0.3)
    goal = FANOUT_GOALS[audience]
    p50, p99 = (pct(times, 50), pct(times, 99)) if times else (float("inf"), float("inf"))
    label = f"{audience // 1000}k"
    return Result(
        name=f"stream_fanout_{label}",
        ours=f"p50 {ms(p50)} p99 {ms(p99)}",
        baseline=f"goal p99 {goal:g} s",
        ratio=goal / p99 if times else None,
        goal=f"p99 < {goal * 1000:.0f} ms, {posts} posts",
        met=bool(times) and p99 < goal and missing == 0,
        info={
            "posts": posts,
            "followers_connected": audience,
            "updates_missing": missing,
            "max_ms": round(max(times, default=0) * 1000, 1),
        },
    )


def post_latency(poster_id: int, posts: int, rate: float) -> list[float]:
    """Commit until 5 sampled followers' feeds hold the tweet (ZSCORE polled every 2 ms)."""
    rng = random.Random(7)
    watchers = rng.sample(range(1, 1_001), 5)
    client = store.connection()
    latencies: list[float] = []
    for n in range(posts):
        started = time.perf_counter()
        _, tweet_id = _post(poster_id, f"latency {n}")
        waiting = set(watchers)
        deadline = started + 10
        while waiting and time.perf_counter() < deadline:
            with client.pipeline(transaction=False) as pipe:
                order = sorted(waiting)
                for user_id in order:
                    pipe.zscore(keys.feed_key(user_id), str(tweet_id))
                for user_id, score in zip(order, pipe.execute(), strict=True):
                    if score is not None:
                        latencies.append(time.perf_counter() - started)
                        waiting.discard(user_id)
            time.sleep(0.002)
        time.sleep(max(0.0, started + 1 / rate - time.perf_counter()))
    return latencies


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 connections, fewer posts")
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=20)
    args = parser.parse_args(argv)
    n = 2_000 if args.quick else args.connections
    posts = 5 if args.quick else args.posts
    _raise_file_limit()
    WORK.mkdir(parents=True, exist_ok=True)
    authors = seed(n)
    log(f"seeded {n} listeners, authors {authors}")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "CELERY_TASK_ALWAYS_EAGER": "false"}
    port = free_port()
    server = start_stream_process({**env, "LOG_LEVEL": "WARNING"}, port)
    try:
        # INFO: its readiness is read from its log (bench.run runs everything at WARNING).
        worker = start_worker({**env, "LOG_LEVEL": "INFO"})
    except BaseException:
        stop(server, timeout=15, group=True)
        raise
    results: list[Result] = []
    try:
        server_process = psutil.Process(server.pid)
        time.sleep(1)
        log("post-to-feed latency, nobody listening")
        quiet = post_latency(authors["poster"], posts=100 if not args.quick else 30, rate=10)

        listeners = RemoteListeners(port)
        listeners.open(_tokens(1, 1), concurrency=1)  # warm the code paths, then measure
        listeners.close([1])
        time.sleep(1)
        before = server_process.memory_info().rss
        started = time.perf_counter()
        listeners.open(_tokens(1, n))
        opened_s = time.perf_counter() - started
        deadline = time.monotonic() + 60
        while _markers(range(1, n + 1)) < n - listeners.failed and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(3)  # idle
        after = server_process.memory_info().rss
        held = n - listeners.failed
        per_kb = (after - before) / max(held, 1) / 1024
        log(
            f"holding {held} streams ({listeners.failed} failed) opened in {opened_s:.1f} s:"
            f" RSS {before >> 20} -> {after >> 20} MiB"
        )
        results.append(
            Result(
                name="stream_hold",
                ours=f"{per_kb:.1f} kB per connection",
                baseline=f"goal {HOLD_GOAL_KB:g} kB",
                ratio=HOLD_GOAL_KB / per_kb if per_kb > 0 else None,
                goal=f"<= {HOLD_GOAL_KB:g} kB, {n} idle SSE",
                met=per_kb <= HOLD_GOAL_KB and listeners.failed == 0,
                info={
                    "connections": held,
                    "failed": listeners.failed,
                    "rss_before_mib": before >> 20,
                    "rss_after_mib": after >> 20,
                    "open_s": round(opened_s, 1),
                    "fds": server_process.num_fds(),
                },
            )
        )
        log(results[-1].line())
        log(f"fan-out to 1,000 connected followers, {posts} posts")
        results.append(stream_fanout(listeners, authors["small"], 1_000, posts))
        log(results[-1].line())
        log(f"fan-out to {n:,} connected followers, {posts} posts")
        FANOUT_GOALS.setdefault(n, FANOUT_GOALS[10_000])  # --quick: the large audience is smaller
        results.append(stream_fanout(listeners, authors["large"], n, posts))
        log(results[-1].line())

        listeners.close(list(range(1_001, n + 1)))
        time.sleep(2)
        log("post-to-feed latency, the 1,000 followers listening")
        loud = post_latency(authors["poster"], posts=100 if not args.quick else 30, rate=10)
        ratio = pct(loud, 99) / pct(quiet, 99)
        results.append(
            Result(
                name="post_to_feed_listened",
                ours=f"p99 {ms(pct(loud, 99))} (p50 {ms(pct(loud, 50))})",
                baseline=f"p99 {ms(pct(quiet, 99))} (p50 {ms(pct(quiet, 50))})",
                ratio=ratio,
                goal=f"<= {LATENCY_GOAL:g}x, 1,000 listeners vs none",
                met=ratio <= LATENCY_GOAL,
                info={"observations": [len(loud), len(quiet)]},
            )
        )
        log(results[-1].line())
        listeners.stop()
    finally:
        stop(worker, timeout=15, group=True)
        stop(server, timeout=15, group=True)
    print()
    for result in results:
        print(result.line())
    (WORK / "streaming.json").write_text(json.dumps([r.__dict__ for r in results], indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
