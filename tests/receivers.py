"""HTTP servers for tests of outbound requests (webhooks, feed hub pings, cache purges): real
servers on loopback, in threads of the test. Receiver keeps every request and counts each event
once by its webhook-id, as a receiver should; Silent and Trickle misbehave."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple


class Request(NamedTuple):
    time: float
    method: str
    path: str
    headers: dict
    body: bytes


class Receiver:
    """Answers `status` (with `headers` and `body`) to every request, after `delay` seconds for
    the first `slow` ones. With an SSLContext as `tls` it is an HTTPS server."""

    def __init__(
        self,
        status=200,
        delay=0.0,
        slow=0,
        *,
        body=b"",
        headers=None,
        tls=None,
        host="127.0.0.1",
        port=0,
    ):
        self.status, self.delay, self.slow = status, delay, slow
        self.body, self.headers = body, headers or {}
        self.requests = []  # Request(time received, method, path, headers, body)
        self.server_names = []  # the names TLS clients asked for (SNI)
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.arrived:
                    receiver.requests.append(
                        Request(time.time(), self.command, self.path, dict(self.headers), body)
                    )
                    number = len(receiver.requests)
                    receiver.arrived.notify_all()
                if number <= receiver.slow:
                    time.sleep(receiver.delay)
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(receiver.body)))
                self.end_headers()
                self.wfile.write(receiver.body)

            do_POST = do_PURGE = do_GET = _any

            def log_message(self, *args):
                pass

        server_class = ThreadingHTTPServer
        if ":" in host:
            server_class = type("IPv6Server", (server_class,), {"address_family": socket.AF_INET6})
        self.server = server_class((host, port), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            tls.sni_callback = lambda sock, name, context: self.server_names.append(name)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.scheme = "http" if tls is None else "https"
        self.host, self.port = host, self.server.server_address[1]
        self.url = self.address("/hook")
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def address(self, path="/", host=None):
        """The URL of `path` on this server, by `host` (a name for it, or its address)."""
        host = host or self.host
        return f"{self.scheme}://{f'[{host}]' if ':' in host else host}:{self.port}{path}"

    def wait_for(self, count, timeout=30):
        """Wait until `count` requests have arrived; return them."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.requests)} requests arrived, not {count}"
                self.arrived.wait(left)
            return list(self.requests)

    def events(self):
        """Each event received, once per webhook-id (what the receiver acts on)."""
        seen = {}
        for _, _, _, headers, body in self.requests:
            seen.setdefault(headers.get("webhook-id"), json.loads(body))
        return seen

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Silent:
    """Accepts connections (the kernel does, from its backlog) and never answers."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0), backlog=8)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/hook"

    def close(self):
        self.socket.close()


class Trickle:
    """Answers with a status line and then one header byte every `interval` seconds, for ever:
    every read gets something, so only a cap on the whole exchange stops it."""

    def __init__(self, interval=0.02):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/hook"
        self.interval = interval
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        try:
            connection, _ = self.socket.accept()
        except OSError:
            return
        with connection:
            try:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                while not self.stopped.wait(self.interval):
                    connection.sendall(b"a")
            except OSError:
                pass

    def close(self):
        self.stopped.set()
        self.socket.close()
