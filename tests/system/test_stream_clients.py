"""The judges: Mastodon.py 2.3 (SSE and its WebSocket transport) and masto.js 8 (WebSocket)
stream from a real stream process, next to a real gunicorn that advertises it (instance v1
`urls.streaming_api`) and publishes what it writes (Celery eager in that process)."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mastodon import Mastodon, StreamListener

from devtools.servers import AppServer
from mastodon_api.tests.conftest import oauth_app, token_for  # noqa: F401
from streaming import channels
from streaming.tests.conftest import StreamServer, stream_env, wait_listening

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]
NODE_DIR = BASE_DIR / "var" / "node"


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker) -> Iterator[tuple[AppServer, StreamServer]]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        env = stream_env()
    stream = StreamServer(env).start()
    web = AppServer(
        {
            **env,
            "CELERY_TASK_ALWAYS_EAGER": "true",  # the fan-out and notifications run in gunicorn, then publish
            "STREAMING_URL": f"ws://127.0.0.1:{stream.port}",
            "MASTODON_RATE_LIMIT": "10000",
        }
    )
    web.start()
    try:
        yield web, stream
    finally:
        web.stop()
        stream.stop()


class Collector(StreamListener):
    """Mastodon.py's listener: what arrived, in a queue."""

    def __init__(self) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def on_update(self, status: Any) -> None:
        self.events.put(("update", status))

    def on_notification(self, notification: Any) -> None:
        self.events.put(("notification", notification))

    def on_delete(self, status_id: Any) -> None:
        self.events.put(("delete", status_id))

    def next(self, kind: str, timeout: float = 10.0) -> Any:
        while True:
            event, data = self.events.get(timeout=timeout)
            if event == kind:
                return data


def _api(web: AppServer, token: str) -> Mastodon:
    return Mastodon(access_token=token, api_base_url=web.url, request_timeout=30)


def test_mastodon_py_stream_user_over_sse(servers, oauth_app, alice, bob):  # noqa: F811
    web, _ = servers
    alice_api, bob_api = _api(web, token_for(alice, oauth_app)), _api(web, token_for(bob, oauth_app))
    alice_api.account_follow(bob.pk)
    listener = Collector()
    handle = alice_api.stream_user(listener, run_async=True, reconnect_async=False)
    try:
        wait_listening(channels.user(alice.pk))
        posted = bob_api.status_post("Hello over SSE #chirp")
        status = listener.next("update")
        assert status["id"] == posted["id"] and status["account"]["acct"] == "bob"
        assert status["tags"][0]["name"] == "chirp"
        bob_api.status_favourite(alice_api.status_post("like this")["id"])
        listener.next("update")  # alice's own post
        notification = listener.next("notification")
        assert notification["type"] == "favourite" and notification["account"]["acct"] == "bob"
        bob_api.status_delete(posted["id"])
        assert str(listener.next("delete")) == str(posted["id"])
    finally:
        handle.close()


def test_mastodon_py_over_its_websocket_transport(servers, oauth_app, alice, bob):  # noqa: F811
    import websocket  # noqa: F401  # websocket-client (requirements-dev.txt): fail, never skip, when it is missing

    web, _ = servers
    alice_api, bob_api = _api(web, token_for(alice, oauth_app)), _api(web, token_for(bob, oauth_app))
    alice_api.account_follow(bob.pk)
    home, tagged = Collector(), Collector()
    socket = alice_api.stream_open_websocket(home)
    try:
        socket.subscribe("user")
        socket.subscribe("hashtag", listener=tagged, tag="Chirp")
        wait_listening(channels.user(alice.pk))
        wait_listening(channels.public())
        posted = bob_api.status_post("Hello over WebSocket #chirp")
        assert home.next("update")["id"] == posted["id"]
        assert tagged.next("update")["id"] == posted["id"]
    finally:
        socket.close()


def _node() -> list[str]:
    """node, with its WebSocket switched on where it is still experimental (node 20)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: run `make node-deps`")
    probe = subprocess.run([node, "-e", "process.exit(typeof WebSocket === 'undefined' ? 1 : 0)"], check=False)
    return [node] if probe.returncode == 0 else [node, "--experimental-websocket"]


def test_masto_js_subscribes_to_user_and_hashtag_over_websocket(servers, oauth_app, alice, bob, tmp_path):  # noqa: F811
    web, stream = servers
    if not (NODE_DIR / "node_modules" / "masto").exists():
        pytest.fail(f"{NODE_DIR} has no masto: run `make node-deps`")
    script = NODE_DIR / f"masto-stream-{os.getpid()}.mjs"  # beside node_modules, where `import "masto"` resolves
    script.write_text((Path(__file__).parent / "masto_stream.mjs").read_text())
    bob_api = _api(web, token_for(bob, oauth_app))
    _api(web, token_for(alice, oauth_app)).account_follow(bob.pk)
    process = subprocess.Popen(
        [*_node(), str(script), f"ws://127.0.0.1:{stream.port}", token_for(alice, oauth_app), "chirp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=NODE_DIR,
    )
    lines: queue.Queue[dict[str, Any]] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(json.loads(line)) for line in process.stdout], daemon=True).start()  # type: ignore[union-attr]
    try:
        assert lines.get(timeout=20) == {"ready": True}
        wait_listening(channels.user(alice.pk))
        wait_listening(channels.public())
        posted = bob_api.status_post("Hello masto.js #chirp")
        got = {(line["name"], tuple(line["stream"])): line for line in (lines.get(timeout=10), lines.get(timeout=10))}
        assert set(got) == {("user", ("user",)), ("hashtag", ("hashtag", "chirp"))}
        for line in got.values():
            assert line["event"] == "update" and line["payload"]["id"] == posted["id"]
            assert line["payload"]["account"]["acct"] == "bob"  # masto.js parsed the payload string
    finally:
        process.kill()
        process.wait(timeout=10)
        script.unlink(missing_ok=True)
        if process.stderr is not None:
            errors = process.stderr.read()
            assert "Error" not in errors or "ECONNRESET" in errors, errors
