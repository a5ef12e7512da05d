"""A webhook receiver for tests: a real HTTP server on loopback, in a thread of the test, that
keeps every request and counts each event once by its webhook-id, as a receiver should."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Answers `status` to every request (after `delay` seconds for the first `slow` ones)."""

    def __init__(self, status=200, delay=0.0, slow=0):
        self.status, self.delay, self.slow = status, delay, slow
        self.requests = []  # (time received, method, path, headers, body)
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.arrived:
                    receiver.requests.append(
                        (time.time(), self.command, self.path, dict(self.headers), body)
                    )
                    number = len(receiver.requests)
                    receiver.arrived.notify_all()
                if number <= receiver.slow:
                    time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PURGE = do_GET = _any

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

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
