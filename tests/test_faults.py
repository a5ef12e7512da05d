"""Fault test: a production-mode Byline (gunicorn, DEBUG off) on its own PostgreSQL cluster and
its own Redis, each stopped and started again by process id while requests keep coming.

Cached pages stay 200 through a database outage, the rest answer 503 with Retry-After, with
Redis down every page renders from the database, /healthz names what is down, and once the
servers are back everything recovers with the same gunicorn. Selected with `-m faults`;
.ci/run runs it once, with the SQLite suite, since it brings its own servers.
"""

import glob
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from config.cache import RETRY_SECONDS

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = max(
    glob.glob("/usr/lib/postgresql/*/bin"), default=None, key=lambda p: int(p.split("/")[-2])
)
REDIS_SERVER = shutil.which("redis-server")

pytestmark = [
    pytest.mark.faults,
    # CI installs both, so there a missing one fails the test instead of skipping it.
    pytest.mark.skipif(
        not (PG_BIN and REDIS_SERVER) and not os.environ.get("CI"),
        reason="needs PostgreSQL's server binaries and redis-server",
    ),
]

CACHED = ["/", "/posts/read-before/", "/feed/", "/tags/kept/"]
UNCACHED = "/posts/never-read/"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, what, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def answers(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


class Server:
    """One server process, stopped and started by its process id."""

    def __init__(self, name, command, port, stop_signal, log, **popen):
        self.name, self.command, self.port = name, command, port
        self.stop_signal, self.log, self.popen = stop_signal, log, popen
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            self.command, stdout=self.log, stderr=subprocess.STDOUT, **self.popen
        )
        wait_for(lambda: answers(self.port), f"{self.name} on port {self.port}")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, self.stop_signal)
            self.process.wait(timeout=20)
        wait_for(lambda: not answers(self.port), f"{self.name} to stop")


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def health(port):
    status, _, body = get(port, "/healthz")
    return status, json.loads(body)


class Readers(threading.Thread):
    """Readers asking for the cached pages over and over, while servers go down and up."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.results, self.running = port, [], True

    def run(self):
        while self.running:
            for path in CACHED:
                try:
                    self.results.append((path, get(self.port, path)[0]))
                except OSError as error:
                    self.results.append((path, repr(error)))

    def stop(self):
        self.running = False
        self.join(timeout=20)
        return self.results


@pytest.fixture(scope="module")
def site():
    tmp = Path(tempfile.mkdtemp(prefix="byline-faults-"))
    as_root = os.geteuid() == 0  # initdb refuses root: the cluster runs as postgres then
    owner = {"user": "postgres", "group": "postgres", "extra_groups": []} if as_root else {}
    if as_root:
        shutil.chown(tmp, "postgres", "postgres")
    log = open(tmp / "servers.log", "ab")  # closed in teardown
    pg_port, redis_port, app_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/byline",
        "DATABASE_CONNECT_TIMEOUT": "2",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "BYLINE_VAR_DIR": str(tmp / "var"),
        "STATIC_ROOT": str(tmp / "static"),
        "LOG_LEVEL": "WARNING",
    }
    servers = []
    collectstatic = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        subprocess.run(
            [f"{PG_BIN}/initdb", "-D", tmp / "pg", "-A", "trust", "-U", "postgres",
             "--no-sync", "-E", "UTF8"],
            check=True, stdout=log, stderr=subprocess.STDOUT, **owner,
        )  # fmt: skip
        postgres = Server(
            "PostgreSQL",
            [f"{PG_BIN}/postgres", "-D", tmp / "pg", "-p", str(pg_port), "-k", tmp,
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
            pg_port, signal.SIGINT, log, **owner,  # SIGINT: fast shutdown, clients cut off
        )  # fmt: skip
        redis = Server(
            "Redis",
            [REDIS_SERVER, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            redis_port, signal.SIGTERM, log,
        )  # fmt: skip
        servers += [postgres, redis]
        postgres.start()
        redis.start()
        wait_for(
            lambda: subprocess.run(
                [f"{PG_BIN}/createdb", "-h", "127.0.0.1", "-p", str(pg_port), "-U", "postgres",
                 "byline"], stdout=log, stderr=subprocess.STDOUT,
            ).returncode == 0,
            "the database to be created",
        )  # fmt: skip
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, stdout=log)
        subprocess.run(
            [*manage, "shell", "-c", "from tests.factories import PostFactory; "
             "PostFactory(slug='read-before', tags=['kept']); PostFactory(slug='never-read')"],
            cwd=ROOT, env=env, check=True, stdout=log,
        )  # fmt: skip
        assert collectstatic.wait(timeout=60) == 0
        app = Server(
            "gunicorn",
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{app_port}",
             "--workers", "2", "--timeout", "20"],
            app_port, signal.SIGTERM, log, cwd=ROOT, env=env,
        )  # fmt: skip
        servers.append(app)
        app.start()
        yield {"port": app_port, "postgres": postgres, "redis": redis, "app": app}
    except BaseException:
        log.flush()
        print((tmp / "servers.log").read_text()[-5000:])
        raise
    finally:
        collectstatic.kill()
        for server in reversed(servers):  # gunicorn first, by pid, each its own way
            if server.process and server.process.poll() is None:
                os.kill(server.process.pid, server.stop_signal)
                try:
                    server.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.kill(server.process.pid, signal.SIGKILL)
                    server.process.wait()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


def warm(port):
    for _ in range(4):  # each gunicorn worker sees every page and the version
        for path in CACHED:
            assert get(port, path)[0] == 200, path
    status, report = health(port)
    assert (status, report["status"]) == (200, "ok"), report


def test_cached_pages_outlive_a_database_outage_and_the_rest_say_503(site):
    port, postgres = site["port"], site["postgres"]
    warm(port)
    readers = Readers(port)
    readers.start()

    postgres.stop()
    status, headers, body = get(port, UNCACHED)
    assert (status, headers.get("Retry-After")) == (503, "30")
    assert "not available right now" in body
    assert health(port) == (
        503,
        {
            "status": "unavailable",
            "database": "error: OperationalError",
            "cache": "ok",
            "static_files": "ok",
        },
    )
    during = len(readers.results)
    wait_for(lambda: len(readers.results) > during + 20, "readers during the outage")

    postgres.start()
    wait_for(lambda: get(port, UNCACHED)[0] == 200, "the uncached page to come back")
    results = readers.stop()
    assert health(port)[0] == 200
    assert results and all(status == 200 for _, status in results), sorted(set(results))
    assert len(results) > 40


def test_with_redis_down_pages_render_from_the_database_and_caching_resumes(site):
    port, redis = site["port"], site["redis"]
    warm(port)
    readers = Readers(port)
    readers.start()

    redis.stop()
    assert get(port, UNCACHED)[0] == 200
    status, report = health(port)
    assert (status, report["status"], report["cache"]) == (
        200,
        "degraded",
        "error: ConnectionError",
    )
    during = len(readers.results)
    wait_for(lambda: len(readers.results) > during + 20, "readers during the outage")

    redis.start()
    wait_for(lambda: health(port)[1]["cache"] == "ok", "the cache to answer again")
    results = readers.stop()
    # That was one worker. The other may have failed just before Redis came back, and then
    # leaves Redis alone for RETRY_SECONDS (config/cache.py): after that every worker uses it.
    time.sleep(RETRY_SECONDS)
    assert results and all(status == 200 for _, status in results), sorted(set(results))
    warm(port)  # pages are cached again: the next test relies on it


def test_with_both_down_uncached_pages_say_503_and_all_recovers(site):
    port, postgres, redis = site["port"], site["postgres"], site["redis"]
    warm(port)

    redis.stop()
    postgres.stop()
    statuses = {path: get(port, path)[0] for path in [*CACHED, UNCACHED]}
    assert set(statuses.values()) == {503}, statuses
    assert health(port)[0] == 503

    redis.start()
    postgres.start()
    wait_for(lambda: health(port)[0] == 200, "recovery")
    assert all(get(port, path)[0] == 200 for path in [*CACHED, UNCACHED])
    assert site["app"].process.poll() is None  # the same gunicorn throughout
