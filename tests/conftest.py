import threading
import time

import pytest
import redis
from django.contrib.auth.models import Group
from django.core.cache import cache, caches
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings
from playwright.sync_api import sync_playwright

from blog import content_version
from tests import environment
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.factories import UserFactory
from tests.receivers import Receiver


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, tmp_path_factory, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BYLINE_IMPORT_ROOT = tmp_path / "imports"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # A generation of its own, as cache.clear() gives each test an empty cache.
    settings.BYLINE_GENERATION_FILE = tmp_path_factory.mktemp("var") / "content-generation"
    monkeypatch.setitem(content_version._state, "file_failed", False)  # a new file: usable
    cache.clear()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test database in memory is shared between the test and the live server's threads
    (shared cache, where locks are per table and never waited for): writers there must begin
    as SQLite does by default, not IMMEDIATE as config/settings.py asks for the file two
    processes share."""
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {})
    options.pop("transaction_mode", None)
    options.pop("init_command", None)


def _member_of(role, **kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def contributor(db):
    return _member_of("Contributor", username="carla")


@pytest.fixture
def author(db):
    return _member_of("Author", username="arthur")


@pytest.fixture
def editor(db):
    return _member_of("Editor", username="edith")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _close_browser_windows(request):
    """A browser test's windows are closed when it ends, before its database is flushed: an
    admin page left open keeps sending presence pings and autosaves to the live server, and
    one of those holding a table while the flush runs made it fail (and the next test start
    with the last one's rows)."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    request.getfixturevalue("transactional_db")  # set up first, so flushed after this ends
    yield
    for context in browser.contexts:
        context.close()
    # And the live server has answered what they sent before they closed.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
        "process_request_thread" in thread.name for thread in threading.enumerate()
    ):
        time.sleep(0.05)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


# CI names its Redis in REDIS_URL; without it, the tests use the local one if it answers.
REDIS_URL = environment.REDIS_URL or "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache():
    """The cache as production configures it, on a real Redis (REDIS_URL, else database 15 on
    127.0.0.1:6379), empty at the start and at the end. Without REDIS_URL a Redis that does not
    answer skips the test; with it, that fails the test."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError as error:
        if environment.REDIS_URL:
            pytest.fail(f"REDIS_URL is set but Redis at {REDIS_URL} does not answer: {error}")
        pytest.skip("needs Redis on 127.0.0.1:6379")
    backend = {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "byline-tests",
    }
    with override_settings(CACHES={"default": backend}):
        caches["default"].clear()
        yield caches["default"]
        caches["default"].clear()


@pytest.fixture(autouse=True)
def live_server_one_request_at_a_time(request, monkeypatch):
    """The live server's threads share the test's one SQLite connection (an in-memory database
    cannot be opened twice), and two requests running queries on it at once can both wait
    forever: a page loading while the post form's script sends its presence heartbeat did.
    Its requests are run one at a time, as they arrive."""
    if "live_server" not in request.fixturenames:
        return
    lock = threading.Lock()
    handle = WSGIHandler.__call__

    def one_at_a_time(self, environ, start_response):
        with lock:
            return handle(self, environ, start_response)

    monkeypatch.setattr(WSGIHandler, "__call__", one_at_a_time)


@pytest.fixture
def receiver():
    """A webhook receiver on loopback (tests/receivers.py), closed at the end."""
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def endpoint(db, receiver, settings):
    """A webhook for every public event, to `receiver` (loopback: private addresses allowed)."""
    from blog import webhooks
    from blog.models import WebhookEndpoint
    from blog.models.golive import WEBHOOK_EVENTS

    settings.BYLINE_OUTBOUND_ALLOW_PRIVATE = True
    return WebhookEndpoint.objects.create(
        name="Receiver", url=receiver.url, events=WEBHOOK_EVENTS, secret=webhooks.new_secret()
    )
