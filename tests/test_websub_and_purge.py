"""Go-live effects outside the site: WebSub hub pings and cache purges (blog/websub.py,
blog/purge.py), received by real servers on loopback, and the hub that feeds advertise."""

from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ImproperlyConfigured

from blog.outbound import OutboundError
from blog.purge import purge, purge_targets
from blog.websub import feed_urls, ping_hub
from tests.factories import PostFactory, TopicFactory, UserFactory
from tests.receivers import Receiver

pytestmark = pytest.mark.django_db

SITE = "https://news.example"
ATOM = "{http://www.w3.org/2005/Atom}"
POST_FEEDS = [
    "/feed/",
    "/feed/atom/",
    "/tags/baking/feed/",
    "/tags/baking/feed/atom/",
    "/tags/bread/feed/",
    "/tags/bread/feed/atom/",
    "/topics/cooking/feed/",
    "/topics/cooking/feed/atom/",
    "/authors/maya/feed/",
    "/authors/maya/feed/atom/",
    "/authors/ade/feed/",
    "/authors/ade/feed/atom/",
]


@pytest.fixture(autouse=True)
def site(settings):
    settings.BYLINE_SITE_URL = SITE
    settings.BYLINE_OUTBOUND_ALLOW_PRIVATE = False  # as in production: hub and purges are exempt


@pytest.fixture
def post():
    made = PostFactory(
        slug="sourdough",
        authors=[
            UserFactory(username="maya", display_name="Maya Okafor", slug="maya"),
            UserFactory(username="ade", display_name="Ade Bello", slug="ade"),
        ],
        tags=["bread", "baking"],
        topics=[TopicFactory(name="Cooking", slug="cooking")],
    )
    made.refresh_from_db()
    return made


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


# WebSub ----------------------------------------------------------------------------------------


def test_a_post_appears_in_the_site_feeds_and_those_of_its_tags_topics_and_authors(post):
    assert feed_urls(post) == [SITE + path for path in POST_FEEDS]


def test_the_hub_is_told_of_every_feed_the_post_appears_in(post, receiver, settings):
    settings.BYLINE_WEBSUB_HUB = receiver.address("/hub")
    receiver.status, receiver.body = 204, b""

    responses = ping_hub(feed_urls(post))

    assert [response.status for response in responses] == [204] * len(POST_FEEDS)
    assert {request.method for request in receiver.requests} == {"POST"}
    assert {request.path for request in receiver.requests} == {"/hub"}
    forms = [parse_qs(request.body.decode(), strict_parsing=True) for request in receiver.requests]
    assert all(form["hub.mode"] == ["publish"] for form in forms)
    assert sorted(url for form in forms for url in form["hub.url"]) == sorted(
        SITE + path for path in POST_FEEDS
    )
    assert all(
        request.headers["Content-Type"] == "application/x-www-form-urlencoded"
        for request in receiver.requests
    )


def test_a_hub_that_refuses_is_an_error_naming_the_feeds(post, receiver, settings):
    settings.BYLINE_WEBSUB_HUB = receiver.address("/hub")
    receiver.status, receiver.body = 400, b"unknown topic"

    with pytest.raises(OutboundError) as failure:
        ping_hub(feed_urls(post)[:2])

    assert failure.value.reason == (
        f"The WebSub hub {receiver.address('/hub')} did not take 2 of 2 feeds: "
        f"{SITE}/feed/: 400; {SITE}/feed/atom/: 400"
    )


def test_without_a_hub_nothing_is_sent(post, settings):
    settings.BYLINE_WEBSUB_HUB = ""

    assert ping_hub(feed_urls(post)) == []


def feed_links(client, path):
    """{rel: href} of the feed's own links, RSS (atom:link in <channel>) or Atom."""
    root = ElementTree.fromstring(client.get(path).content)
    channel = root.find("channel")
    links = channel.findall(f"{ATOM}link") if channel is not None else root.findall(f"{ATOM}link")
    return {link.get("rel"): link.get("href") for link in links if link.get("rel") != "alternate"}


@pytest.mark.parametrize("path", POST_FEEDS)
def test_feeds_name_the_hub_and_their_own_address_when_there_is_a_hub(client, post, settings, path):
    settings.BYLINE_WEBSUB_HUB = "https://hub.example/"

    links = feed_links(client, path)

    assert links == {"hub": "https://hub.example/", "self": SITE + path}
    assert links["self"] in feed_urls(post)  # the address the hub is pinged with


@pytest.mark.parametrize("path", ["/feed/", "/feed/atom/", "/tags/bread/feed/atom/"])
def test_feeds_name_no_hub_without_one(client, post, settings, path):
    settings.BYLINE_WEBSUB_HUB = ""

    assert feed_links(client, path) == {"self": f"http://testserver{path}"}
    assert b"hub" not in client.get(path).content


# Purges ----------------------------------------------------------------------------------------


def test_a_post_purges_its_page_the_home_page_its_lists_and_its_feeds(post):
    pages = [
        "/posts/sourdough/",
        "/",
        "/tags/baking/",
        "/tags/bread/",
        "/topics/cooking/",
        "/authors/maya/",
        "/authors/ade/",
    ]

    assert purge_targets(post) == [SITE + path for path in pages + POST_FEEDS]


def test_each_template_is_sent_for_each_page(post, receiver, settings):
    settings.BYLINE_PURGE_URLS = [
        f"PURGE http://127.0.0.1:{receiver.port}{{path}}",
        f"post http://127.0.0.1:{receiver.port}/purge?url={{url}}",
    ]

    responses = purge(post)

    targets = purge_targets(post)
    assert len(responses) == 2 * len(targets)
    purged = sorted(r.path for r in receiver.requests if r.method == "PURGE")
    assert purged == sorted(urlsplit(url).path for url in targets)
    posted = [r for r in receiver.requests if r.method == "POST"]
    assert {r.path.partition("?")[0] for r in posted} == {"/purge"}
    assert sorted(parse_qs(urlsplit(r.path).query)["url"][0] for r in posted) == sorted(targets)
    assert {r.headers["Host"] for r in receiver.requests} == {f"127.0.0.1:{receiver.port}"}


def test_failed_purges_are_listed_after_all_were_tried(post, receiver, settings):
    refusing = Receiver()
    refusing.status, refusing.body = 405, b"not allowed"
    try:
        settings.BYLINE_PURGE_URLS = [
            f"PURGE http://127.0.0.1:{refusing.port}{{path}}",
            f"PURGE http://127.0.0.1:{receiver.port}{{path}}",
        ]
        with pytest.raises(OutboundError) as failure:
            purge(post)
    finally:
        refusing.close()

    targets = purge_targets(post)
    assert len(receiver.requests) == len(refusing.requests) == len(targets)
    assert failure.value.reason.startswith(
        f"{len(targets)} of {2 * len(targets)} purge requests failed: "
        f"PURGE http://127.0.0.1:{refusing.port}/posts/sourdough/: 405; "
    )


def test_a_purge_template_without_a_url_is_a_configuration_error(post, settings):
    settings.BYLINE_PURGE_URLS = ["http://varnish:6081{path}"]

    with pytest.raises(ImproperlyConfigured, match="is not a method and a URL"):
        purge(post)
