"""Django's PostgreSQL backend, with a health check that costs no round trip.

CONN_HEALTH_CHECKS makes Django send `SELECT 1` before the first query of every request that
reuses a connection: on a post page, one round trip in three. What it guards against is a
connection the server has closed (a restart, a failover, an idle timeout), and a server that
closes a connection says so on it (an error message, then end of file): the socket turns
readable. An idle connection otherwise receives nothing (Byline does not LISTEN), so a socket
with something to read before a request has sent anything is one to close and open again.
Checking that is one non-blocking poll(). A connection that died silently (a network gone with
no word from the server) is found by the request that uses it, as `SELECT 1` would have found
it; Django then closes it when the request ends.

It also gives prepared_cursor(), for a statement the site runs on every request of a kind.
"""

import select

from django.db.backends.postgresql import base


class PreparedCursor(base.ServerBindingCursor):
    """Parameters bound by the server, and every statement prepared: psycopg keeps it
    prepared on the connection, so PostgreSQL plans it once (after five custom plans, a
    generic one, if that costs no more) and then only runs it."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class DatabaseWrapper(base.DatabaseWrapper):
    def prepared_cursor(self):
        """A cursor as cursor() gives it (logged, seen by execute_wrapper()) whose statements
        are prepared (PreparedCursor); cursor() itself where prepared statements are off
        (the database's OPTIONS set prepare_threshold to None, as Django's default is)."""
        if self.settings_dict["OPTIONS"].get("prepare_threshold") is None:
            return self.cursor()
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            return self._prepare_cursor(PreparedCursor(self.connection))

    def close_if_health_check_failed(self):
        if self.pool or self.connection is None:
            return super().close_if_health_check_failed()
        if self.health_check_enabled and not self.health_check_done:
            if self.connection.closed or _has_something_to_read(self.connection.fileno()):
                self.close()
            self.health_check_done = True


def _has_something_to_read(fileno):
    poller = select.poll()
    poller.register(fileno, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))
