"""Django's PostgreSQL backend whose per-request health check needs no round trip.

CONN_HEALTH_CHECKS makes Django check a reused connection at the first query of every
request; the stock check is `SELECT 1`, a round trip that cost a feed request as much as
its own query (bench/README.md, HTTP). A connection the server dropped (restart, crash,
idle timeout, administrator) has its socket closed by the server's side, so its socket is
readable (EOF, usually after a FATAL message): only then is the real `SELECT 1` run. A
connection whose socket has nothing to read is as alive as TCP knows; a server that
vanished without closing it (a host gone) fails the request's first query, which
DatabaseUnavailableMiddleware turns into a 503, and Django drops the connection.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or getattr(connection, "broken", False):
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        if not readable:
            return True  # nothing arrived since the last query: the server did not hang up
        return super().is_usable()  # EOF, an error or a notice: ask the server
