"""gunicorn settings for Byline: `gunicorn -c gunicorn.conf.py config.wsgi`.

The environment variables named below change a value without editing the file; anything
else can be given on the command line or in GUNICORN_CMD_ARGS, which win over this file.
"""

import ctypes
import gc
import os
import re
import resource
import socket
import sys
from multiprocessing import cpu_count

from gunicorn import util
from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: a request is either a cache hit (well under a millisecond of CPU) or a render
# of bounded cost, so one request per process is the simple, robust choice; gunicorn's advice
# of two per core plus one keeps the cores busy while some wait on PostgreSQL or Redis.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * cpu_count() + 1))

# A worker that has not answered in this long is killed and replaced. Rendering is bounded
# well below it; a request that needs more is a bug to fix, not a limit to raise.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30  # on restart or deploy, time to finish the requests in flight
keepalive = 5  # seconds; the proxy in front keeps connections open (see README)

# A worker is replaced when its memory passes GUNICORN_MAX_WORKER_MIB (checked every
# MEMORY_CHECK_REQUESTS requests, after a request), so that a slow leak (ours or a library's)
# never grows without bound. Not after a number of requests (max_requests): with the
# local-memory cache that threw away each worker's cached pages every few seconds under load
# (the bench saw 11 queries a request on the cached post page at max_requests 1000). Memory
# passes the limit at different times in different workers, so they never all restart at once.
max_requests = 0
MAX_WORKER_BYTES = int(os.environ.get("GUNICORN_MAX_WORKER_MIB", "512")) * 2**20
MEMORY_CHECK_REQUESTS = 1000
# Memory the C allocator holds free after requests (results read from PostgreSQL, pages being
# compressed) stays in the worker until given back: glibc's malloc_trim() gives it back at
# each check. 0.2 ms; 5 MiB of a worker's 83 after make bench's rows.
try:
    _malloc_trim = ctypes.CDLL(None).malloc_trim
except (OSError, AttributeError):  # not glibc
    _malloc_trim = None


def resident_bytes():
    """This process's resident memory now (Linux), else its peak so far."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def post_worker_init(worker):
    """In each worker, once it has loaded the site:

    - what it has loaded (Django and the site's modules: about 86,000 objects, as long-lived as
      the worker) is frozen, so the garbage collector never walks it again: a full collection
      took 70 ms, about once every 2,000 requests, and every request queued behind it waited;
    - a response's connection is closed as close_once_read() says."""
    gc.collect()
    gc.freeze()
    util.close_graceful = close_once_read  # what the sync worker calls after each request


_linger = util.close_graceful


def close_once_read(sock):
    """Close a connection after its response: at once when the client has sent nothing that
    was not read (one request per connection, as a proxy sends them); otherwise as gunicorn
    does, reading what is left until the client closes, so that closing does not reset the
    connection before the client has read its response (RFC 9112 9.6). nginx's
    lingering_close decides the same way.

    gunicorn 27 always lingers, which kept a sync worker from its next request until the
    client had read the response and closed its end: 12% of a worker's time in `make bench`,
    and up to 2 s a request for a client that keeps its connection open."""
    try:
        unread = sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except OSError:  # nothing to read yet (BlockingIOError), or the connection is gone
        unread = b""
    if unread:
        _linger(sock)
    else:
        util.close(sock)


def post_request(worker, req, environ, resp):
    worker.byline_requests = getattr(worker, "byline_requests", 0) + 1
    if worker.byline_requests % MEMORY_CHECK_REQUESTS == 0 and worker.alive:
        if _malloc_trim is not None:
            _malloc_trim(0)
        if (resident := resident_bytes()) > MAX_WORKER_BYTES:
            worker.log.info(
                "Worker at %d MiB (limit %d MiB): replacing it after this request",
                resident // 2**20,
                MAX_WORKER_BYTES // 2**20,
            )
            worker.alive = False  # what max_requests does: exit after the request, replaced


# Only the proxy on this machine may say which scheme (X-Forwarded-Proto) a request came
# with: Django's SECURE_PROXY_SSL_HEADER trusts it. Name the proxy's address when it runs
# elsewhere.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Workers heartbeat through a temporary file; on a disk-backed /tmp a slow disk can stall
# that and get healthy workers killed. /dev/shm is memory.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# No query strings (search terms, tracking parameters), no Referer (it carries other sites'
# and our admin's addresses), no cookies; preview tokens cut from paths (see AccessLogger).
access_log_format = '%({x-forwarded-for}i)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'


class AccessLogger(Logger):
    """gunicorn's logger, with the secret part of preview links left out: anyone holding
    `/preview/<token>/` can read an unpublished post, and logs are read by more people."""

    SECRET_PATHS = re.compile(r"^(/preview/)[^/]+")
    # A sponsored-link click is counted with nothing about the reader (blog/go.py): its line
    # keeps no address or browser string either.
    CLICK_PATHS = re.compile(r"^/go/")
    READER_ATOMS = ("h", "a", "f", "{x-forwarded-for}i", "{user-agent}i", "{referer}i")

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = self.SECRET_PATHS.sub(r"\1[token]", atoms["U"])
        if self.CLICK_PATHS.match(atoms["U"]):
            atoms.update(dict.fromkeys(self.READER_ATOMS, "-"))
        return atoms


logger_class = AccessLogger
