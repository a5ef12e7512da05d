"""With Redis, each process keeps the content generation until Redis says it changed
(config/cache.py, watched_get): a cache hit reads only its page, a 304 reads nothing, and a
change made by any other client still moves the version here."""

import time

import pytest
import redis
from django.test import Client

from blog.content_version import GENERATION_KEY, content_generation
from tests.conftest import REDIS_URL
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """The commands the site sends to Redis (each still sent: this only writes them down)."""
    commands = []
    real = redis.Redis.execute_command

    def execute_command(self, *args, **options):
        commands.append(args[0])
        return real(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", execute_command)
    return commands


@pytest.fixture
def another_client(redis_cache):
    """Another server's connection to the same Redis, and the generation's key there."""
    other = redis.Redis.from_url(REDIS_URL)
    yield other, redis_cache.make_key(GENERATION_KEY)
    other.close()


def generation_once_moved(expected, seconds=2.0):
    """content_generation() once it is `expected`, or what it still is after `seconds`: Redis
    sends its word of a change right after its answer to the client that made it."""
    deadline = time.monotonic() + seconds
    while (generation := content_generation()) != expected and time.monotonic() < deadline:
        time.sleep(0.01)
    return generation


def test_a_cache_hit_reads_only_its_page_and_a_304_reads_nothing(redis_cache, sent):
    post = PostFactory(slug="kept", title="Kept")
    reader = Client()
    first = reader.get(post.get_absolute_url())  # rendered and stored
    reader.get(post.get_absolute_url())
    sent.clear()

    hit = reader.get(post.get_absolute_url())
    commands_for_hit = list(sent)
    sent.clear()
    revalidated = reader.get(post.get_absolute_url(), headers={"if-none-match": first["ETag"]})

    assert hit.status_code == 200 and "Kept" in hit.content.decode()
    assert commands_for_hit == ["GET"]  # the page; not the generation
    assert revalidated.status_code == 304 and sent == []


def test_a_change_another_client_makes_moves_the_generation_here(redis_cache, another_client):
    other, key = another_client
    before = content_generation()
    assert content_generation() == before
    (watch,) = redis_cache._watches.values()

    other.set(key, before + 1)
    assert generation_once_moved(before + 1) == before + 1
    other.set(key, before + 2)
    assert generation_once_moved(before + 2) == before + 2

    # Word of each change was read off the same connection, which still watches the key.
    assert redis_cache._watches[redis_cache.make_key(GENERATION_KEY)] is watch
    assert not watch.closed


def test_a_lost_watch_connection_reads_the_generation_again(redis_cache, another_client):
    other, key = another_client
    before = content_generation()  # stored: the cache held none
    assert content_generation() == before  # watched
    (watch,) = redis_cache._watches.values()
    host, port = watch.connection._sock.getsockname()[:2]
    other.client_kill(f"{host}:{port}")
    other.set(key, before + 5)  # no word of it reaches this process: its watch is gone

    assert generation_once_moved(before + 5) == before + 5
    assert content_generation() == before + 5  # and it is watched again
    other.set(key, before + 6)
    assert generation_once_moved(before + 6) == before + 6


def test_a_change_made_here_is_seen_here_at_once(redis_cache, sent):
    post = PostFactory(slug="edited", title="Before")
    reader = Client()
    first = reader.get(post.get_absolute_url())

    post.title = "After"
    post.save()
    again = reader.get(post.get_absolute_url(), headers={"if-none-match": first["ETag"]})

    assert again.status_code == 200 and "After" in again.content.decode()


def test_a_redis_that_cannot_watch_is_read_every_time(redis_cache, monkeypatch, caplog, sent):
    """A Redis before 6 (no CLIENT TRACKING) or one that refuses it: the generation is read on
    each request, as before there were watches, with one warning."""
    real = redis.Connection.send_command

    def send_command(self, *args, **kwargs):
        if args[:2] == ("CLIENT", "TRACKING"):
            args = ("CLIENT", "NO-SUCH-SUBCOMMAND")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(redis.Connection, "send_command", send_command)
    first = content_generation()
    sent.clear()

    assert content_generation() == first == content_generation()
    assert sent == ["GET", "GET"]
    assert caplog.text.count("reading it every time") == 1
