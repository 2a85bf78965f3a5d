"""HTTP edges users hit from outside: /api/ paths without the slash, JSON 404s, CORS, keep-alive after a 413."""

import http.client
import json
import os
import re
import socket
import subprocess
import sys

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from devtools.servers import BASE_DIR, AppServer
from devtools.testing import test_database_url
from tweets.models import Tweet

pytestmark = pytest.mark.django_db


# --- unknown paths and the trailing slash -------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/nothing-here/", "/api/nothing-here", "/api/tweets/1/nonsense/", "/api/users/alice/x", "/api/v9"]
)
def test_unknown_api_paths_are_a_json_404(make_client, method, path):
    response = getattr(make_client(UserFactory()), method)(path, {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_unknown_api_path_is_json_for_an_anonymous_browser_too():
    response = Client().get("/api/nothing-here/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_unknown_paths_outside_the_api_keep_the_html_page():
    response = Client().get("/nothing-here/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_mastodon_patterns_live_under_the_prefixes_config_urls_routes_to_them():
    """config/urls.py tries the Mastodon URLconf only for these prefixes (a lookahead), so the
    native API skips its patterns: a Mastodon path outside them would never be served."""
    import mastodon_api.urls

    for pattern in mastodon_api.urls.urlpatterns:
        assert re.match(r"\^(oauth/|api/v1/|api/v2/)", pattern.pattern.regex.pattern), pattern


@pytest.mark.parametrize("path", ["/api/v1/timelines/home", "/api/v1/timelines/home/", "/api/feed/", "/oauth/token"])
def test_each_path_resolves_to_its_view_by_the_prefixed_urlconf(path):
    from django.urls import resolve

    expected = {"/api/feed/": "feed", "/oauth/token": "mastodon-oauth-token"}.get(path, "mastodon-home")
    assert resolve(path).url_name == expected


def test_api_path_middleware_remembers_paths_per_urlconf(make_client, settings):
    """The middleware's memo is per resolver: a path it found unknown becomes servable when
    the URLconf that routes it is the one in use."""
    client = make_client(UserFactory())
    assert client.get("/api/feed").status_code == 200
    settings.ROOT_URLCONF = "mastodon_api.urls"  # a URLconf without the native API
    assert client.get("/api/feed").status_code == 404
    settings.ROOT_URLCONF = "config.urls"
    assert client.get("/api/feed").status_code == 200


def test_post_without_the_trailing_slash_creates_the_tweet(make_client):
    response = make_client(UserFactory()).post("/api/tweets", {"content": "no slash"}, format="json")
    assert response.status_code == 201, response.content
    assert Tweet.objects.get().content == "no slash"


@pytest.mark.parametrize("path", ["/api", "/api/feed", "/api/users/me", "/api/schema", "/api/feed?limit=1"])
def test_get_without_the_trailing_slash_is_served_not_redirected(make_client, path):
    response = make_client(UserFactory()).get(path, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, (path, response.status_code)


def test_next_link_of_a_page_fetched_without_the_slash_works(make_client):
    client = make_client(UserFactory())
    for n in range(3):
        client.post("/api/tweets", {"content": f"t{n}"}, format="json")
    body = client.get("/api/feed?limit=1").json()
    assert body["next"] and "/api/feed/?" in body["next"]


def _api_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation in our own schema, parameters filled with something."""
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return [
        (method, re.sub(r"\{[^}]+\}", "1", path))
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_no_api_operation_answers_a_redirect_with_or_without_the_slash(make_client):
    """Every operation of the schema, both spellings: never a 3xx, and a 404 is always JSON."""
    client = make_client(UserFactory(username="alice"))
    operations = _api_operations()
    assert len(operations) > 20
    for method, path in operations:
        for spelling in {path, path.rstrip("/"), path.rstrip("/") + "/"}:
            response = getattr(client, method)(spelling, {}, format="json")
            assert not 300 <= response.status_code < 400, (method, spelling, response.status_code)
            if response.status_code == 404:
                assert response["Content-Type"].startswith("application/json"), (method, spelling)


# --- CORS ---------------------------------------------------------------------


def preflight(origin: str):  # type: ignore[no-untyped-def]
    return Client().options(
        "/api/tweets/",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


def test_no_origin_is_allowed_by_default(settings):
    assert settings.CORS_ALLOWED_ORIGINS == []
    assert "Access-Control-Allow-Origin" not in preflight("https://app.example")


def test_preflight_from_an_allowed_origin(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]
    response = preflight("https://app.example")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://app.example"
    assert "POST" in response["Access-Control-Allow-Methods"]
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed


def test_preflight_from_another_origin_gets_no_allow_header(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]
    for origin in ("https://evil.example", "https://app.example.evil.example", "http://app.example"):
        assert "Access-Control-Allow-Origin" not in preflight(origin), origin


def test_an_allowed_origin_reads_the_answer_and_its_request_id(settings, make_client):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]
    response = make_client(UserFactory()).get("/api/feed/", HTTP_ORIGIN="https://app.example")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://app.example"
    assert "x-request-id" in response["Access-Control-Expose-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in response  # Bearer tokens, no cookies


def test_cors_origins_come_from_the_environment():
    code = "from django.conf import settings as s; print(s.CORS_ALLOWED_ORIGINS)"
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "shell", "-c", code],
        cwd=BASE_DIR,
        env={**os.environ, "CORS_ALLOWED_ORIGINS": "https://a.example,http://localhost:5173"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "['https://a.example', 'http://localhost:5173']" in result.stdout, result.stderr


# --- keep-alive after a body the server did not read (real gunicorn) -----------


@pytest.fixture
def server(transactional_db):  # type: ignore[no-untyped-def]
    app = AppServer({"DATABASE_URL": test_database_url(), "REDIS_URL": os.environ.get("REDIS_URL", "")})
    app.start()
    yield app
    app.stop()


def test_a_413_closes_the_connection_and_the_next_request_is_answered(server, settings):
    headers = server.register("keepalive")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
    big = json.dumps({"bio": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1000)})
    conn.request("PATCH", "/api/users/me/", body=big, headers={**headers, "Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    assert response.status == 413
    assert response.getheader("Connection") == "close"
    # The same client object goes on (http.client reconnects after `Connection: close`).
    conn.request("GET", "/api/users/me/", headers=headers)
    response = conn.getresponse()
    assert response.status == 200
    assert json.loads(response.read())["username"] == "keepalive"


def test_on_one_socket_the_server_closes_after_the_413_instead_of_going_silent(server, settings):
    headers = server.register("rawsocket")
    body = b"{" + b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE * 4) + b"}"
    head = (
        f"PATCH /api/users/me/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {headers['Authorization']}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as sock:
        sock.sendall(head + body)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    # Either answered both or said it would close: never an answer that promises more and goes silent.
    assert received.startswith(b"HTTP/1.1 413")
    first_head = received.split(b"\r\n\r\n", 1)[0].lower()
    assert b"connection: close" in first_head or received.count(b"HTTP/1.1 ") == 2


def test_a_small_unread_body_keeps_the_connection_alive(server):
    """Under the drain limit, gunicorn drains what the app did not read: keep-alive goes on."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
    conn.request("PATCH", "/api/users/me/", body="x" * 10_000, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    assert response.status == 401  # not read: refused before parsing
    assert response.getheader("Connection") == "keep-alive"
    first_socket = conn.sock
    conn.request("GET", "/healthz")
    response = conn.getresponse()
    response.read()
    assert response.status in (200, 503)
    assert conn.sock is first_socket
