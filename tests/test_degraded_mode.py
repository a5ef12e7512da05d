"""With the database or the cache down, readers get pages or a clear 503, never a 500.

The same, against real servers stopped and restarted under a running gunicorn, is in
tests/test_faults.py."""

import gzip
import re
from datetime import timedelta

import brotli
import pytest
import redis
import time_machine
from django.db import OperationalError, ProgrammingError
from django.db.backends.utils import CursorWrapper
from django.test import Client, override_settings
from django.utils import timezone

from blog import content_version
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
    }
}


@pytest.fixture
def reader():
    return Client(raise_request_exception=False)  # as a browser sees it: no test re-raise


def fail_every_query(monkeypatch, error):
    def execute(self, sql, params=None):
        raise error

    monkeypatch.setattr(CursorWrapper, "execute", execute)


@pytest.fixture
def database_down(monkeypatch):
    return lambda: fail_every_query(
        monkeypatch, OperationalError("connection to server failed: Connection refused")
    )


def test_with_the_database_down_cached_pages_are_served_and_the_rest_get_a_503(
    reader, database_down
):
    PostFactory(slug="read", title="Read before the outage")
    PostFactory(slug="unread", title="Not read yet")
    assert reader.get("/posts/read/").status_code == 200

    database_down()
    cached = reader.get("/posts/read/")
    uncached = reader.get("/posts/unread/")

    assert cached.status_code == 200 and "Read before the outage" in cached.content.decode()
    assert "max-age=60" in cached["Cache-Control"]  # its version needs no database
    assert uncached.status_code == 503
    assert uncached["Retry-After"] == "30"
    assert "not available right now" in uncached.content.decode()
    assert "<script" not in uncached.content.decode()


def test_a_process_started_during_the_outage_finds_the_last_version_in_the_cache(
    reader, database_down, monkeypatch
):
    PostFactory(slug="read")
    reader.get("/posts/read/")
    monkeypatch.setattr(content_version, "_go_live", {})  # a new worker

    database_down()

    assert reader.get("/posts/read/").status_code == 200


def test_a_post_going_live_during_the_outage_leaves_the_cached_pages_served_as_no_cache(
    reader, database_down
):
    now = timezone.now()
    PostFactory(slug="read", title="Read before the outage")
    PostFactory(slug="soon", title="Coming soon", publish_at=now + timedelta(minutes=5))
    assert reader.get("/").status_code == 200

    database_down()
    with time_machine.travel(now + timedelta(minutes=6)):
        home = reader.get("/")

    assert home.status_code == 200 and "Read before the outage" in home.content.decode()
    assert "no-cache" in home["Cache-Control"]  # it misses the post that went live
    assert "ETag" not in home


@pytest.mark.parametrize("coding", ["gzip", "br", "identity"])
def test_a_page_served_during_the_outage_is_in_the_coding_it_says(reader, database_down, coding):
    now = timezone.now()
    PostFactory(slug="read", title="Read before the outage")
    PostFactory(slug="soon", title="Coming soon", publish_at=now + timedelta(minutes=5))
    assert reader.get("/", HTTP_ACCEPT_ENCODING="br").status_code == 200  # stored as brotli

    database_down()
    with time_machine.travel(now + timedelta(minutes=6)):
        home = reader.get("/", HTTP_ACCEPT_ENCODING=coding)

    decode = {"gzip": gzip.decompress, "br": brotli.decompress, "identity": bytes}[coding]
    assert home.status_code == 200
    assert home.get("Content-Encoding", "identity") == coding
    assert "Read before the outage" in decode(home.content).decode()


def test_healthz_names_the_database_when_it_is_down(reader, database_down):
    database_down()

    response = reader.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "error: OperationalError",
        "cache": "ok",
        "static_files": "ok",
    }


def test_a_database_error_that_is_a_bug_is_still_a_500(reader, monkeypatch):
    fail_every_query(monkeypatch, ProgrammingError("column does not exist"))

    response = reader.get("/posts/anything/")

    assert response.status_code == 500 and "Retry-After" not in response


@override_settings(CACHES=DEAD_REDIS)
def test_with_the_cache_down_pages_render_from_the_database(reader):
    writer = UserFactory(username="wanda", is_staff=True)
    post = PostFactory(slug="fresh", title="Rendered without a cache", authors=[writer])

    for url in ["/", "/posts/fresh/", "/feed/", "/sitemap.xml", "/search/?q=rendered"]:
        response = reader.get(url)
        assert response.status_code == 200, url
    assert "Rendered without a cache" in reader.get("/posts/fresh/").content.decode()

    post.title = "Edited without a cache"
    post.save()
    assert "Edited without a cache" in reader.get("/posts/fresh/").content.decode()
    login = reader.post(
        "/admin/login/", {"username": "wanda", "password": "pass-word-123", "next": "/admin/"}
    )
    assert login.status_code == 302  # sessions live in the database


@override_settings(CACHES=DEAD_REDIS)
def test_healthz_names_the_cache_when_it_is_down_and_stays_in_service(reader):
    response = reader.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "error: ConnectionError",
        "static_files": "ok",
        "go_live": "ok",
    }


def test_healthz_names_missing_static_files(reader, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "never-collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

    assert reader.get("/").status_code == 500  # what readers get: healthz must not say ok
    response = reader.get("/healthz")

    assert response.status_code == 503
    assert response.json()["static_files"] == "error: ValueError"


def test_an_edit_made_while_redis_was_unreachable_shows_once_it_answers(
    reader, monkeypatch, redis_cache
):
    writer = UserFactory(bio="Old bio.")
    post = PostFactory(authors=[writer])
    assert "Old bio." in reader.get(post.get_absolute_url()).content.decode()

    with monkeypatch.context() as outage:  # Redis keeps its data but cannot be reached
        outage.setattr(
            redis.Redis,
            "execute_command",
            lambda *a, **k: (_ for _ in ()).throw(redis.ConnectionError("unreachable")),
        )
        writer.bio = "New bio."
        writer.save()
        assert "New bio." in reader.get(post.get_absolute_url()).content.decode()
    redis_cache._retry_at = 0.0  # skip the one-second pause before trying again

    assert "New bio." in reader.get(post.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("error", "status"),
    [(OperationalError("connection refused"), 503), (ZeroDivisionError("a bug"), 500)],
)
def test_error_pages_keep_their_styles_under_the_content_security_policy(
    reader, monkeypatch, error, status
):
    PostFactory(slug="any")
    fail_every_query(monkeypatch, error)

    response = reader.get("/posts/any/")

    assert response.status_code == status
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"style-src 'nonce-([^']+)'", policy)[1]
    assert f'<style nonce="{nonce}">' in response.content.decode()
    assert "script-src 'none'" in policy
