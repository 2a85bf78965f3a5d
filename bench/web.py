"""The web interface's figures (issue 23), through gunicorn like the HTTP benchmark:

- `web_home`: GET / signed in (a session cookie, as a browser sends it, gzip accepted), the
  HTML of a page of 20 tweets, against GET /api/feed/ for the same user and page (a JWT),
  request by request on one keep-alive connection each, interleaved, p50. Goal <= 1.5x.
- `web_first_visit`: the bytes a first visit to `/` transfers, images aside: the page and
  every stylesheet, script and icon it names, as a browser asks for them (gzip accepted),
  headers included. Goal < 100 kB.
"""

from __future__ import annotations

import gzip
import http.client
import re
import statistics
import time
from importlib import import_module
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from accounts.models import User
    from bench.benchmarks import Result

BROWSER_HEADERS = {"Accept": "text/html,application/xhtml+xml", "Accept-Encoding": "gzip, deflate, br"}


def session_cookie(user: User) -> str:
    """A signed-in session for `user`, as /login makes it (the bench's users have no usable password)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


class Connection:
    """One keep-alive HTTP/1.1 connection; `get` returns (status, headers, body bytes on the wire, seconds)."""

    def __init__(self, base_url: str) -> None:
        parts = urlparse(base_url)
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=30)

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes, float, int]:
        started = time.perf_counter()
        self.conn.request("GET", path, headers=headers)
        response = self.conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        header_bytes = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + sum(
            len(name) + len(value) + 4 for name, value in response.getheaders()
        )
        return response.status, dict(response.getheaders()), body, elapsed, header_bytes


def _html(headers: dict[str, str], body: bytes) -> str:
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode()


def web_home(*, base_url: str, viewer: User, requests: int) -> Result:
    from accounts.tokens import AccessToken
    from bench.benchmarks import Result

    web_headers = {**BROWSER_HEADERS, "Cookie": session_cookie(viewer)}
    plain_headers = {key: value for key, value in web_headers.items() if key != "Accept-Encoding"}
    api_headers = {"Authorization": f"Bearer {AccessToken.for_user(viewer)}", "Accept": "application/json"}
    web, plain, api = Connection(base_url), Connection(base_url), Connection(base_url)
    status, headers, body, _, _ = web.get("/", web_headers)
    articles = _html(headers, body).count("<article")
    if status != 200 or articles != 20:
        raise RuntimeError(f"GET / answered {status} with {articles} posts (expected 200 and 20)")
    times: dict[str, list[float]] = {"web": [], "api": [], "web_uncompressed": []}
    sizes: dict[str, int] = {}
    rounds = (
        ("web", web, "/", web_headers),
        ("api", api, "/api/feed/", api_headers),
        ("web_uncompressed", plain, "/", plain_headers),  # what gzip costs, for the record
    )
    for i in range(requests + max(requests // 10, 10)):
        for name, connection, path, sent in rounds:
            status, headers, body, elapsed, _ = connection.get(path, sent)
            if status != 200:
                raise RuntimeError(f"{path}: {status}")
            if i >= max(requests // 10, 10):  # after the warm-up
                times[name].append(elapsed)
            sizes[name] = len(body)
    p50 = {name: statistics.median(values) * 1000 for name, values in times.items()}
    p99 = {name: sorted(values)[int(len(values) * 0.99) - 1] * 1000 for name, values in times.items()}
    ratio = p50["web"] / p50["api"]
    return Result(
        name="web_home",
        ours=f"GET / p50 {p50['web']:.2f} ms, p99 {p99['web']:.1f} ms",
        baseline=f"GET /api/feed/ p50 {p50['api']:.2f} ms, p99 {p99['api']:.1f} ms",
        ratio=ratio,
        goal="<= 1.5x",
        met=ratio <= 1.5,
        info={
            "viewer": viewer.username,
            "requests_each": requests,
            "client": "one keep-alive connection per endpoint, sequential, interleaved",
            "web_body_bytes_gzip": sizes["web"],
            "web_body_bytes": sizes["web_uncompressed"],
            "api_body_bytes": sizes["api"],
            "web_uncompressed_p50_ms": round(p50["web_uncompressed"], 2),
            "web_uncompressed_ratio": round(p50["web_uncompressed"] / p50["api"], 2),
        },
    )


_ASSETS = re.compile(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="(/static/[^"]+)"')


def first_visit(*, base_url: str, viewer: User) -> Result:
    """What a browser downloads on a first visit to `/`, signed in, images aside."""
    from bench.benchmarks import Result

    connection = Connection(base_url)
    headers = {**BROWSER_HEADERS, "Cookie": session_cookie(viewer)}
    status, page_headers, body, _, header_bytes = connection.get("/", headers)
    if status != 200:
        raise RuntimeError(f"GET /: {status}")
    html = _html(page_headers, body)
    files: dict[str, dict[str, int | str]] = {
        "/": {"wire": len(body) + header_bytes, "body": len(body), "raw": len(html), "encoding": "gzip"}
    }
    for path in dict.fromkeys(_ASSETS.findall(html)):
        status, asset_headers, asset, _, asset_header_bytes = connection.get(path, {"Accept-Encoding": "gzip, br"})
        if status != 200:
            raise RuntimeError(f"{path}: {status}")
        encoding = asset_headers.get("Content-Encoding", "identity")
        raw = len(gzip.decompress(asset)) if encoding == "gzip" else len(asset)
        files[path] = {"wire": len(asset) + asset_header_bytes, "body": len(asset), "raw": raw, "encoding": encoding}
    total = sum(int(f["wire"]) for f in files.values())
    raw_total = sum(int(f["raw"]) for f in files.values())
    return Result(
        name="web_first_visit",
        ours=f"{total / 1000:.1f} kB transferred ({len(files)} responses)",
        baseline=f"{raw_total / 1000:.1f} kB uncompressed",
        ratio=None,
        goal="< 100 kB",
        met=total < 100_000,
        info={"files": files},
    )
