"""Stream test fixtures: a real stream process (`manage.py stream`, uvicorn) on the test
database and Redis, and small SSE and WebSocket clients that collect what they receive.

The test process is the publisher: its writes run the receivers (and, Celery being eager in
tests, the fan-out) after commit, as the web and worker processes do.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django_redis import get_redis_connection
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

from accounts.tokens import RefreshToken
from devtools.processes import free_port, stop, wait_for_port
from devtools.testing import test_database_url
from streaming import channels

BASE_DIR = Path(__file__).resolve().parents[2]


class StreamServer:
    """`manage.py stream` in a process of its own (its own group: SIGTERM reaches it alone)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.env = {**os.environ, **env}
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="chirp-stream-", suffix=".log")[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/v1/streaming"

    def start(self) -> StreamServer:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(BASE_DIR / "manage.py"), "stream", "--port", str(self.port)],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        wait_for_port(self.port, process=self.process)
        wait_until(lambda: requests.get(f"{self.url}/api/v1/streaming/health", timeout=2).ok, what="health")
        return self

    def terminate(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        stop(self.process, timeout=15)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_until(condition: Callable[[], Any], *, timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll `condition` until truthy (errors count as false); AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except Exception:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def stream_env() -> dict[str, str]:
    return {
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "STREAMING_CHANNEL_PREFIX": settings.STREAMING_CHANNEL_PREFIX,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
        "CONN_MAX_AGE": "0",
        "STREAMING_HEARTBEAT_SECONDS": "1",
    }


@pytest.fixture(scope="module")
def stream_server(django_db_setup, django_db_blocker) -> Iterator[StreamServer]:  # type: ignore[no-untyped-def]
    """One stream process for the module (cap 3 streams per account, to test it)."""
    with django_db_blocker.unblock():
        env = {**stream_env(), "STREAMING_MAX_CONNECTIONS_PER_USER": "3"}
    server = StreamServer(env).start()
    try:
        yield server
    finally:
        server.stop()


def jwt_for(user: Any) -> str:
    return str(RefreshToken.for_user(user).access_token)


def listening(channel: str) -> bool:
    """Whether a stream process marked the channel as listened to (it subscribed)."""
    return bool(get_redis_connection("default").exists(channels.marker(channel)))


def wait_listening(channel: str) -> None:
    wait_until(lambda: listening(channel), what=f"a listener on {channel}")


class Events:
    """What a stream delivered, in order: (event, data) pairs; a thread fills it."""

    def __init__(self) -> None:
        self.items: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.seen: list[tuple[str, Any]] = []
        self.comments = 0
        self.closed = threading.Event()

    def next(self, timeout: float = 5.0) -> tuple[str, Any]:
        item = self.items.get(timeout=timeout)
        self.seen.append(item)
        return item

    def wait_for(self, event: str, check: Callable[[Any], bool] = lambda _: True, timeout: float = 5.0) -> Any:
        """The next `event` whose data passes `check` (others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {event} event within {timeout} s; saw {self.seen}")
            try:
                name, data = self.next(timeout=left)
            except queue.Empty:
                continue
            if name == event and check(data):
                return data

    def none(self, event: str, within: float = 1.0) -> None:
        """No `event` arrives within `within` seconds."""
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            try:
                name, data = self.next(timeout=left)
            except queue.Empty:
                return
            assert name != event, f"unexpected {event}: {data}"


class SSE(Events):
    """An SSE stream read on a thread (requests, chunked)."""

    def __init__(self, url: str, *, token: str | None = None, params: dict[str, str] | None = None) -> None:
        super().__init__()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.response = requests.get(url, headers=headers, params=params, stream=True, timeout=(5, 60))
        self.status = self.response.status_code
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        event, data = "", []
        try:
            for raw in self.response.iter_lines(chunk_size=None, decode_unicode=True):
                line = raw or ""
                if line.startswith(":"):
                    self.comments += 1
                elif line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
                elif not line and event:
                    self.items.put((event, json.loads("\n".join(data))))
                    event, data = "", []
        except Exception:
            pass
        self.closed.set()

    def close(self) -> None:
        self.response.close()


class WS(Events):
    """A WebSocket stream read on a thread; items are (event, payload parsed, stream)."""

    def __init__(self, url: str, *, token: str | None = None, subprotocol: bool = False, query: str = "") -> None:
        super().__init__()
        headers = {"Authorization": f"Bearer {token}"} if token and not subprotocol else None
        protocols = [token] if token and subprotocol else None
        self.socket: ClientConnection = ws_connect(
            url + query,
            additional_headers=headers,
            subprotocols=protocols,  # type: ignore[arg-type]
            open_timeout=10,
            legacy=True,  # a long-lived client of the test, not a context manager
        )
        self.close_code: int | None = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.socket:
                message = json.loads(raw)
                if "error" in message:
                    self.items.put(("error", message))
                    continue
                payload = message["payload"]
                self.items.put((message["event"], (json.loads(payload), message["stream"])))
        except Exception:
            pass
        self.close_code = self.socket.close_code
        self.closed.set()

    def send(self, message: dict[str, Any]) -> None:
        self.socket.send(json.dumps(message))

    def close(self) -> None:
        self.socket.close()


def raw_sse(port: int, path: str, token: str, rcvbuf: int = 4096) -> socket.socket:
    """An SSE request on a bare socket with a small receive buffer (the test then stops reading)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
    return sock
