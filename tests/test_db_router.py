"""Read replicas: anonymous readers' GETs read from a replica, everything else from the primary.

Replicas are configured when settings load, so the checks run in a child process started with
DATABASE_REPLICA_URLS. Twice: with the replica as a second alias on the same database (this
test's database on PostgreSQL, a new file on SQLite), which shows where each query goes; and
with a real PostgreSQL streaming replica started for the test, which is read-only, so a write
sent to it would fail, and lags, so the reads must wait for it.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from tests.helpers import run_django_child


def run_probe(url, replica_url):
    return run_django_child(
        "tests.replica_probe",
        DATABASE_URL=url,
        DATABASE_REPLICA_URLS=replica_url,
        BYLINE_REPLICA_LAG_SECONDS="10",
    )


@pytest.fixture
def routed(transactional_db, tmp_path):
    """What probe() found, with DATABASE_URL and DATABASE_REPLICA_URLS both naming one
    database."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        url = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    else:
        url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return run_probe(url, url)


def test_read_replicas_serve_only_anonymous_reads_and_never_after_a_write(routed):
    assert_routed_as_designed(routed)


def assert_routed_as_designed(routed):
    # Anonymous readers of the public site read from the replica, and see the content.
    for kind in ("anonymous page", "anonymous post page"):
        assert routed[kind]["default"] == 0, kind
        assert routed[kind]["replica1"] > 0, kind
    assert routed["anonymous page"]["result"] is True
    # Right after an edit the replica may lag, and the page would be cached stale.
    assert routed["anonymous page just after an edit"]["replica1"] == 0
    # A made-up session cookie costs one session lookup on the primary, not a whole page.
    assert routed["made-up session cookie"]["default"] == 1
    assert routed["made-up session cookie"]["replica1"] > 0
    # Editors read their own writes: logged in, in the admin, any POST.
    for kind in ("logged-in page", "admin", "admin login post"):
        assert routed[kind]["replica1"] == 0, kind
        assert routed[kind]["default"] > 0, kind
    # Outside a request (commands, tasks), and in a transaction: the primary.
    assert routed["command"] == {"default": 1, "replica1": 0, "result": 1}
    assert routed["transaction"]["replica1"] == 0  # BEGIN, the count, COMMIT
    # Once a request has written, its reads stay on the primary.
    before, wrote, after = routed["read, write, read"]
    assert (before["default"], before["replica1"]) == (0, 1)
    assert (wrote["default"], wrote["replica1"]) == (1, 0)
    assert (after["default"], after["replica1"]) == (1, 0)


def postgres_bin():
    found = shutil.which("pg_config")
    if found:
        bindir = subprocess.run([found, "--bindir"], capture_output=True, text=True).stdout
        if (Path(bindir.strip()) / "pg_basebackup").exists():
            return Path(bindir.strip())
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "pg_basebackup").exists():
            return candidate
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def streaming_replica():
    """A PostgreSQL primary and a streaming replica of it, each on a port of its own:
    (primary URL, replica URL) of a database "byline"."""
    bindir = postgres_bin()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL's server programs (initdb, pg_basebackup) are missing")
        pytest.skip("PostgreSQL's server programs (initdb, pg_basebackup) are missing")
    # PostgreSQL refuses to run as root; the Debian package's user runs it then.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    workdir = Path(tempfile.mkdtemp(prefix="byline-replica-"))
    if as_user:
        shutil.chown(workdir, "postgres")

    def run(program, *args):
        subprocess.run([*as_user, bindir / program, *args], check=True, capture_output=True)

    primary, replica = free_port(), free_port()
    options = ["-k", str(workdir), "-c listen_addresses=127.0.0.1", "-c fsync=off"]
    options += ["-c synchronous_commit=off", "-c full_page_writes=off"]
    started = []
    try:
        run("initdb", "-D", workdir / "primary", "-U", "postgres", "--auth=trust", "-N")
        run(
            "pg_ctl", "-D", workdir / "primary", "-l", workdir / "primary.log", "-w", "start",
            "-o", " ".join([f"-p {primary}", *options, "-c wal_level=replica"]),
        )  # fmt: skip
        started.append(workdir / "primary")
        run("createdb", "-h", "127.0.0.1", "-p", str(primary), "-U", "postgres", "byline")
        run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary), "-U", "postgres",
            "-D", workdir / "replica", "-R", "-X", "stream", "--checkpoint=fast",
        )  # fmt: skip
        run(
            "pg_ctl", "-D", workdir / "replica", "-l", workdir / "replica.log", "-w", "start",
            "-o", " ".join([f"-p {replica}", *options]),
        )  # fmt: skip
        started.append(workdir / "replica")
        yield (
            f"postgres://postgres@127.0.0.1:{primary}/byline",
            f"postgres://postgres@127.0.0.1:{replica}/byline",
        )
    finally:
        for datadir in reversed(started):
            run("pg_ctl", "-D", datadir, "-m", "immediate", "stop")
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.faults
def test_a_streaming_replica_serves_anonymous_reads_and_gets_no_writes(streaming_replica):
    routed = run_probe(*streaming_replica)

    assert routed["replica is a standby"] is True  # read-only: a write sent there would fail
    assert_routed_as_designed(routed)
