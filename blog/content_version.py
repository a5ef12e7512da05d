"""The content version the page cache keys pages by, known on a cache hit without the database.

It has two parts:

- the generation, a time in nanoseconds that moves whenever something the public can see is
  saved or deleted (signals in blog/apps.py). With the local-memory cache it is the
  modification time of a file (BYLINE_GENERATION_FILE), which every process of the machine
  shares at the cost of a stat; with a shared cache (Redis) it is a key there, which every
  machine shares. A file that cannot be read or written falls back to the cache's key;
- how many of the generation's go-live times have passed: the publish times of published posts
  still scheduled when the generation was set. They are read once per generation and process
  (one query, on the first page after a change, which is rendered anyway, and kept in the cache
  for processes started during a database outage), so a scheduled post goes live on time with
  no query per request.

Every process therefore computes the same version, and so the same ETag, for the same content.
"""

import bisect
import contextlib
import contextvars
import logging
import os
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import InterfaceError, OperationalError, transaction

from blog.models import Post

logger = logging.getLogger(__name__)

GENERATION_KEY = "byline:content-generation"
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# Go-live times read per generation; once the last of them passes, the generation moves on.
GO_LIVE_LIMIT = 100
GO_LIVE_SECONDS = 7 * 24 * 3600
# What this process knows, for when the file, the cache or the database does not answer.
_state = {"bump_pending": False, "file_failed": False}
_go_live = {}  # {generation: go-live times as Unix times}, for the current generation only


def _generation_file():
    """The generation's file, when pages are cached per process (else the cache holds it)."""
    if isinstance(caches["default"], LocMemCache) and settings.BYLINE_GENERATION_FILE:
        return settings.BYLINE_GENERATION_FILE
    return None


def caches_per_process():
    """Whether each process caches pages itself (the local-memory cache, the workers of one
    machine sharing the generation's file) rather than in a cache they all share."""
    return _generation_file() is not None


def _file_failed(error):
    if not _state["file_failed"]:
        logger.warning("Content generation file unusable, keeping it in the cache: %s", error)
    _state["file_failed"] = True


def _touch(path, generation):
    """Set the file's modification time to `generation`: whether it worked."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a"):
            os.utime(path, ns=(generation, generation))
    except OSError as error:
        _file_failed(error)
        return False
    if _state["file_failed"]:
        logger.warning("Content generation file usable again")
        _state["file_failed"] = False
    return True


def _file_generation(path):
    try:
        generation = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        generation = time.time_ns()
        return generation if _touch(path, generation) else None
    except OSError as error:
        _file_failed(error)
        return None
    return generation


# The generation a public page is being rendered for (blog/caching.py): while it renders, that
# is the generation, so a page stored under it shows that generation's data, and a page reads
# it once (with Redis, one round trip less per per-generation lookup).
_rendering = contextvars.ContextVar("rendering_generation", default=None)


@contextlib.contextmanager
def rendering_generation(generation):
    token = _rendering.set(generation)
    try:
        yield
    finally:
        _rendering.reset(token)


def content_generation():
    """The generation: the time in nanoseconds of the last change the public can see. Once
    this process could not write the file, it reads the cache's until a write works again:
    a file that can be read but not written would hold back every change."""
    if (rendering := _rendering.get()) is not None:
        return rendering
    path = _generation_file()
    if (
        path is not None
        and not _state["file_failed"]
        and (generation := _file_generation(path)) is not None
    ):
        return generation
    if _state["bump_pending"]:
        _bump()
    # With Redis, kept in this process until Redis says it changed (config/cache.py); not
    # while a change made here has not reached Redis (the watch may still be fine).
    watched = getattr(cache, "watched_get", None)
    if watched is not None and not _state["bump_pending"]:
        if (generation := watched(GENERATION_KEY)) is not None:
            return generation
    return cache.get_or_set(GENERATION_KEY, time.time_ns, timeout=None)


def set_content_generation(generation):
    path = _generation_file()
    if path is not None and _touch(path, generation):
        return
    cache.set(GENERATION_KEY, generation, timeout=None)
    # A cache that is down keeps nothing: bump again on this process's next page, or pages
    # cached before the outage would hide this change once the cache is back.
    _state["bump_pending"] = cache.get(GENERATION_KEY) != generation


def _bump():
    set_content_generation(time.time_ns())


def bump_content_generation(**kwargs):
    _bump()
    # Until the transaction commits, readers still get the old rows, and a page rendered from
    # them would be cached under the new generation: move it once more when the change is in.
    transaction.on_commit(_bump)


def go_live_times(generation, read_database=True):
    """Publish times (Unix times, in order) of the posts that were scheduled at `generation`:
    the first GO_LIVE_LIMIT + 1 of them. None if they are not known yet and `read_database`
    is off."""
    times = _go_live.get(generation)
    if times is not None:
        return times
    key = f"byline:go-live:{generation}"
    times = cache.get(key)
    if times is None and not read_database:
        return None
    if times is None:
        moment = datetime.fromtimestamp(generation / 1e9, UTC)
        going_live = Post.objects.going_live_after(moment)[: GO_LIVE_LIMIT + 1]
        times = tuple(publish_at.timestamp() for publish_at in going_live)
        cache.set(key, times, GO_LIVE_SECONDS)  # for workers started during an outage
    _go_live.clear()
    _go_live[generation] = times
    return times


def content_version(read_database=True):
    """(generation, how many of its go-live times have passed, time of the last change as a
    Unix time) for everything the public can see now; None if that needs the database and
    `read_database` is off (the cache's fast path, which runs before the database router
    and must not fail on the database)."""
    generation = content_generation()
    times = go_live_times(generation, read_database)
    if times is None:
        return None
    now = time.time()
    passed = bisect.bisect_right(times, now)
    if passed > GO_LIVE_LIMIT and not read_database:
        return None
    if passed > GO_LIVE_LIMIT:  # more may have passed than were read: read them again
        bump_content_generation()
        generation = content_generation()
        times = go_live_times(generation)
        passed = bisect.bisect_right(times, now)
    changed = max(generation / 1e9, times[passed - 1] if passed else 0)
    return generation, passed, changed
