"""Sponsored links at /go/<slug>/: readers are sent on to the destination, each click is counted
once per link, post, day and kind (person or bot), and nothing about the reader is kept."""

import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from blog.go import is_bot
from blog.models import LinkClicks, Post, SponsoredLink
from tests.factories import PostFactory, SponsoredLinkFactory

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture
def link():
    return SponsoredLinkFactory(slug="offer", destination="https://shop.example.com/item?aff=7")


@pytest.fixture
def post():
    return PostFactory(slug="first")


def click(client, url, user_agent=FIREFOX, method="get"):
    return getattr(client, method)(url, headers={"user-agent": user_agent})


def counters():
    """Every counter row, as (link slug, post slug or None, day, bot, clicks)."""
    rows = LinkClicks.objects.order_by("pk").values_list("link", "post", "day", "bot", "clicks")
    slugs = dict(Post.objects.values_list("pk", "slug"))
    links = dict(SponsoredLink.objects.values_list("pk", "slug"))
    return [(links[link], slugs.get(post), day, bot, n) for link, post, day, bot, n in rows]


def test_an_active_link_redirects_to_its_destination(client, link):
    response = click(client, "/go/offer/")

    assert response.status_code == 302
    assert response["Location"] == "https://shop.example.com/item?aff=7"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # The merchant learns our origin, not which article the reader was on.
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_an_unknown_link_is_the_sites_404_page_and_not_stored(client):
    response = click(client, "/go/no-such-offer/")

    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert LinkClicks.objects.count() == 0


def test_a_retired_link_answers_404(client, link):
    link.active = False
    link.save()

    response = click(client, "/go/offer/")

    assert response.status_code == 404 and response["Cache-Control"] == "private, no-store"
    assert LinkClicks.objects.count() == 0


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_only_get_and_head_are_answered(client, link, method):
    response = click(client, "/go/offer/", method=method)

    assert response.status_code == 405
    assert LinkClicks.objects.count() == 0


def test_head_redirects_without_counting(client, link):
    response = click(client, "/go/offer/", method="head")

    assert response.status_code == 302
    assert response["Location"] == "https://shop.example.com/item?aff=7"
    assert LinkClicks.objects.count() == 0


def test_the_tracking_parameter_names_the_post_the_click_came_from(client, link, post):
    link.tracking_parameter = "tid"
    link.destination = "https://shop.example.com/item?aff=7&tid=stale&q=a%20b+c#reviews"
    link.save()

    response = click(client, "/go/offer/?from=first")

    # The destination's own parameters as written; tid replaced, not repeated.
    assert response["Location"] == "https://shop.example.com/item?aff=7&q=a%20b+c&tid=first#reviews"


@pytest.mark.parametrize("source", ["", "?from=", "?from=no-such-post", "?from=a-draft"])
def test_no_tracking_parameter_without_a_published_post(client, link, source):
    # A draft's slug must not be confirmed to whoever guesses it.
    PostFactory(slug="a-draft", status=Post.Status.DRAFT)
    link.tracking_parameter = "tid"
    link.save()

    response = click(client, f"/go/offer/{source}")

    assert response["Location"] == "https://shop.example.com/item?aff=7"
    assert counters() == [("offer", None, timezone.localdate(), False, 1)]


@pytest.mark.parametrize(
    "destination",
    ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example/", "/x"],
)
def test_a_destination_that_is_not_a_web_address_is_never_a_redirect(client, link, destination):
    # Written around the form's check, as an import or a shell could.
    SponsoredLink.objects.filter(pk=link.pk).update(destination=destination)

    response = click(client, "/go/offer/")

    assert response.status_code == 404
    assert "Location" not in response
    assert LinkClicks.objects.count() == 0


def test_the_form_refuses_a_javascript_destination():
    link = SponsoredLink(name="Bad", slug="bad", destination="javascript:alert(1)")

    with pytest.raises(ValidationError) as refused:
        link.full_clean()

    assert "destination" in refused.value.message_dict


def test_bots_and_people_are_counted_apart(client, link, post):
    click(client, "/go/offer/?from=first", GOOGLEBOT)
    click(client, "/go/offer/?from=first", "")
    click(client, "/go/offer/?from=first", FIREFOX)

    assert sorted(counters()) == [
        ("offer", "first", timezone.localdate(), False, 1),
        ("offer", "first", timezone.localdate(), True, 2),
    ]


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "   ",
        GOOGLEBOT,
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "curl/8.5.0",
        "Wget/1.21.4",
        "python-requests/2.32.3",
        "python-httpx/0.27.0",
        "Go-http-client/2.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
    ],
)
def test_programs_are_bots(user_agent):
    assert is_bot(user_agent)


@pytest.mark.parametrize(
    "user_agent",
    [
        FIREFOX,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        # A Cubot phone: "bot" in the model name.
        "Mozilla/5.0 (Linux; Android 12; CUBOT X50) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36",
    ],
)
def test_browsers_are_people(user_agent):
    assert not is_bot(user_agent)


def test_a_click_from_an_old_address_counts_for_the_post(client, link, post):
    link.tracking_parameter = "tid"
    link.save()
    post.slug = "renamed"
    post.save()

    response = click(client, "/go/offer/?from=first")

    assert response["Location"] == "https://shop.example.com/item?aff=7&tid=renamed"
    assert counters() == [("offer", "renamed", timezone.localdate(), False, 1)]


def test_clicks_of_one_day_add_up_in_one_counter(client, link, post):
    for _ in range(3):
        click(client, "/go/offer/?from=first")
    for _ in range(2):
        click(client, "/go/offer/")

    assert sorted(counters(), key=str) == [
        ("offer", "first", timezone.localdate(), False, 3),
        ("offer", None, timezone.localdate(), False, 2),
    ]


def test_the_day_is_the_sites_not_utcs(client, link, settings):
    settings.TIME_ZONE = "Europe/Berlin"

    with time_machine.travel(datetime(2026, 3, 1, 23, 30, tzinfo=UTC), tick=False):
        click(client, "/go/offer/")

    assert counters() == [("offer", None, date(2026, 3, 2), False, 1)]


def test_a_click_keeps_nothing_about_the_reader(client, link, post):
    response = client.get(
        "/go/offer/?from=first",
        headers={"user-agent": FIREFOX, "referer": "https://byline.example/posts/first/"},
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 302
    assert not response.cookies and "Set-Cookie" not in response
    # The counter's columns are all there is: no address, browser string or referrer.
    columns = {field.column for field in LinkClicks._meta.concrete_fields}
    assert columns == {"id", "link_id", "post_id", "day", "bot", "clicks"}
    assert counters() == [("offer", "first", timezone.localdate(), False, 1)]


def break_the_counter(execute, sql, params, many, context):
    """A real error from the database: the counter's statement names a table that does not
    exist."""
    table = LinkClicks._meta.db_table
    if sql.startswith("INSERT INTO") and table in sql:
        sql = sql.replace(table, "blog_no_such_table")
    return execute(sql, params, many, context)


@pytest.mark.parametrize(
    "transactional",
    [
        pytest.param(False, id="inside a transaction"),
        pytest.param(True, id="autocommit", marks=pytest.mark.django_db(transaction=True)),
    ],
)
def test_the_redirect_survives_a_counting_failure(client, link, post, caplog, transactional):
    with connection.execute_wrapper(break_the_counter), caplog.at_level(logging.WARNING):
        response = click(client, "/go/offer/?from=first")

    assert response.status_code == 302
    assert response["Location"] == "https://shop.example.com/item?aff=7"
    assert "Click on sponsored link offer not counted" in caplog.text
    assert FIREFOX not in caplog.text
    # The failed statement did not spoil the connection (or its transaction) for what follows.
    assert LinkClicks.objects.count() == 0
    assert click(client, "/go/offer/?from=first").status_code == 302
    assert counters() == [("offer", "first", timezone.localdate(), False, 1)]


def test_go_is_never_served_from_the_page_cache(client, link, post):
    assert not hasattr(resolve("/go/offer/").func, "page_parameters")  # not a public_page()

    first = click(client, "/go/offer/?from=first")
    second = click(client, "/go/offer/?from=first")

    assert first.status_code == second.status_code == 302
    assert "ETag" not in second and "public" not in second["Cache-Control"]
    assert counters() == [("offer", "first", timezone.localdate(), False, 2)]


def test_a_posts_sponsored_link_leads_through_go_and_counts_for_the_post(client, link):
    PostFactory(slug="review", body="Buy [the thing](/go/offer/) today.")

    page = client.get("/posts/review/").content.decode()
    href = re.search(r'<a href="(/go/offer/[^"]*)" rel="sponsored', page)[1]
    response = click(client, href.replace("&amp;", "&"))

    assert response.status_code == 302
    assert counters() == [("offer", "review", timezone.localdate(), False, 1)]


@pytest.mark.django_db(transaction=True)
def test_a_thousand_simultaneous_clicks_are_counted_exactly(link, post, caplog):
    if connection.vendor != "postgresql":
        pytest.skip("needs writers that really run at once: PostgreSQL")
    threads, each = 40, 25
    start = threading.Barrier(threads)

    def clicks():
        try:
            reader = Client()  # its own thread, so its own database connection
            start.wait(timeout=60)
            return [click(reader, "/go/offer/?from=first").status_code for _ in range(each)]
        finally:
            connections.close_all()

    with caplog.at_level(logging.WARNING), ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(clicks) for _ in range(threads)]
        statuses = [status for future in futures for status in future.result()]

    assert statuses == [302] * 1000
    assert "not counted" not in caplog.text
    assert counters() == [("offer", "first", timezone.localdate(), False, 1000)]


def test_a_click_on_a_known_link_from_a_known_post_is_one_statement_until_either_changes(
    client, link, post, django_assert_max_num_queries
):
    click(client, "/go/offer/?from=first")
    with django_assert_max_num_queries(3) as known:  # the count (in a savepoint here)
        click(client, "/go/offer/?from=first")
    assert [query["sql"].split()[0] for query in known.captured_queries] == [
        "SAVEPOINT",
        "INSERT",
        "RELEASE",
    ]

    link.destination = "https://shop.example.com/other"
    link.save()  # moves the content version: the link is read again
    assert click(client, "/go/offer/?from=first")["Location"] == "https://shop.example.com/other"

    link.active = False
    link.save()
    assert click(client, "/go/offer/?from=first").status_code == 404
    assert sum(row[-1] for row in counters()) == 3
