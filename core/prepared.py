"""Server-side prepared statements for a few hot raw queries.

Django's psycopg backend binds parameters on the client (ClientCursor), so PostgreSQL
parses and plans every statement anew: for the feed's per-page state query, planning cost
as much as running it (bench/README.md). A cursor that binds on the server and asks
psycopg to prepare (Django turns psycopg's automatic preparing off: prepare_threshold
None) makes each connection parse and plan the statement once; from then on PostgreSQL
only runs it. Only for statements whose text never changes (parameters as arrays), so
each connection holds a handful of them.
"""

import contextlib
from collections.abc import Iterator
from typing import Any

import psycopg
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

_ONLY_WHEN_ASKED = 2**31  # executions before psycopg prepares on its own: never, in practice


class _PreparingCursor(psycopg.Cursor):
    """psycopg's server-binding cursor that prepares every statement it runs."""

    logged = False  # Django logs queries (DEBUG, tests): it reads the query text from `_query`

    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Any:
        result = super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)
        if self.logged and self._query is None:  # psycopg leaves it unset for a prepared statement
            self._query = self._convert_query(query, params)
        return result


@contextlib.contextmanager
def prepared_cursor(connection: BaseDatabaseWrapper) -> Iterator[CursorWrapper]:
    """Django's cursor (health check, thread checks, query logging) around a psycopg cursor
    that binds on the server and prepares the statement (once per connection)."""
    with connection.cursor() as wrapper:
        raw = connection.connection
        if not isinstance(raw, psycopg.Connection):  # another backend: the plain cursor
            yield wrapper
            return
        if raw.prepare_threshold is None:
            # Django's setting (None) disables preparing even when asked; Django's own
            # client-binding cursors never prepare, so this only lets ours do it.
            raw.prepare_threshold = _ONLY_WHEN_ASKED
        client_side = wrapper.cursor
        wrapper.cursor = _PreparingCursor(raw)
        wrapper.cursor.logged = connection.queries_logged
        try:
            yield wrapper
        finally:
            wrapper.cursor.close()
            wrapper.cursor = client_side
