"""`make run` driven from outside as a supervisor, a terminal or a user would (issue 12, points 1, 2, 4, 5).

Each run gets its own var/ (CHIRP_VAR_DIR), port, embedded Redis (REDIS_URL unset) and the
test database; every process it starts inherits CHIRP_TEST_MARK, which is how the tests
find anything left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest
import requests

from accounts.tests.factories import PASSWORD, UserFactory
from devtools.dev import port_in_use
from devtools.servers import BASE_DIR, free_port
from devtools.testing import test_database_url

pytestmark = pytest.mark.django_db(transaction=True)

BANNER_END = "Ctrl-C stops"


def marked(mark: str) -> list[psutil.Process]:
    """Live processes started by the run carrying `mark`."""
    found = []
    for process in psutil.process_iter(["status"]):
        try:
            if process.info["status"] != psutil.STATUS_ZOMBIE and process.environ().get("CHIRP_TEST_MARK") == mark:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def describe(processes: list[psutil.Process]) -> list[str]:
    out = []
    for process in processes:
        try:
            out.append(f"{process.pid} {' '.join(process.cmdline())[:120]}")
        except psutil.Error:
            out.append(str(process.pid))
    return out


class MakeRun:
    """One `make run` in its own process group, as a supervisor or a container runtime starts it."""

    def __init__(self, var: Path, port: int, **extra: str) -> None:
        self.var = var
        self.port = port
        self.mark = uuid.uuid4().hex
        self.out_path = var.parent / f"{var.name}-{self.mark[:8]}.out"
        drop = (
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "LOG_FILE",
            "LOG_CONSOLE_LEVEL",
            "PORT",
            "STREAMING_PORT",
            "CHIRP_VAR_DIR",
        )
        self.env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("MAKE")}
        self.env.update(
            DATABASE_URL=test_database_url(),
            CHIRP_VAR_DIR=str(var),
            PORT=str(port),
            STREAMING_PORT=str(free_port()),  # the stream process: PORT + 1 may be taken on a busy machine
            CHIRP_TEST_MARK=self.mark,
            WEB_WORKERS="1",
            WEB_THREADS="2",
            **extra,
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> MakeRun:
        with self.out_path.open("wb") as out:
            self.process = subprocess.Popen(
                # -o: never reinstall the venv these very tests run in (make test installed it).
                ["make", "--no-print-directory", "-o", ".venv/.installed", "run"],
                cwd=BASE_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    def output(self) -> str:
        return self.out_path.read_text(errors="replace")

    def wait_for(self, condition, what: str, timeout: float = 120) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process is not None
            if self.process.poll() is not None:
                pytest.fail(f"make run exited ({self.process.returncode}) before {what}:\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} after {timeout} s:\n{self.output()[-3000:]}")
            time.sleep(0.1)

    def wait_healthy(self) -> None:
        self.wait_for(lambda: BANNER_END in self.output(), "banner")

    def wait_children(self) -> None:
        """Until the web server and the worker processes exist (they may still be starting)."""

        def both() -> bool:
            names = " ".join(" ".join(p.cmdline()) for p in marked(self.mark) if p.is_running())
            return "gunicorn" in names and "celery" in names

        self.wait_for(both, "web server and worker")

    def wait_setup(self) -> None:
        self.wait_for(lambda: (self.var / "run.json").exists(), "run record")

    def wait_honcho(self) -> None:
        """Until honcho's process exists: it is about to start the Procfile's processes, or starting them."""

        def honcho() -> bool:
            return any("devtools.dev procs" in " ".join(p.cmdline()) for p in marked(self.mark) if p.is_running())

        self.wait_for(honcho, "honcho")

    def stop_group(self, sig: int, timeout: float = 60) -> None:
        """Signal the whole process group, as a supervisor does, then the runner once more; wait for make.

        The repeat is what make does with SIGTERM (it forwards it to the runner, which the group
        signal reached already) and what an impatient second Ctrl-C does: it must change nothing.
        """
        assert self.process is not None
        runners = []
        for child in psutil.Process(self.process.pid).children():
            with contextlib.suppress(psutil.Error):
                if "devtools.dev" in " ".join(child.cmdline()):
                    runners.append(child)
        os.killpg(self.process.pid, sig)
        time.sleep(0.2)
        for runner in runners:
            with contextlib.suppress(psutil.Error):
                runner.send_signal(sig)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"make run still running {timeout} s after {sig!r}:\n{self.output()[-3000:]}")

    def assert_nothing_left(self) -> None:
        deadline = time.monotonic() + 5
        while (left := marked(self.mark)) and time.monotonic() < deadline:
            time.sleep(0.1)
        try:
            assert not left, f"left running: {describe(left)}\n{self.output()[-3000:]}"
            assert not port_in_use(self.port), f"port {self.port} still taken"
            assert not (self.var / "run.json").exists()
            assert "Traceback" not in self.output(), self.output()[-3000:]
        finally:
            for process in left:  # never leave them to the next test
                with contextlib.suppress(psutil.Error):
                    process.kill()


@pytest.fixture
def not_empty(transactional_db):  # type: ignore[no-untyped-def]
    """A user already in the database: `make run` then loads no demo data (seconds saved per run)."""
    return UserFactory(username="demo")


def test_a_signal_to_the_process_group_stops_everything_ten_times_in_a_row(tmp_path, not_empty):
    """SIGTERM and SIGINT in turn, sent while starting up or once healthy: nothing is ever left.

    "honcho": as honcho starts. The runner holds the stop until honcho has started every
    process (honcho 2.0.0 signalled between starting one and hearing its pid raises
    KeyError('pid') and leaves it running); this stage reaches that moment only now and then.
    """
    port = free_port()
    # Signalled during the setup step, as honcho starts, while web and worker boot, and once
    # healthy; SIGTERM and SIGINT.
    term, interrupt = signal.SIGTERM, signal.SIGINT
    plan = [
        ("healthy", term),
        ("setup", interrupt),
        ("children", term),
        ("honcho", interrupt),
        ("healthy", interrupt),
        ("setup", term),
        ("honcho", term),
        ("children", interrupt),
        ("healthy", term),
        ("setup", interrupt),
    ]
    for n, (stage, sig) in enumerate(plan):
        run = MakeRun(tmp_path / f"var{n}", port).start()
        waits = {"healthy": run.wait_healthy, "children": run.wait_children, "honcho": run.wait_honcho}
        waits.get(stage, run.wait_setup)()
        run.stop_group(sig)
        run.assert_nothing_left()


def test_a_taken_port_stops_at_once_with_one_line(tmp_path, not_empty):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = MakeRun(tmp_path / "var", port).start()
        assert run.process is not None
        assert run.process.wait(timeout=60) != 0
        output = run.output()
    lines = [line for line in output.splitlines() if line.startswith("[chirp]")]
    assert lines == [f"[chirp] port {port} is in use; set PORT=... (for example PORT={port + 2} make run)"], output
    assert "Demo login" not in output
    assert not marked(run.mark)


def test_beside_make_run_manage_py_reaches_its_servers_and_the_console_stays_quiet(tmp_path, not_empty):
    var = tmp_path / "var"
    run = MakeRun(var, free_port()).start()
    try:
        run.wait_healthy()
        # The URLs and the login come last, once healthy.
        lines = run.output().splitlines()
        assert lines[-2].startswith("[chirp] Demo login: username 'demo'"), lines[-8:]
        record = json.loads((var / "run.json").read_text())

        # A plain manage.py, with no URL set, uses what make run uses (its embedded Redis too).
        env = {k: v for k, v in run.env.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
        code = (
            "from django.conf import settings as s; from django.db import connection; "
            "connection.ensure_connection(); "
            "print(s.DATABASE_URL_SOURCE, s.DATABASES['default']['NAME'], s.REDIS_URL)"
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        from django.db import connection

        assert f"make run {connection.settings_dict['NAME']} {record['urls']['REDIS_URL']}" in result.stdout

        # A tweet goes through the worker; its routine INFO lines land in var/log/, not on the console.
        base = f"http://127.0.0.1:{run.port}"
        token = requests.post(f"{base}/api/auth/token/", json={"username": "demo", "password": PASSWORD}, timeout=30)
        headers = {"Authorization": f"Bearer {token.json()['access']}"}
        posted = requests.post(f"{base}/api/tweets", json={"content": "quiet please"}, headers=headers, timeout=30)
        assert posted.status_code == 201, posted.text
        # This tweet's own fan-out (the demo seed's are there already), and the request in the
        # access log (gunicorn writes it after the response: wait for it too, never a fixed sleep).
        fan_out = f"fan-out of tweet {posted.json()['id']} "
        deadline = time.monotonic() + 60
        while (
            fan_out not in (var / "log" / "worker.log").read_text()
            or "POST /api/tweets" not in (var / "log" / "access.log").read_text()
        ):
            assert time.monotonic() < deadline, "no fan-out of the tweet in worker.log, or no request in access.log"
            time.sleep(0.2)
        console = run.output()
        assert '"level": "INFO"' not in console, console[-3000:]
        assert "succeeded in" not in console
        # Nor a warning: the demo seed and this tweet publish to the streams on the embedded
        # Redis (6.2), where a script it could not compile once logged one per publish.
        problems = [line for line in console.splitlines() if '"level": "WARNING"' in line or '"level": "ERROR"' in line]
        assert not problems, problems[:5]
    finally:
        run.stop_group(signal.SIGTERM)
    run.assert_nothing_left()


def test_manage_py_without_a_reachable_database_says_so_in_one_line():
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere"}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Cannot connect to PostgreSQL at 127.0.0.1:1"), result.stderr
