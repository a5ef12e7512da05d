"""RSS and Atom: what feed readers get, parsed as a feed reader would."""

from datetime import timedelta

import feedparser
import pytest
import time_machine
from django.utils import timezone

from blog.models import Post
from tests.factories import PostFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

SCOPED_FEEDS = ["/tags/bread/feed/", "/topics/cooking/feed/", "/authors/maya/feed/"]
ALL_FEEDS = ["/feed/", "/feed/atom/"] + SCOPED_FEEDS + [f"{url}atom/" for url in SCOPED_FEEDS]


@pytest.fixture
def maya():
    return UserFactory(username="maya", display_name="Maya Okafor", slug="maya")


@pytest.fixture
def bread_post(maya):
    second = UserFactory(display_name="Ade Bello")
    return PostFactory(
        title="Bread at home",
        description="A summary of bread.",
        body="## Flour\n\nUse [strong flour](/posts/flour/) & patience. <script>x()</script>",
        authors=[maya, second],
        tags=["bread"],
        topics=[TopicFactory(name="Cooking", slug="cooking")],
    )


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, f"{url}: {feed.get('bozo_exception')}"
    return feed


@pytest.mark.parametrize("url", ALL_FEEDS)
def test_every_feed_parses_cleanly_and_carries_the_full_post(client, bread_post, url):
    feed = parse(client, url)

    assert feed.version in {"rss20", "atom10"}
    [entry] = feed.entries
    assert entry.title == "Bread at home"
    assert entry.link == "http://testserver/posts/bread-at-home/"
    assert entry.summary == "A summary of bread."
    content = entry.content[0].value
    assert '<h2 id="flour">Flour</h2>' in content
    assert 'href="http://testserver/posts/flour/"' in content  # absolute for feed readers
    assert "<script" not in content
    assert [author.name for author in entry.authors] == ["Maya Okafor", "Ade Bello"]
    assert {tag.term for tag in entry.tags} == {"bread", "Cooking"}
    assert entry.published_parsed
    if feed.version == "atom10":  # RSS 2.0 has no update date for items
        assert entry.updated_parsed


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_feed_ids_survive_edits_and_slug_changes(client, bread_post, url):
    before = parse(client, url).entries[0].id

    bread_post.title = "Bread at home, revised"
    bread_post.slug = "bread-revised"
    bread_post.save()
    after = parse(client, url).entries[0]

    assert after.id == before == f"urn:uuid:{bread_post.uuid}"
    assert after.link.endswith("/posts/bread-revised/")


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_feeds_list_only_published_posts_newest_first(client, url):
    PostFactory(title="Old", publish_at=timezone.now() - timedelta(days=2))
    PostFactory(title="New", publish_at=timezone.now() - timedelta(hours=1))
    PostFactory(title="Draft", status=Post.Status.DRAFT)
    PostFactory(title="Review", status=Post.Status.IN_REVIEW)
    PostFactory(title="Archived", status=Post.Status.ARCHIVED)
    PostFactory(title="Scheduled", publish_at=timezone.now() + timedelta(hours=1))

    assert [entry.title for entry in parse(client, url).entries] == ["New", "Old"]


def test_feeds_hold_the_latest_twenty_posts(client):
    PostFactory.create_batch(25)

    assert len(parse(client, "/feed/").entries) == 20


def test_site_feed_describes_the_site(client, bread_post):
    rss = parse(client, "/feed/").feed
    atom = parse(client, "/feed/atom/").feed

    assert rss.title == atom.title == "The Byline Review"
    assert rss.link == "http://testserver/"
    assert atom.subtitle


@pytest.mark.parametrize(
    "url", ["/tags/nope/feed/", "/topics/nope/feed/atom/", "/authors/nope/feed/"]
)
def test_feeds_of_unknown_scopes_answer_404(client, url):
    assert client.get(url).status_code == 404


def test_author_without_published_posts_has_no_feed(client):
    quiet = UserFactory(slug="quiet")
    PostFactory(authors=[quiet], status=Post.Status.DRAFT)

    assert client.get("/authors/quiet/feed/").status_code == 404


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/", "/tags/bread/feed/"])
def test_feeds_answer_conditional_gets_with_304(client, bread_post, url):
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):  # the post's second is over
        first = client.get(url)
        assert first["ETag"] and first["Last-Modified"]

        by_etag = client.get(url, headers={"if-none-match": first["ETag"]})
        by_date = client.get(url, headers={"if-modified-since": first["Last-Modified"]})

    assert by_etag.status_code == 304, (first["ETag"], by_etag.get("ETag"))
    assert by_etag.content == b""
    assert by_date.status_code == 304


def test_a_new_post_changes_the_feed_validators(client, bread_post):
    first = client.get("/feed/")

    PostFactory(title="Fresh", tags=["bread"])
    again = client.get("/feed/", headers={"if-none-match": first["ETag"]})

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert "Fresh" in [entry.title for entry in feedparser.parse(again.content).entries]


@pytest.mark.parametrize("count", [1, 20])
def test_feeds_and_sitemap_run_a_constant_number_of_queries(
    client, django_assert_max_num_queries, count
):
    for n in range(count):
        PostFactory(
            authors=UserFactory.create_batch(2),
            tags=[f"tag-{n}", "shared"],
            topics=[TopicFactory(slug=f"topic-{n}")],
        )

    # The sitemap counts, then lists, each of its five sections.
    # The content version's go-live times, (the tag,) the posts with their stored blocks.
    for url, queries in (("/feed/", 2), ("/feed/atom/", 2), ("/tags/shared/feed/", 3),
                         ("/sitemap.xml", 11)):  # fmt: skip
        with django_assert_max_num_queries(queries):
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/", "/tags/bad\x01tag/feed/"])
def test_control_characters_from_authors_do_not_break_feeds(client, url):
    """XML cannot carry them: they are left out instead of making the feed a 500."""
    writer = UserFactory(display_name="Ann\x0b Author")
    PostFactory(
        title="Bell\x07 title",
        description="Form\x0cfeed",
        body="Escape\x1b[31m red",
        authors=[writer],
        tags=["bad\x01tag"],
    )
    response = client.get(url.replace("\x01", ""))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert feed.entries[0].title == "Bell title"
    assert "Ann Author" in response.content.decode()


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_descriptions_typed_as_text_reach_feed_readers_as_text(client, url):
    """A feed's item description is HTML to a reader: plain text must arrive escaped."""
    PostFactory(description='<img src=x onerror="alert(1)"> & more')
    response = client.get(url)
    entry = feedparser.parse(response.content, sanitize_html=False).entries[0]
    assert entry.summary == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; more"
    assert "<img" not in entry.summary
