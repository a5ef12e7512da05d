"""Subscribing made plain: the subscribe page lists every feed, is linked from every page and
from each post's end; feeds name a stylesheet that makes them readable in a browser, while feed
readers get them exactly as before."""

import re
import xml.dom.minidom
from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from blog.models import Post
from tests.factories import PostFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

UNCACHED = "?uncached=1"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# What feed readers send: feedparser's own header, a typical reader's, and none.
READERS = [
    "application/atom+xml,application/rdf+xml,application/rss+xml,application/x-netcdf,"
    "application/xml;q=0.9,text/xml;q=0.2,*/*;q=0.1",
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8",
    "",
]
FEEDS = [
    "/feed/",
    "/feed/atom/",
    "/tags/bread/feed/",
    "/tags/bread/feed/atom/",
    "/topics/cooking/feed/",
    "/topics/cooking/feed/atom/",
    "/authors/maya/feed/",
    "/authors/maya/feed/atom/",
]


@pytest.fixture
def site():
    maya = UserFactory(username="maya", display_name="Maya Okafor", slug="maya")
    cooking = TopicFactory(name="Cooking", slug="cooking")
    TopicFactory(name="Travel", slug="travel")
    post = PostFactory(
        title="Bread at home", slug="bread", authors=[maya], tags=["bread"], topics=[cooking]
    )
    # Unknown to the public: an author and a tag only on a draft.
    hidden = UserFactory(display_name="Dana Draft", slug="dana")
    PostFactory(status=Post.Status.DRAFT, authors=[hidden], tags=["secret-plans"])
    return post


def get(client, url, accept=BROWSER, **headers):
    return client.get(url, headers={"accept": accept, **headers})


def test_the_subscribe_page_lists_every_public_feed_with_its_address(client, site):
    html = get(client, "/subscribe/").content.decode()

    for path in FEEDS:
        assert f"http://testserver{path}" in html, path
    assert "http://testserver/topics/travel/feed/" in html  # a topic with no post yet
    assert "Dana Draft" not in html and "secret-plans" not in html
    assert html.count('<h1 class="page-title">') == 1
    assert "feed reader" in html and "NetNewsWire" in html
    # Each address is text on the page, with a copy button the page's script shows.
    assert '<code class="feed-address__url" id="site-feed-1">http://testserver/feed/</code>' in html
    assert 'data-copy="site-feed-1"' in html and "js/copy_address.js" in html


def test_the_subscribe_page_shows_the_most_used_tags_and_links_to_every_tag(client):
    writer = UserFactory(slug="w")
    for number in range(14):
        for _ in range(number % 3 + 1 if number else 4):
            PostFactory(authors=[writer], tags=[f"tag-{number:02d}"])

    html = get(client, "/subscribe/").content.decode()
    listed = re.findall(r'<span class="feed-list__name">(tag-\d+)</span>', html)
    assert listed[0] == "tag-00"  # four posts: the most used
    assert len(listed) == 12 and "tag-01" not in listed[:1]
    assert '<a href="/subscribe/tags/">The feeds of every tag</a>' in html

    every = get(client, "/subscribe/tags/").content.decode()
    assert re.findall(r'<span class="feed-list__name">(tag-\d+)</span>', every) == [
        f"tag-{number:02d}" for number in range(14)
    ]


def test_the_subscribe_page_runs_at_most_four_queries_at_any_size(
    client, site, django_assert_max_num_queries
):
    for number in range(30):
        PostFactory(authors=[UserFactory()], tags=[f"t{number}"], topics=[TopicFactory()])
    get(client, "/")  # the menus are stored: what every page shows

    with django_assert_max_num_queries(4):
        assert get(client, "/subscribe/" + UNCACHED).status_code == 200
    with django_assert_max_num_queries(4):
        assert get(client, "/subscribe/tags/" + UNCACHED).status_code == 200


@pytest.mark.parametrize("url", ["/", "/posts/bread/", "/tags/bread/", "/topics/cooking/"])
def test_every_page_links_to_the_subscribe_page(client, site, url):
    assert '<a href="/subscribe/"' in get(client, url).content.decode()


def test_a_post_ends_with_a_way_to_follow_its_topic_or_the_site(client, site):
    html = get(client, "/posts/bread/").content.decode()

    cta = html.split('<aside class="subscribe-cta"')[1].split("</aside>")[0]
    assert 'href="/topics/cooking/feed/">Cooking</a>' in cta
    assert 'href="/subscribe/">everything on' in cta
    assert html.index('class="subscribe-cta"') > html.index("</article>")


def test_the_subscribe_page_is_in_the_sitemap(client, site):
    assert "<loc>http://testserver/subscribe/</loc>" in client.get("/sitemap.xml").content.decode()


def test_only_the_subscribe_pages_may_run_the_sites_own_script(client, site):
    for _ in range(2):  # rendered, then from the page cache
        assert "script-src 'self'" in get(client, "/subscribe/")["Content-Security-Policy"]
        assert "script-src 'none'" in get(client, "/")["Content-Security-Policy"]
        assert "script-src 'none'" in get(client, "/posts/bread/")["Content-Security-Policy"]


def test_the_feed_stylesheet_is_served_as_xslt(client, site):
    response = client.get("/feed.xsl")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xslt+xml; charset=utf-8"
    document = xml.dom.minidom.parseString(response.content)
    root = document.documentElement
    assert (root.namespaceURI, root.localName) == (
        "http://www.w3.org/1999/XSL/Transform",
        "stylesheet",
    )
    text = response.content.decode()
    assert "/static/css/site.css" in text and "/subscribe/" in text
    assert "<script" not in text and "style=" not in text


@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_names_the_stylesheet_before_its_first_element(client, site, url):
    body = get(client, url, accept=READERS[0]).content.decode()

    prolog, _, _ = body.partition("<rss" if "<rss" in body else "<feed")
    assert '<?xml-stylesheet href="/feed.xsl" media="screen" type="text/xsl"?>' in prolog
    assert not feedparser.parse(body).bozo


@pytest.mark.parametrize("url", FEEDS)
def test_feed_readers_get_feeds_as_before_and_browsers_get_the_same_bytes_as_xml(client, site, url):
    kind = "application/atom+xml" if url.endswith("atom/") else "application/rss+xml"
    for_readers = [get(client, url, accept=accept) for accept in READERS]
    for_browser = get(client, url)

    for response in for_readers:
        assert response["Content-Type"] == f"{kind}; charset=utf-8"
        assert "script-src 'none'" in response["Content-Security-Policy"]
        assert "Accept" in response["Vary"]
        assert response.content == for_browser.content
    assert for_browser["Content-Type"] == "application/xml; charset=utf-8"
    assert "script-src 'self'" in for_browser["Content-Security-Policy"]
    parsed = [feedparser.parse(response.content) for response in (*for_readers, for_browser)]
    assert all(feed.entries[0].title == "Bread at home" for feed in parsed)
    assert {feed.version for feed in parsed} == {"atom10" if "atom" in kind else "rss20"}


def test_cached_and_compressed_feeds_keep_each_clients_type(client, site):
    first = get(client, "/feed/", accept=READERS[0], **{"accept-encoding": "br, gzip"})
    cached_reader = get(client, "/feed/", accept=READERS[0], **{"accept-encoding": "br, gzip"})
    cached_browser = get(client, "/feed/", **{"accept-encoding": "br, gzip"})
    not_modified = get(client, "/feed/", **{"if-none-match": first["ETag"]})

    assert cached_reader["Content-Encoding"] == cached_browser["Content-Encoding"] == "br"
    assert cached_reader["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert cached_browser["Content-Type"] == "application/xml; charset=utf-8"
    assert cached_reader.content == cached_browser.content == first.content
    assert not_modified.status_code == 304
    assert "Accept" in not_modified["Vary"]


def test_a_scheduled_post_is_listed_on_no_feed_of_the_subscribe_page_before_it_is_live(client):
    soon = timezone.now() + timedelta(days=1)
    PostFactory(authors=[UserFactory(display_name="Future Writer", slug="future")], publish_at=soon)

    assert "Future Writer" not in get(client, "/subscribe/").content.decode()


@pytest.mark.parametrize("url", FEEDS)
def test_feedparser_reads_each_feed_as_it_would_without_the_stylesheet(client, site, url):
    body = get(client, url, accept=READERS[0]).content.decode()
    without = re.sub(r"<\?xml-stylesheet [^>]*\?>", "", body)
    assert without != body

    with_it, plain = feedparser.parse(body), feedparser.parse(without)

    assert not with_it.bozo and with_it.version == plain.version
    assert with_it.feed == plain.feed
    assert with_it.entries == plain.entries
