"""Rate limits: a flood of searches, previews or uploads gets 429 with Retry-After, then
service again once the window has passed; a failing cache never turns them into errors."""

import json
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from blog.ratelimit import client_address, rate_limited
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def low_limits(settings):
    settings.BYLINE_RATE_LIMITS = {"search": "5/m", "preview": "3/m", "upload": "2/m"}


@pytest.fixture
def clock():
    # The start of a minute, so a whole window lies ahead of every test.
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


def test_a_search_flood_gets_429_with_retry_after_then_recovers(client, clock):
    PostFactory(title="Bread")
    for n in range(5):
        assert client.get("/search/", {"q": f"bread {n}"}).status_code == 200

    clock.shift(timedelta(seconds=15))
    refused = client.get("/search/", {"q": "bread again"})

    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    assert "Too many searches from your address. Try again in 45 seconds." in (
        refused.content.decode()
    )
    assert "<h1" in refused.content.decode()  # the site's own page, not a bare error
    clock.shift(timedelta(seconds=45))
    assert client.get("/search/", {"q": "bread again"}).status_code == 200


def test_searches_answered_from_the_page_cache_do_not_count(client, clock):
    PostFactory(title="Bread")

    statuses = {client.get("/search/", {"q": "bread"}).status_code for _ in range(20)}

    assert statuses == {200}


def test_the_limit_is_per_client_address(client, clock):
    for n in range(6):
        client.get("/search/", {"q": f"flood {n}"}, REMOTE_ADDR="198.51.100.1")

    assert client.get("/search/", {"q": "x"}, REMOTE_ADDR="198.51.100.1").status_code == 429
    assert client.get("/search/", {"q": "x"}, REMOTE_ADDR="198.51.100.2").status_code == 200


def test_a_logged_in_reader_is_limited_per_account_from_any_address(client, clock):
    client.force_login(UserFactory())
    for n in range(5):
        client.get("/search/", {"q": f"word {n}"}, REMOTE_ADDR=f"198.51.100.{n}")

    refused = client.get("/search/", {"q": "word"}, REMOTE_ADDR="203.0.113.9")

    assert refused.status_code == 429
    assert "from this account" in refused.content.decode()


def test_a_preview_flood_gets_429_in_the_preview_pane_then_recovers(client, editor, clock):
    client.force_login(editor)
    for _ in range(3):
        assert client.post("/markdownx/markdownify/", {"content": "Hi"}).status_code == 200

    refused = client.post(
        "/markdownx/markdownify/", {"content": "Hi"}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused.content.decode() == (
        '<p class="rate-limited">Too many previews from this account. Try again in 60 seconds.</p>'
    )
    clock.shift(timedelta(minutes=1))
    assert client.post("/markdownx/markdownify/", {"content": "Hi"}).status_code == 200


def test_one_editors_preview_flood_does_not_limit_another(client, editor, author, clock):
    client.force_login(editor)
    for _ in range(4):
        client.post("/markdownx/markdownify/", {"content": "Hi"})

    client.force_login(author)
    assert client.post("/markdownx/markdownify/", {"content": "Hi"}).status_code == 200


def upload_view(request):
    return HttpResponse("stored")


def test_the_decorator_answers_json_for_upload_endpoints(editor, clock):
    view = rate_limited("upload", json=True)(upload_view)
    request = RequestFactory().post("/markdownx/upload/")
    request.user = editor

    statuses = [view(request).status_code for _ in range(2)]
    refused = view(request)

    assert statuses == [200, 200]
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert json.loads(refused.content) == {
        "error": "Too many uploads from this account. Try again in 60 seconds."
    }


class BrokenCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        return fail


def test_a_failing_cache_lets_requests_through(editor):
    view = rate_limited("upload", json=True)(upload_view)
    request = RequestFactory().post("/markdownx/upload/")
    request.user = editor

    with mock.patch("blog.ratelimit.cache", BrokenCache()):
        statuses = {view(request).status_code for _ in range(10)}

    assert statuses == {200}


def test_behind_proxies_the_address_they_vouch_for_is_used(settings):
    request = RequestFactory().get(
        "/search/",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.1",  # client-written first entry
    )

    assert client_address(request) == "10.0.0.2"
    settings.BYLINE_PROXY_COUNT = 1
    assert client_address(request) == "10.0.0.1"
    settings.BYLINE_PROXY_COUNT = 2
    assert client_address(request) == "203.0.113.7"


def test_ipv6_clients_are_counted_per_64_network():
    first = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    second = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:bbbb::9")

    assert client_address(first) == client_address(second) == "2001:db8:1:2::"


def test_on_redis_a_flood_is_counted_in_one_round_trip_a_request(client, clock, redis_cache):
    PostFactory(title="Bread")
    server = redis_cache._cache.get_client(write=True)
    exists_before = server.info("commandstats").get("cmdstat_exists", {}).get("calls", 0)

    statuses = [client.get("/search/", {"q": f"bread {n}"}).status_code for n in range(6)]

    assert statuses == [200] * 5 + [429]
    (key,) = server.keys("*ratelimit:search*")
    assert int(server.get(key)) == 6 and 0 < server.ttl(key) <= 61  # the window's, then gone
    # add() then incr() would ask whether the key exists: SET NX and INCR, pipelined, do not.
    assert server.info("commandstats").get("cmdstat_exists", {}).get("calls", 0) == exists_before
    clock.shift(timedelta(minutes=1))
    assert client.get("/search/", {"q": "bread again"}).status_code == 200
