"""Django's Redis cache for a site that must keep serving when Redis does not answer."""

import logging
import os
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis import RedisError

logger = logging.getLogger(__name__)

# After a failure each process leaves Redis alone for this long, so a dead or hanging server
# costs one connection timeout a second instead of one per cache call, and one log line.
RETRY_SECONDS = 1.0
# After a key could not be watched (watched_get), it is read every time for this long.
WATCH_RETRY_SECONDS = 60.0
_MISSING = object()


def _unanswered():
    return None


class ResilientRedisCache(RedisCache):
    """RedisCache where an unreachable Redis is a cache miss: reads find nothing, writes are
    dropped, and pages are rendered from the database until Redis is back."""

    _retry_at = 0.0  # 0 while Redis answers
    _watches = None  # {key: _Watch, or until when it is not watched} for watched_get()
    _watches_pid = None  # the process they belong to (a fork makes its own)

    def _call(self, method, failed, *args):
        if self._resting():
            return failed
        try:
            result = method(*args)
        except RedisError as error:
            self._failed(error)
            return failed
        self._answered()
        return result

    def _resting(self):
        """Whether Redis is left alone for now, after a failure."""
        return bool(self._retry_at) and time.monotonic() < self._retry_at

    def _failed(self, error):
        if not self._retry_at:
            logger.warning("Cache unavailable, serving without it: %s", error)
        self._retry_at = time.monotonic() + RETRY_SECONDS

    def _answered(self):
        if self._retry_at:
            logger.warning("Cache available again")
            self._retry_at = 0.0

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget(key, version)
        self._call(super().set, None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget(key, version)
        return self._call(super().add, False, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        for key in data:
            self._forget(key, version)
        return self._call(super().set_many, list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        self._forget(key, version)
        return self._call(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        for key in keys:
            self._forget(key, version)
        self._call(super().delete_many, None, keys, version)

    def incr(self, key, delta=1, version=None):
        self._forget(key, version)
        result = self._call(super().incr, _MISSING, key, delta, version)
        if result is _MISSING:
            raise ValueError(f"Key {key!r} not found: the cache is unavailable.")
        return result

    def clear(self):
        if self._watches and self._watches_pid == os.getpid():
            for watch in self._watches.values():
                if isinstance(watch, _Watch):
                    watch.close()
        self._watches = None
        return self._call(super().clear, False)

    def count(self, key, timeout, version=None):
        """Add one to the counter `key` and return it; a missing counter starts at 0 and
        expires `timeout` seconds later (blog/ratelimit.py's windows). One round trip, where
        add() and incr() take three (incr() asks whether the key exists first). None when
        Redis does not answer."""
        return self.count_later(key, timeout, version)()

    def count_later(self, key, timeout, version=None):
        """count(), sent now and read when the function returned is called (exactly once: it
        gives the connection back): whatever the caller does meanwhile (blog/ratelimit.py: a
        search's query) overlaps the round trip, instead of this process sleeping until Redis
        answers and being woken again: on a 2-CPU machine under load, that sleep and wake-up
        cost a search 0.38 ms of a worker's CPU (3.15 ms against 2.77, 40 words under wrk).
        The function gives None when Redis does not answer, and never raises."""
        if self._resting():
            return _unanswered
        key = self.make_and_validate_key(key, version=version)
        pool = self._cache._get_connection_pool(True)
        try:
            connection = pool.get_connection()
        except RedisError as error:
            self._failed(error)
            return _unanswered
        try:
            connection.send_packed_command(  # RedisCache stores an int as it is: INCR reads it
                connection.pack_commands([("SET", key, 0, "NX", "EX", timeout), ("INCR", key)])
            )
        except RedisError as error:
            self._give_back(pool, connection, error)
            return _unanswered

        def counted():
            try:
                connection.read_response()
                count = connection.read_response()
            except RedisError as error:
                self._give_back(pool, connection, error)
                return None
            pool.release(connection)
            self._answered()
            return count

        return counted

    def _give_back(self, pool, connection, error):
        """Return a connection that failed, closed (what it was sent may be unanswered)."""
        connection.disconnect()
        pool.release(connection)
        self._failed(error)

    def watched_get(self, key, version=None):
        """get(key), kept in this process until Redis says the key changed: a read costs a
        look at a socket instead of a round trip (about 1.2 ms of a 9 ms search run alone, on a
        2-CPU machine where waking Redis and being woken again is what a round trip costs). For a
        small key read on every request and seldom written: the content generation.

        Redis (6 or later) tells a connection of this process's own, kept for the key, of every
        change to it (CLIENT TRACKING, broadcast mode, RESP3: a "push" on that connection),
        whichever client made it. Anything arriving there drops the value kept (it is read off,
        then the key read again: a change after that pushes again); that connection closing
        drops it too, and the key is read again once it is watched again, so a change made in
        between is seen. Where the watch cannot be set up, every call reads the key. None
        where get() would give None (the key is missing, or Redis does not answer)."""
        if self._resting():
            return None
        key = self.make_and_validate_key(key, version=version)
        if self._watches is None or self._watches_pid != os.getpid():
            self._watches, self._watches_pid = {}, os.getpid()
        watches = self._watches
        watch = watches.get(key)
        if isinstance(watch, float):  # it could not be watched: read it, and try again later
            if time.monotonic() < watch:
                return self._call(self._cache.get, None, key, None)
            watch = None
        if watch is None or not watch.holds() or watch.value is None:
            if watch is None or watch.closed:
                try:
                    watch = _Watch(self._cache._get_connection_pool(True), key)
                except RedisError as error:
                    logger.warning("Cannot watch %s, reading it every time: %s", key, error)
                    watches[key] = time.monotonic() + WATCH_RETRY_SECONDS
                    return self._call(self._cache.get, None, key, None)
            watch.value = self._call(self._cache.get, None, key, None)
            if watch.value is None:  # not there (or not read): nothing to keep
                watch.close()
                watches.pop(key, None)
                return None
            watches[key] = watch
        return watch.value

    def _forget(self, key, version):
        """Drop a watched key's value kept here when this process writes the key: the push
        Redis sends for it may not have arrived when this process next reads."""
        if self._watches and self._watches_pid == os.getpid():
            key = self.make_and_validate_key(key, version=version)
            if isinstance(watch := self._watches.get(key), _Watch):
                watch.value = None


class _Watch:
    """A connection told by Redis of every change to one key (see watched_get), and the key's
    value while none has come."""

    closed = False

    def __init__(self, pool, key):
        self.value = None
        self.connection = pool.connection_class(**{**pool.connection_kwargs, "protocol": 3})
        try:
            self.connection.connect()
            self.connection.send_command("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", key)
            self.connection.read_response()
        except BaseException:
            self.close()
            raise

    def holds(self):
        """Whether nothing has arrived since the value was read. What has (word of a change)
        is read off, so the connection stays watched; its end, or anything that cannot be
        read, closes it (`closed`)."""
        try:
            if not self.connection.can_read(timeout=0):
                return True
            while True:
                self.connection.read_response(push_request=True)
                if not self.connection.can_read(timeout=0):
                    return False
        except (RedisError, OSError):
            self.close()
            return False

    def close(self):
        self.closed = True
        self.connection.disconnect()
