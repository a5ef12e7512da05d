"""A production-mode Byline under gunicorn on a free loopback port, for the bench and
scripts/loadtest.py: the environment, the start and stop, and the workers' memory."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(tmp, **extra):
    """os.environ with DEBUG off and what production mode needs, static files and var/ in
    `tmp`, and no access log (gunicorn.conf.py logs every request otherwise)."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(Path(tmp) / "static"),
        "BYLINE_VAR_DIR": str(Path(tmp) / "var"),
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "",
        **extra,
    }


def manage(env, *commands):
    """Run manage.py commands (each a list of arguments) in `env`, quietly."""
    for command in commands:
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


@contextmanager
def gunicorn(env, workers):
    """gunicorn with gunicorn.conf.py and `workers` sync workers; yields (port, process)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "config.wsgi",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError("gunicorn exited at start") from None
                time.sleep(0.1)
        yield port, process
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def worker_pids(master_pid):
    """The process ids of the workers of the gunicorn master `master_pid`."""
    return Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()


def worker_rss(master_pid):
    """Resident memory (bytes) of each worker of the gunicorn master `master_pid`."""
    sizes = []
    for pid in worker_pids(master_pid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:  # replaced meanwhile (gunicorn.conf.py's memory limit)
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) * 1024)
    return sizes
