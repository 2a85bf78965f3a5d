"""The stream process's ASGI application (plain ASGI: no per-connection framework objects).

    GET /api/v1/streaming/health                         200 "OK", no token
    GET /api/v1/streaming/<stream> (SSE)                 user, user/notification, public,
                                                         public/local, hashtag?tag=, hashtag/local?tag=
    GET /api/v1/streaming?stream=<name> (SSE)            the same streams by name
    WebSocket /api/v1/streaming[?stream=&tag=]           {"type": "subscribe"|"unsubscribe", "stream", "tag"}

The token comes from `Authorization: Bearer`, `?access_token=` or `Sec-WebSocket-Protocol`;
a missing or refused one is a 401 (a WebSocket is refused at the handshake).
"""

import logging
from typing import Any
from urllib.parse import parse_qs

import django

django.setup()

import orjson  # noqa: E402  (after django.setup(): the modules below use Django's apps)
from django.conf import settings  # noqa: E402
from django.db import DatabaseError  # noqa: E402
from django.http.request import split_domain_port, validate_host  # noqa: E402

from streaming import auth  # noqa: E402
from streaming.hub import Connection, Hub, Subscription  # noqa: E402

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
PREFIX = "/api/v1/streaming"
# SSE paths -> stream names (Mastodon's).
SSE_PATHS = {
    "user": "user",
    "user/notification": "user:notification",
    "public": "public",
    "public/local": "public:local",
    "hashtag": "hashtag",
    "hashtag/local": "hashtag:local",
}
STREAMS = frozenset(SSE_PATHS.values())
_CORS = [(b"access-control-allow-origin", b"*")]


class StreamingApp:
    """Routes health, SSE and WebSocket requests; the Hub does the rest."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            await self.http(scope, receive, send)
        elif kind == "websocket":
            await self.websocket(scope, receive, send)
        elif kind == "lifespan":
            await self.lifespan(receive, send)

    async def lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.hub.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.hub.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # --- HTTP: health and server-sent events ---------------------------------------

    async def http(self, scope: Scope, receive: Any, send: Any) -> None:
        path = scope["path"].rstrip("/")
        if scope["method"] == "OPTIONS":
            await _plain(send, 204, b"", extra=[(b"access-control-allow-headers", b"authorization")])
            return
        if path == f"{PREFIX}/health":
            await _plain(send, 200, b"OK")
            return
        query = _query(scope)
        if path == PREFIX:
            name = query.get("stream", "")
        elif path.startswith(PREFIX + "/"):
            name = SSE_PATHS.get(path[len(PREFIX) + 1 :], "")
        else:
            await _error(send, 404, "Not found")
            return
        if scope["method"] not in ("GET", "HEAD"):
            await _error(send, 405, "Method not allowed")
            return
        if name not in STREAMS:
            await _error(send, 404, "Unknown stream type")
            return
        subscription, problem = _subscription(name, query)
        if problem:
            await _error(send, 400, problem)
            return
        base = _base(scope)
        if base is None:
            await _error(send, 400, "Invalid host")
            return
        principal, status, problem = await self._authenticate(scope, query, name)
        if principal is None:
            await _error(send, status, problem)
            return
        await self._serve_sse(principal, subscription, base, receive, send)

    async def _serve_sse(
        self, principal: auth.Principal, subscription: Subscription, base: str, receive: Any, send: Any
    ) -> None:
        if not self.hub.may_connect(principal.user_id):
            await _error(send, 429, "Too many streams for this account")
            return
        connection = Connection(principal, base, ws=False, abort=_aborter(send))
        self.hub.add(connection)
        self.hub.subscribe(connection, subscription)
        watcher = _watch_disconnect(receive, connection)
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"text/event-stream; charset=utf-8"),
                        (b"cache-control", b"no-store"),
                        (b"x-accel-buffering", b"no"),
                        *_CORS,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b":)\n\n", "more_body": True})
            while (items := await connection.take()) is not None:
                await send({"type": "http.response.body", "body": b"".join(items), "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watcher.cancel()
            self.hub.remove(connection)

    # --- WebSocket ----------------------------------------------------------------------

    async def websocket(self, scope: Scope, receive: Any, send: Any) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        if scope["path"].rstrip("/") != PREFIX:
            await _deny(send, 404, "Not found")
            return
        query = _query(scope)
        base = _base(scope)
        if base is None:
            await _deny(send, 400, "Invalid host")
            return
        principal, status, problem = await self._authenticate(scope, query, None)
        if principal is None:
            await _deny(send, status, problem)
            return
        if not self.hub.may_connect(principal.user_id):
            await _deny(send, 429, "Too many streams for this account")
            return
        # A token sent as the subprotocol (masto.js, browsers) must be echoed, or the browser drops the socket.
        offered = scope.get("subprotocols") or []
        accept: dict[str, Any] = {"type": "websocket.accept"}
        if offered and not _header(scope, b"authorization") and "access_token" not in query:
            accept["subprotocol"] = offered[0]
        await send(accept)
        connection = Connection(principal, base, ws=True, abort=_aborter(send))
        self.hub.add(connection)
        reader = _spawn_reader(receive, connection, self)
        try:
            if query.get("stream"):
                self.handle_ws_message(
                    connection, {"type": "subscribe", "stream": query["stream"], "tag": query.get("tag")}
                )
            while (items := await connection.take()) is not None:
                for item in items:
                    await send({"type": "websocket.send", "text": item})
            if connection.reason in ("shutdown", "revoked"):
                code = 1001 if connection.reason == "shutdown" else 1008
                await send({"type": "websocket.close", "code": code})
        except Exception as exc:  # ClientDisconnected and friends: the client went away
            logger.debug("streaming: websocket ended: %r", exc)
        finally:
            reader.cancel()
            self.hub.remove(connection)

    def handle_ws_message(self, connection: Connection, message: Any) -> None:
        """A client's subscribe/unsubscribe; mistakes are answered with Mastodon's error shape."""
        if not isinstance(message, dict) or message.get("type") not in ("subscribe", "unsubscribe"):
            connection.push(orjson.dumps({"error": "Unknown message type", "status": 400}).decode())
            return
        name = message.get("stream")
        if name not in STREAMS:
            connection.push(orjson.dumps({"error": "Unknown stream type", "status": 400}).decode())
            return
        tag = message.get("tag")
        subscription, problem = _subscription(name, {"tag": tag if isinstance(tag, str) else ""})
        if problem:
            connection.push(orjson.dumps({"error": problem, "status": 400}).decode())
            return
        if not connection.principal.allows(name):
            connection.push(
                orjson.dumps({"error": "Access token does not have the required scopes", "status": 401}).decode()
            )
            return
        if message["type"] == "subscribe":
            self.hub.subscribe(connection, subscription)
        else:
            self.hub.unsubscribe(connection, subscription)

    # --- tokens ---------------------------------------------------------------------------

    async def _authenticate(
        self, scope: Scope, query: dict[str, str], stream: str | None
    ) -> tuple[auth.Principal | None, int, str]:
        raw = _token(scope, query)
        if not raw:
            return None, 401, "Missing access token"
        try:
            principal = await self.hub.run(auth.authenticate, raw=raw)
        except auth.Refused as refused:
            return None, refused.status, str(refused)
        except DatabaseError:  # PostgreSQL away: the client retries (Mastodon's clients do)
            logger.warning("streaming: could not check a token: the database is unavailable")
            return None, 503, "The database is unavailable; try again"
        if stream is not None and not principal.allows(stream):
            return None, 401, "Access token does not have the required scopes"
        return principal, 200, ""


def _token(scope: Scope, query: dict[str, str]) -> str:
    header = _header(scope, b"authorization")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    if query.get("access_token"):
        return query["access_token"]
    offered = scope.get("subprotocols") or []
    return offered[0] if offered else ""


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


def _query(scope: Scope) -> dict[str, str]:
    parsed = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    return {key.removesuffix("[]"): values[0] for key, values in parsed.items()}


def _subscription(name: str, query: dict[str, Any]) -> tuple[Subscription, str]:
    if name.startswith("hashtag"):
        tag = str(query.get("tag") or "").lstrip("#")
        if not tag or len(tag) > 100:
            return Subscription(name), "No tag for stream provided"
        return Subscription(name, tag), ""
    return Subscription(name), ""


def _base(scope: Scope) -> str | None:
    """The web server's URL entities link to: this request's host, with the stream port
    replaced by the web port when they differ (`make run`: 8001 -> 8000). Behind a proxy both
    share one host. None for a host outside ALLOWED_HOSTS."""
    host = _header(scope, b"host") or "localhost"
    domain, port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    if port and port == str(settings.STREAMING_PORT) and settings.STREAMING_PORT != settings.PORT:
        host = host[: -len(port)] + str(settings.PORT)
    scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    return f"{scheme}://{host}"


def _aborter(send: Any) -> Any:
    """A callable that drops the TCP connection at once (uvicorn's transport; pinned version).

    Closing gracefully would wait for the client to read what is buffered, which a client
    that stopped reading never does."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    return transport.abort if transport is not None else (lambda: None)


def _watch_disconnect(receive: Any, connection: Connection) -> Any:
    import asyncio

    async def watch() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        connection.close("gone")

    return asyncio.get_running_loop().create_task(watch())


def _spawn_reader(receive: Any, connection: Connection, app: StreamingApp) -> Any:
    import asyncio

    async def read() -> None:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                connection.close("gone")
                return
            text = message.get("text")
            if text is None and message.get("bytes") is not None:
                text = message["bytes"].decode("utf-8", "replace")
            try:
                data = orjson.loads(text or "")
            except orjson.JSONDecodeError:
                connection.push(orjson.dumps({"error": "Invalid JSON", "status": 400}).decode())
                continue
            app.handle_ws_message(connection, data)

    return asyncio.get_running_loop().create_task(read())


async def _plain(send: Any, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()), *_CORS]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})


async def _error(send: Any, status: int, message: str) -> None:
    body = orjson.dumps({"error": message})
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *_CORS]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="Mastodon"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _deny(send: Any, status: int, message: str) -> None:
    """Refuse a WebSocket at the handshake with an HTTP answer (ASGI's denial response)."""
    body = orjson.dumps({"error": message})
    headers = [(b"content-type", b"application/json"), *_CORS]
    await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": body})


hub = Hub()
application = StreamingApp(hub)
