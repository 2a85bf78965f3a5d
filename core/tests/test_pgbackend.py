"""core.pgbackend: the per-request health check sends nothing to a live connection and
still notices a connection the server dropped."""

import time

import pytest
from django.db import connection, connections

from core.pgbackend.base import DatabaseWrapper

pytestmark = pytest.mark.django_db


def last_query(pid: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row[0] if row else ""


def test_the_project_uses_it():
    assert isinstance(connections["default"], DatabaseWrapper)


def test_live_connection_is_usable_without_a_round_trip_and_a_dropped_one_is_not():
    other = connections.create_connection("default")
    try:
        other.ensure_connection()
        pid = other.connection.info.backend_pid
        with other.cursor() as cursor:
            cursor.execute("SELECT 'marker-41'")
        assert other.is_usable()
        assert "marker-41" in last_query(pid)  # no SELECT 1 was sent
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 5
        while other.is_usable() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not other.is_usable()
    finally:
        other.close()


def test_health_check_replaces_a_dropped_connection():
    other = connections.create_connection("default")
    try:
        other.ensure_connection()
        pid = other.connection.info.backend_pid
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        time.sleep(0.2)
        other.health_check_done = False
        other.close_if_health_check_failed()
        with other.cursor() as cursor:  # a new connection, not an error
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != pid
    finally:
        other.close()
