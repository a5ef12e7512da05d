"""The gunicorn configuration in the repository: it starts the site, and its access log
keeps no secrets."""

import gc
import logging
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn import util

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, **headers):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_gunicorn_serves_with_the_repository_config_and_logs_no_secrets(tmp_path):
    port = free_port()
    env = os.environ | {
        "DEBUG": "1",  # nothing collected: plain static files
        "BYLINE_VAR_DIR": str(tmp_path),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        secret = "eyJwb3N0IjoxMn0:1tXyZa:s3cr3t-signature"
        assert get(f"{base}/preview/{secret}/", **{"X-Forwarded-For": "203.0.113.9"}) == 404
        assert get(f"{base}/healthz?q=private+words") == 200
        get(f"{base}/go/offer/", **{"X-Forwarded-For": "198.51.100.7", "User-Agent": "Reader/7"})
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0]

    assert f"Listening at: http://127.0.0.1:{port}" in log
    assert "203.0.113.9 [" in log and '"GET /preview/[token]/ HTTP/1.1" 404' in log
    assert '"GET /healthz HTTP/1.1" 200' in log
    assert "s3cr3t" not in log and "private" not in log
    # A sponsored-link click: logged, but not whose.
    assert '"GET /go/offer/ HTTP/1.1"' in log
    assert "198.51.100.7" not in log and "Reader/7" not in log


def gunicorn_config(monkeypatch, **env):
    """gunicorn.conf.py's settings and hooks, read as gunicorn reads them, with `env` set."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


@pytest.mark.parametrize(("limit_mib", "replaced"), [("1", True), ("100000", False)])
def test_a_worker_is_replaced_when_its_memory_passes_the_limit_not_after_a_request_count(
    monkeypatch, limit_mib, replaced
):
    config = gunicorn_config(monkeypatch, GUNICORN_MAX_WORKER_MIB=limit_mib)
    worker = SimpleNamespace(alive=True, log=logging.getLogger("gunicorn.test"))
    trims = []
    monkeypatch.setitem(config["post_request"].__globals__, "_malloc_trim", trims.append)

    for _ in range(config["MEMORY_CHECK_REQUESTS"]):
        config["post_request"](worker, None, {}, None)

    assert trims == [0]  # memory malloc holds free given back, once a check

    assert config["max_requests"] == 0  # the page cache outlives any number of requests
    assert worker.alive is not replaced  # not alive: gunicorn replaces it after this request


@pytest.fixture
def connection():
    """Both ends of a TCP connection on loopback: (the server's, the client's)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
    with server, client:
        yield server, client


def test_a_connection_whose_request_was_read_whole_is_closed_at_once(monkeypatch, connection):
    server, client = connection
    close_once_read = gunicorn_config(monkeypatch)["close_once_read"]

    def linger(sock):
        raise AssertionError("lingered, waiting for the client to close its end")

    monkeypatch.setitem(close_once_read.__globals__, "_linger", linger)
    client.sendall(b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n")
    server.recv(4096)
    server.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")

    close_once_read(server)  # the client still holds its end open

    assert client.recv(4096) == b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
    assert client.recv(4096) == b""  # closed: the worker is free for its next request


def test_a_client_that_sent_more_than_its_request_gets_its_response_not_a_reset(
    monkeypatch, connection
):
    server, client = connection
    close_once_read = gunicorn_config(monkeypatch)["close_once_read"]
    request = b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n"
    client.sendall(request + b"GET /next HTTP/1.1\r\n")  # a second request, never read
    client.shutdown(socket.SHUT_WR)
    server.recv(len(request), socket.MSG_WAITALL)
    server.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")

    close_once_read(server)  # closed at once, the unread request would reset the connection

    assert client.recv(4096) == b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
    assert client.recv(4096) == b""


def test_each_worker_freezes_what_it_loaded_and_closes_connections_once_read(monkeypatch):
    config = gunicorn_config(monkeypatch)
    monkeypatch.setattr(util, "close_graceful", util.close_graceful)  # put back afterwards
    try:
        config["post_worker_init"](SimpleNamespace())
        assert gc.get_freeze_count() > 0  # never walked by the garbage collector again
    finally:
        gc.unfreeze()

    assert util.close_graceful is config["close_once_read"]
