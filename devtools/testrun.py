"""`make test`: the whole suite in two shards that run at once, on the same real servers.

The system tests (gunicorn, `make run`, real clients, throwaway servers, fuzzing) mostly
wait on other processes; the app tests mostly use the CPU. Run side by side on the 2-core
machine they take about the time of the longer one instead of the sum. Each shard has its
own test database, Redis database and broker, so their flushes and workers never meet:

- app: DATABASE_URL, REDIS_URL, CELERY_BROKER_URL as given;
- system: the database name + "_system", Redis db 14, and CELERY_BROKER_URL_SYSTEM when set
  (.ci/run gives a RabbitMQ vhost of its own), else Redis db 13 as the broker.

With arguments (`python -m devtools.dev test feed -k fanout`) it is one plain pytest run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
SYSTEM_TESTS = ("tests/system",)


def with_database_name(url: str, suffix: str) -> str:
    """The same PostgreSQL URL naming another database (`name` + suffix)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


def with_redis_db(url: str, db: int) -> str:
    """The same Redis URL on another database number (redis://host/N, unix://path?db=N, or
    Celery's redis+socket://path?virtual_host=N)."""
    parts = urlsplit(url)
    # A socket: redis-py's unix://path?db=N, or Celery's redis+socket://path?virtual_host=N.
    parameter = {"unix": "db", "redis+socket": "virtual_host"}.get(parts.scheme)
    if parameter:
        query = dict(parse_qsl(parts.query))
        query[parameter] = str(db)
        # Built by hand: urlunsplit drops the "//" of an empty host (unix:/path), which redis-py refuses.
        return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"
    return urlunsplit(parts._replace(path=f"/{db}"))


def system_env(env: dict[str, str]) -> dict[str, str]:
    """The system shard's environment: its own database, Redis db and broker."""
    broker = env.get("CELERY_BROKER_URL_SYSTEM") or ""
    if not broker:
        base = env.get("CELERY_BROKER_URL", "")
        if not base.startswith("redis"):  # RabbitMQ, or unset: the Redis server, as Celery names it
            base = env["REDIS_URL"]
            if base.startswith("unix://"):
                base = "redis+socket://" + urlsplit(base).path
        broker = with_redis_db(base, 13)
    return {
        **env,
        "DATABASE_URL": with_database_name(env["DATABASE_URL"], "_system"),
        "REDIS_URL": with_redis_db(env["REDIS_URL"], 14),
        "CELERY_BROKER_URL": broker,
    }


def run_tests(args: list[str]) -> int:
    """pytest ARGS, or the two shards at once; the exit code of the worse."""
    pytest = [sys.executable, "-m", "pytest"]
    if args:
        return subprocess.call([*pytest, *args], cwd=BASE_DIR)
    log_path = BASE_DIR / "var" / "test-system.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        system = subprocess.Popen(
            [*pytest, "-p", "no:cacheprovider", *SYSTEM_TESTS],
            cwd=BASE_DIR,
            env=system_env(dict(os.environ)),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            print(f"[chirp] system tests run beside these; their output follows at the end ({log_path})", flush=True)
            app = subprocess.call([*pytest, *(f"--ignore={path}" for path in SYSTEM_TESTS)], cwd=BASE_DIR)
            system_code = system.wait()
        finally:
            if system.poll() is None:
                system.terminate()
                system.wait(timeout=30)
    print("\n[chirp] system tests:", flush=True)
    sys.stdout.write(log_path.read_text(errors="replace"))
    sys.stdout.flush()
    return app or system_code
