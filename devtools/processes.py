"""Child processes for the development runner, benchmarks, the soak and test fixtures.

One way to start a server on a free port, wait for it, and stop it: SIGTERM, a bounded
wait, then SIGKILL. `group=True` signals the whole process group of a child started with
`start_new_session=True` (gunicorn or Celery and the workers they forked). Standard
library only: production code never imports it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterable


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, *, timeout: float = 30, process: subprocess.Popen[bytes] | None = None) -> None:
    """Return once 127.0.0.1:`port` accepts connections; RuntimeError if `process` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before opening port {port}")
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def send(process: subprocess.Popen[bytes], sig: int, *, group: bool = False) -> None:
    """Send `sig` to the child (or its whole process group); a child already gone is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if group:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)


def stop(process: subprocess.Popen[bytes] | None, *, timeout: float = 15, group: bool = False) -> bool:
    """SIGTERM, wait up to `timeout` s, then SIGKILL and reap. True if it stopped on SIGTERM."""
    return stop_all([process] if process is not None else [], timeout=timeout, group=group)


def stop_all(processes: Iterable[subprocess.Popen[bytes]], *, timeout: float = 15, group: bool = False) -> bool:
    """Stop several children at once: SIGTERM to all, one shared deadline, SIGKILL to the rest.

    True if every one stopped on SIGTERM.
    """
    running = [process for process in processes if process.poll() is None]
    for process in running:
        send(process, signal.SIGTERM, group=group)
    deadline = time.monotonic() + timeout
    clean = True
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            clean = False
            send(process, signal.SIGKILL, group=group)
            process.wait()
    return clean
