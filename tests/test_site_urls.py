"""Crawler and operations URLs, archives, related posts, images and error pages."""

import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.utils import timezone
from django.views.defaults import server_error

from blog.models import Post
from tests.factories import ImageFactory, PostFactory, TopicFactory, UserFactory
from tests.helpers import png

pytestmark = pytest.mark.django_db
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_entries(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return {
        url.findtext("s:loc", namespaces=SITEMAP_NS): url.findtext(
            "s:lastmod", namespaces=SITEMAP_NS
        )
        for url in root.findall("s:url", SITEMAP_NS)
    }


def test_sitemap_lists_every_public_page_with_lastmod(client):
    writer = UserFactory(slug="writer")
    post = PostFactory(slug="seen", authors=[writer], tags=["soil"],
                       topics=[TopicFactory(slug="garden")])  # fmt: skip
    PostFactory(slug="unseen", status=Post.Status.DRAFT, tags=["secret"])
    UserFactory(slug="staff-only")

    entries = sitemap_entries(client)

    assert set(entries) == {
        "http://testserver/",
        "http://testserver/posts/seen/",
        "http://testserver/tags/soil/",
        "http://testserver/topics/garden/",
        "http://testserver/authors/writer/",
        "http://testserver/subscribe/",
    }
    assert entries["http://testserver/posts/seen/"] == post.updated_at.date().isoformat()
    assert all(entries.values())


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text


def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "static_files": "ok",
        "go_live": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise ConnectionError("database went away")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "error: ConnectionError"


def test_year_and_month_archives_list_only_their_period(client):
    PostFactory(title="March 2025", publish_at=datetime(2025, 3, 10, tzinfo=UTC))
    PostFactory(title="July 2025", publish_at=datetime(2025, 7, 1, tzinfo=UTC))
    PostFactory(title="January 2024", publish_at=datetime(2024, 1, 5, tzinfo=UTC))

    year = client.get("/archive/2025/").content.decode()
    month = client.get("/archive/2025/03/").content.decode()

    assert "March 2025" in year and "July 2025" in year and "January 2024" not in year
    assert 'href="/archive/2025/03/"' in year and 'href="/archive/2025/07/"' in year
    assert "March 2025" in month and "July 2025" not in month
    assert (
        '<h1 class="page-title">Posts from <time datetime="2025-03">March 2025</time></h1>' in month
    )


@pytest.mark.parametrize("url", ["/archive/1999/", "/archive/2025/13/", "/archive/2025/02/"])
def test_empty_or_impossible_archives_answer_404(client, url):
    PostFactory(publish_at=datetime(2025, 3, 10, tzinfo=UTC))

    assert client.get(url).status_code == 404


def test_related_posts_share_tags_or_topics_newest_first_never_self_or_unpublished():
    topic = TopicFactory()
    now = timezone.now()
    post = PostFactory(tags=["a", "b"], topics=[topic])
    two_shared = PostFactory(title="two", tags=["a", "b"], publish_at=now - timedelta(days=9))
    one_newer = PostFactory(title="one newer", tags=["a"], publish_at=now - timedelta(days=1))
    one_older = PostFactory(title="one older", topics=[topic], publish_at=now - timedelta(days=5))
    PostFactory(title="unrelated", tags=["z"])
    PostFactory(title="draft", tags=["a", "b"], status=Post.Status.DRAFT)

    related = post.related_posts()
    assert [item.pk for item in related] == [one_newer.pk, one_older.pk, two_shared.pk]
    assert [item.title for item in related] == ["one newer", "one older", "two"]


def test_related_posts_show_on_the_post_page(client):
    post = PostFactory(tags=["soil"])
    PostFactory(title="Another soil story", tags=["soil"])

    assert "Another soil story" in client.get(post.get_absolute_url()).content.decode()


def test_featured_image_gets_responsive_renditions_and_social_meta(client):
    image = ImageFactory(upload=png(2000, 1000), alt_text="")
    post = PostFactory(featured_image=image, featured_image_alt="A loaf on a board")

    html = client.get(post.get_absolute_url()).content.decode()
    img = re.search(r'<img src="[^"]+" srcset="([^"]+)"[^>]*>', html)
    assert img and "320w" in img[1] and "1440w" in img[1] and "2000w" in img[1]
    assert 'width="2000" height="1000" alt="A loaf on a board"' in img[0]
    assert re.search(r'<source type="image/avif" srcset="[^"]*1440w', html)
    assert '<meta property="og:image" content="http://testserver/media/images/' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_featured_image_alt_text_comes_from_the_library_unless_the_post_has_its_own(client):
    post = PostFactory(featured_image=ImageFactory(alt_text="Rye loaf, cut"))

    html = client.get(post.get_absolute_url()).content.decode()
    assert 'alt="Rye loaf, cut"' in html
    assert '<meta property="og:image:alt" content="Rye loaf, cut">' in html


def test_small_featured_images_are_not_enlarged():
    image = ImageFactory(upload=png(600, 400))

    assert sorted({r["width"] for r in image.renditions if not r["crop"]}) == [320, 600]


def test_friendly_404_page(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn’t find that page" in html and 'role="search"' in html


def test_friendly_500_page_needs_nothing_that_could_have_failed(rf):
    response = server_error(rf.get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "{%" not in html and "{{" not in html


def test_the_favicon_is_found(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")
