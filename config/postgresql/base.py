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
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
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
