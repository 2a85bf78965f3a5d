"""core.prepared: the statement is prepared on the server, answers as a plain cursor does,
and is still seen by Django's query logging (assertNumQueries)."""

import pytest
from django.db import connection

from core.prepared import prepared_cursor

pytestmark = pytest.mark.django_db

SQL = "SELECT x, x * %(k)s FROM unnest(%(ids)s::bigint[]) AS t(x) ORDER BY x"


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_prepared_once_same_rows_and_counted(django_assert_num_queries):
    with connection.cursor() as cursor:
        cursor.execute(SQL, {"k": 3, "ids": [5, 1, 2]})
        plain = cursor.fetchall()
    with django_assert_num_queries(2):
        for ids in ([5, 1, 2], [7]):
            with prepared_cursor(connection) as cursor:
                cursor.execute(SQL, {"k": 3, "ids": ids})
                rows = cursor.fetchall()
    assert rows == [(7, 21)]
    with prepared_cursor(connection) as cursor:
        cursor.execute(SQL, {"k": 3, "ids": [5, 1, 2]})
        assert cursor.fetchall() == plain
    # Prepared once: one server-side statement for the three runs.
    assert sum("unnest($2::bigint[])" in statement for statement in prepared_statements()) == 1


def test_logged_queries_carry_their_text(django_assert_num_queries):
    with django_assert_num_queries(3) as queries:
        for _ in range(3):
            with prepared_cursor(connection) as cursor:
                cursor.execute(SQL, {"k": 2, "ids": [1]})
    assert all("unnest" in query["sql"] for query in queries.captured_queries)


def test_plain_cursors_stay_unprepared():
    with prepared_cursor(connection) as cursor:
        cursor.execute("SELECT %(a)s::int + 1", {"a": 1})
    with connection.cursor() as cursor:
        cursor.execute("SELECT 41 + %s", [1])
        assert cursor.fetchone() == (42,)
    assert not any("41 +" in statement for statement in prepared_statements())
