"""How `make run` has honcho run the Procfile (devtools/dev.py run_procfile), with real processes."""

import signal
import subprocess
import sys
import time
from pathlib import Path

from devtools.dev import BASE_DIR, PROCFILE, STOPPED, procfile_names, started

# A server with a worker in its process group, like gunicorn or Celery: on SIGTERM it stops
# the worker itself. Each notes what it received in the file named by argv[1].
SERVER = """
import os, signal, sys, time

def note(line):
    with open(sys.argv[1], "a") as out:
        out.write(line + "\\n")

worker = os.fork()
if worker == 0:
    signal.signal(signal.SIGTERM, lambda *_: (note("worker got SIGTERM"), os._exit(0)))
    note("worker ready")
    time.sleep(60)
    os._exit(0)

def stop(*_):
    note("server got SIGTERM")
    os.kill(worker, signal.SIGKILL)
    os.waitpid(worker, 0)
    sys.exit(0)

signal.signal(signal.SIGTERM, stop)
note(f"log file {os.environ['LOG_FILE']}")
note(f"server ready {os.getpid()}")
time.sleep(60)
"""


def run_procfile(procfile: Path, logs: Path) -> subprocess.Popen:
    """run_procfile in a process of its own, as `make run` starts it."""
    code = "import sys; from pathlib import Path; from devtools.dev import run_procfile; "
    code += "sys.exit(run_procfile(Path(sys.argv[1]), Path(sys.argv[2])))"
    return subprocess.Popen(
        [sys.executable, "-c", code, str(procfile), str(logs)], cwd=BASE_DIR, start_new_session=True
    )


def wait_for(condition, what: str, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"no {what} after {timeout} s"
        time.sleep(0.05)


def test_the_procfile_lists_web_worker_and_streaming():
    assert procfile_names() == ["web", "worker", "streaming"]
    for line in PROCFILE.read_text().splitlines():
        if line and not line.startswith("#"):
            # exec: the process honcho signals is the server, not a shell that would not pass it on.
            assert line.split(":", 1)[1].split()[0] == "exec", line


def test_sigterm_reaches_each_server_alone_which_stops_its_own_workers(tmp_path):
    """honcho alone would signal the whole group: Celery's pool processes would die mid-task."""
    notes = tmp_path / "notes"
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    procfile = tmp_path / "Procfile"
    procfile.write_text(f"server: exec {sys.executable} {script} {notes}\n")
    honcho = run_procfile(procfile, tmp_path)
    try:
        wait_for(lambda: notes.exists() and "worker ready" in notes.read_text(), "worker")
        wait_for(lambda: "server ready" in notes.read_text(), "server")
        wait_for(lambda: started(tmp_path), "started line in honcho.log")
        server_pid = int(notes.read_text().split("server ready ")[1].split()[0])
        assert started(tmp_path) == {"server": server_pid}  # the server itself, thanks to exec
        honcho.send_signal(signal.SIGTERM)
        assert honcho.wait(timeout=20) == 143  # honcho's code for "stopped by SIGTERM"
    finally:
        honcho.kill()
    lines = notes.read_text().splitlines()
    assert "server got SIGTERM" in lines
    assert "worker got SIGTERM" not in lines
    assert f"log file {tmp_path / 'server.log'}" in lines  # each process logs to <name>.log


def test_a_process_that_exits_stops_the_others_and_is_named(tmp_path):
    """Nothing is restarted: honcho stops the rest, and honcho.log says who exited first."""
    procfile = tmp_path / "Procfile"
    procfile.write_text("slow: exec sleep 60\nquick: sleep 0.5; exit 3\n")
    honcho = run_procfile(procfile, tmp_path)
    try:
        assert honcho.wait(timeout=20) == 3
    finally:
        honcho.kill()
    log = (tmp_path / "honcho.log").read_text()
    assert STOPPED.findall(log)[0] == ("quick", "3"), log
    assert set(started(tmp_path)) == {"slow", "quick"}
