"""The connection health check (CONN_HEALTH_CHECKS) on PostgreSQL costs no round trip: a
connection the server has closed is replaced before the request's first query, and a healthy
one is used as it is, without `SELECT 1` (config/postgresql/base.py)."""

import time

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's check"),
]


@pytest.fixture
def reused():
    """A second connection to the test database, as a worker keeps it between requests."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def next_request(wrapper):
    """What Django does between two requests (request_started, request_finished)."""
    wrapper.close_if_unusable_or_obsolete()


def backend_pid(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_healthy_connection_is_reused_without_a_round_trip(reused, monkeypatch):
    pid = backend_pid(reused)
    next_request(reused)
    sent = []
    real = reused.connection.execute
    monkeypatch.setattr(reused.connection, "execute", lambda *a, **k: sent.append(a) or real(*a))
    monkeypatch.setattr(type(reused), "is_usable", lambda self: pytest.fail("SELECT 1 was sent"))

    assert backend_pid(reused) == pid
    assert sent == []


def test_a_connection_the_server_closed_is_replaced_before_the_first_query(reused):
    pid = backend_pid(reused)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.05)
    next_request(reused)

    assert backend_pid(reused) != pid  # no error: a new connection answered
