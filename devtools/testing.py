"""Helpers for tests that start child processes (workers, gunicorn) on the test database."""

from urllib.parse import quote

from django.db import connection


def test_database_url() -> str:
    """DATABASE_URL of the database the tests run on (the one pytest-django created)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or ""
    name = quote(db["NAME"])
    if host.startswith("/"):  # a unix socket directory (embedded PostgreSQL under make test)
        return f"postgres://{user}{password}@/{name}?host={quote(host)}"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host or '127.0.0.1'}{port}/{name}"


test_database_url.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
