"""Fault (e): PostgreSQL goes down under a running app, then comes back.

A real gunicorn process serves the app against a PostgreSQL of its own; the database is
stopped the hard way (`pg_ctl -m immediate`: connections drop as in a crash). While it is
down the API and /healthz answer a clean 503 JSON (no stack trace, Retry-After); when it
returns, the same process serves every request again without a restart
(CONN_HEALTH_CHECKS replaces the dead pooled connections).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from devtools.servers import AppServer, ThrowawayPostgres, manage

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def stack():
    pg = ThrowawayPostgres()
    app = None
    try:
        pg.start()
        env = {
            "DATABASE_URL": pg.create_database("chirp_fault"),
            "AUTH_THROTTLE_RATE": "10000/minute",
            "CONN_MAX_AGE": "60",
            "DB_CONNECT_TIMEOUT": "2",
        }
        manage(env, "migrate", "--noinput", "-v", "0")
        app = AppServer(env, threads=4)
        app.start()
        yield pg, app
    finally:
        if app is not None:
            app.stop()
        pg.destroy()


def assert_clean_503(response: requests.Response) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:500])
    assert response.headers["Content-Type"].startswith("application/json")
    assert "Traceback" not in response.text
    assert "psycopg" not in response.text.lower()
    assert set(response.json()) == {"detail"}
    assert response.headers.get("Retry-After")


def test_postgres_down_is_a_clean_503_and_recovery_needs_no_restart(stack):
    pg, app = stack
    headers = app.register("carol")
    url = app.url
    # Warm every gunicorn thread's pooled connection, so the outage breaks live connections.
    with ThreadPoolExecutor(8) as pool:
        warm = list(pool.map(lambda _: requests.get(f"{url}/api/users/me/", headers=headers, timeout=10), range(16)))
    assert {r.status_code for r in warm} == {200}
    before = requests.post(f"{url}/api/tweets/", json={"content": "before"}, headers=headers, timeout=10)
    assert before.status_code == 201
    health = requests.get(f"{url}/healthz", timeout=30)
    assert health.json()["database"] == "ok"
    pid = app.process.pid

    pg.stop("immediate")
    try:
        for _ in range(3):  # the dropped pooled connections first, then refused new ones
            assert_clean_503(requests.get(f"{url}/api/users/me/", headers=headers, timeout=30))
        assert_clean_503(requests.post(f"{url}/api/tweets/", json={"content": "during"}, headers=headers, timeout=30))
        assert_clean_503(requests.get(f"{url}/api/users/carol/tweets/", headers=headers, timeout=30))
        # Unauthenticated endpoints that reach the database: log-in.
        assert_clean_503(
            requests.post(
                f"{url}/api/auth/token/", json={"username": "carol", "password": "fault-test-pw-1234"}, timeout=30
            )
        )
        # A plain Django view that needs the database (the admin's log-in) is a 503 too, not a 500.
        admin = requests.post(f"{url}/admin/login/", data={"username": "carol", "password": "x"}, timeout=30)
        assert admin.status_code in (403, 503), admin.status_code  # 403: no CSRF token, refused before the DB
        session = requests.Session()
        session.get(f"{url}/admin/login/", timeout=30)
        admin = session.post(
            f"{url}/admin/login/",
            data={"username": "carol", "password": "x", "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
            headers={"Referer": f"{url}/admin/login/"},
            timeout=30,
        )
        assert admin.status_code == 503, (admin.status_code, admin.text[:300])
        health = requests.get(f"{url}/healthz", timeout=30)
        assert health.status_code == 503
        assert health.headers["Content-Type"].startswith("application/json")
        assert health.json()["database"].startswith("error: ")
        assert "Traceback" not in health.text
    finally:
        pg.start()

    # Same process, no restart: every thread's next request succeeds.
    with ThreadPoolExecutor(8) as pool:
        after = list(pool.map(lambda _: requests.get(f"{url}/api/users/me/", headers=headers, timeout=10), range(16)))
    assert [r.status_code for r in after] == [200] * 16
    assert app.process.pid == pid and app.process.poll() is None
    posted = requests.post(f"{url}/api/tweets/", json={"content": "after"}, headers=headers, timeout=10)
    assert posted.status_code == 201
    tweets = requests.get(f"{url}/api/users/carol/tweets/", headers=headers, timeout=10).json()["results"]
    assert [t["content"] for t in tweets] == ["after", "before"]  # nothing half-written during the outage
    assert requests.get(f"{url}/healthz", timeout=30).json()["database"] == "ok"

    # The outage is in the logs as structured lines with a request id, not as tracebacks to clients.
    log = app.log()
    assert '"message": "database unavailable' in log
