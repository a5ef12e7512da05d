"""Rate limits with Redis: a search's count is sent before its query and read after it
(config/cache.py, count_later), a flood is still refused (a flood of pages past the last, which
raise 404, too), and a client once refused runs no search until its window ends."""

from datetime import timedelta

import pytest
import redis
import time_machine
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from redis.connection import Connection

from blog import ratelimit
from config import cache as cache_module
from tests.conftest import REDIS_URL
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

FLOODER = "198.51.100.77"  # its own address: what this process remembers is per client


@pytest.fixture(autouse=True)
def low_limits(settings, monkeypatch):
    settings.BYLINE_RATE_LIMITS = {"search": "5/m", "preview": "3/m", "upload": "2/m"}
    monkeypatch.setattr(ratelimit, "_over_limit", {})


@pytest.fixture
def clock():
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


@pytest.fixture
def other():
    client = redis.Redis.from_url(REDIS_URL)
    yield client
    client.close()


def search(reader, words):
    return reader.get("/search/", {"q": words}, REMOTE_ADDR=FLOODER)


def counter(other):
    (key,) = other.keys(f"*ratelimit:search:address:{FLOODER}:*")
    return int(other.get(key))


def test_a_search_flood_is_refused_and_a_refused_client_costs_no_query(
    redis_cache, other, clock, django_assert_num_queries
):
    PostFactory(title="Bread")
    reader = Client()
    assert [search(reader, f"bread {n}").status_code for n in range(5)] == [200] * 5

    clock.shift(timedelta(seconds=15))
    refused = search(reader, "bread six")  # its search ran; its count put it over the limit
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    assert "Too many searches from your address. Try again in 45 seconds." in (
        refused.content.decode()
    )
    assert counter(other) == 6

    with django_assert_num_queries(0):
        again = search(reader, "bread seven")
    assert again.status_code == 429 and again["Retry-After"] == "45"
    assert counter(other) == 6  # not even counted

    clock.shift(timedelta(seconds=45))
    assert search(reader, "bread again").status_code == 200


def test_the_count_is_sent_before_the_search_query_and_read_after_it(redis_cache, monkeypatch):
    PostFactory(title="Bread")
    events = []
    send, read = Connection.send_packed_command, Connection.read_response

    def sending(self, command, *args, **kwargs):
        events.append("count sent")
        return send(self, command, *args, **kwargs)

    def reading(self, *args, **kwargs):
        events.append("count read")
        return read(self, *args, **kwargs)

    def querying(execute, sql, params, many, context):
        events.append("query")
        return execute(sql, params, many, context)

    monkeypatch.setattr(Connection, "send_packed_command", sending)
    monkeypatch.setattr(Connection, "read_response", reading)
    reader = Client()
    reader.get("/")  # the content generation read and watched: not part of what is shown
    events.clear()
    with connection.execute_wrapper(querying):
        # A parameter the page does not know: neither read from the page cache nor stored there,
        # so the count is all this search asks of Redis.
        response = reader.get("/search/", {"q": "bread", "uncached": "1"}, REMOTE_ADDR=FLOODER)

    assert response.status_code == 200 and "Bread" in response.content.decode()
    assert events.index("count sent") < events.index("query") < events.index("count read")
    # SET NX and INCR in one round trip, and nothing else sent to Redis.
    assert [event for event in events if event != "query"] == ["count sent", *["count read"] * 2]


def test_a_count_redis_refuses_lets_the_request_through_and_the_next_count_works(
    redis_cache, other, monkeypatch
):
    monkeypatch.setattr(cache_module, "RETRY_SECONDS", 0)  # no rest after the failure
    broken = redis_cache.make_and_validate_key("broken")
    other.set(broken, "not a number")  # INCR fails with an error

    assert redis_cache.count_later("broken", 60)() is None
    # Not the failed count's reply, left on its connection: that connection was closed.
    assert redis_cache.count_later("fine", 60)() == 1
    assert redis_cache.count_later("fine", 60)() == 2


def test_counts_give_their_connection_back_even_when_the_view_fails(redis_cache, other, settings):
    settings.BYLINE_RATE_LIMITS = {"search": "100/m"}  # within it, the view's error goes on

    def failing_view(request):
        raise RuntimeError("the view failed")

    view = ratelimit.rate_limited("search")(failing_view)
    request = Client().get("/").wsgi_request
    connections_before = len(other.client_list())

    for _ in range(20):
        with pytest.raises(RuntimeError):
            view(request)
    for _ in range(20):
        redis_cache.count_later("several", 60)()

    assert len(other.client_list()) <= connections_before + 1
    assert redis_cache.count_later("several", 60)() == 21


def test_a_flood_of_search_pages_past_the_last_is_refused_too(
    redis_cache, clock, django_assert_num_queries
):
    """Such a page runs the search, then raises 404 (no such page): never cached, so without
    the limit each one would cost a search."""
    PostFactory(title="Bread")
    reader = Client()

    statuses = [
        reader.get("/search/", {"q": "bread", "page": "2"}, REMOTE_ADDR=FLOODER).status_code
        for _ in range(6)
    ]

    assert statuses == [404] * 5 + [429]
    with django_assert_num_queries(0):
        again = reader.get("/search/", {"q": "bread", "page": "2"}, REMOTE_ADDR=FLOODER)
    assert again.status_code == 429


def test_past_its_bound_the_process_forgets_the_client_it_refused_longest_ago(
    redis_cache, clock, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(ratelimit, "MAX_OVER_LIMIT", 2)
    PostFactory(title="Bread")
    reader = Client()
    flooders = ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
    for number, address in enumerate(flooders):  # each refused once: the first forgotten at the
        statuses = [  # third (searches no page cache has: those are not counted)
            reader.get("/search/", {"q": f"bread {number} {n}"}, REMOTE_ADDR=address).status_code
            for n in range(6)
        ]
        assert statuses == [200] * 5 + [429]

    for address in flooders[1:]:  # still remembered: refused without a search
        with django_assert_num_queries(0):
            assert reader.get("/search/", {"q": "x"}, REMOTE_ADDR=address).status_code == 429
    # Forgotten: its search runs, and Redis's count refuses it again.
    forgotten = reader.get("/search/", {"q": "bread again"}, REMOTE_ADDR=flooders[0])
    assert forgotten.status_code == 429
    # Refused again, it is remembered again, and the client refused longest ago goes.
    remembered = " ".join(ratelimit._over_limit)
    assert f":{flooders[0]}:" in remembered and f":{flooders[2]}:" in remembered
    assert f":{flooders[1]}:" not in remembered


def test_an_upload_flood_is_counted_before_the_upload_runs(redis_cache, editor, clock):
    stored = []

    def upload_view(request):
        stored.append(request)
        return HttpResponse("stored")

    view = ratelimit.rate_limited("upload", json=True)(upload_view)
    request = RequestFactory().post("/markdownx/upload/")
    request.user = editor

    statuses = [view(request).status_code for _ in range(4)]

    assert statuses == [200, 200, 429, 429]
    assert len(stored) == 2  # the refused uploads never ran
