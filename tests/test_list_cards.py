"""Lists show posts as cards: the featured image in the sizes the layout shows it (lazily,
except the first a reader sees), the excerpt, the authors, the date and the reading time. The
home page leads with its newest post. A list page reads stored cards, so its queries are the
same with one post as with many, images and all."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.fragments import CARD_IMAGE_SIZES, LEAD_IMAGE_SIZES
from tests.factories import ImageFactory, PostFactory, TopicFactory, UserFactory
from tests.helpers import image_bytes, upload

pytestmark = pytest.mark.django_db

UNCACHED = "uncached=1"  # a parameter no page knows: rendered, never served from the cache
IMG = re.compile(r"<img [^>]*>")


def with_image(post, alt="A field of barley at dawn", size=(1600, 1000)):
    picture = upload("cover.png", image_bytes("PNG", size), "image/png")
    post.featured_image = ImageFactory(upload=picture, alt_text=alt)
    post.save()
    return post


def cards_of(html):
    return re.findall(r'<article class="post-card[^"]*">.*?</article>', html, re.S)


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def test_a_card_shows_the_image_excerpt_authors_date_and_reading_time(client):
    writer = UserFactory(display_name="Ann Lee")
    post = with_image(
        PostFactory(title="Barley", description="Sow it in spring.", authors=[writer])
    )

    (card,) = cards_of(client.get("/").text)

    (img,) = IMG.findall(card)
    assert 'alt="A field of barley at dawn"' in img
    assert 'width="1600" height="900"' in img  # the 16:9 crop around its focal point
    assert "640w" in img and "960w" in img and ".webp" in img
    assert 'type="image/avif"' in card
    assert f'sizes="{LEAD_IMAGE_SIZES}"' in img  # the home page's lead
    assert f'sizes="{CARD_IMAGE_SIZES}"' not in card
    assert ">Barley</a>" in card and "Sow it in spring." in card
    assert ">Ann Lee</a>" in card and f"{post.reading_time} min read" in card
    assert "<time datetime=" in card


def test_a_post_without_a_description_shows_its_excerpt(client):
    PostFactory(description="", body="Barley likes cool weather and well-drained soil.")

    (card,) = cards_of(client.get("/").text)

    assert '<p class="post-card__description">Barley likes cool weather' in card


def test_a_post_without_an_image_has_a_card_without_one(client):
    with_image(PostFactory(title="Pictured", publish_at=days_ago(2)))
    PostFactory(title="Plain", publish_at=days_ago(1))

    plain, pictured = cards_of(client.get("/").text)

    assert "<img" not in plain and 'class="post-card"' in plain
    assert "<img" in pictured and 'class="post-card post-card--image"' in pictured


def test_only_the_first_image_on_a_page_loads_at_once(client):
    topic = TopicFactory(slug="grains")
    for days in (4, 3, 2):
        with_image(PostFactory(topics=[topic], publish_at=days_ago(days)))
    PostFactory(topics=[topic], publish_at=days_ago(1))  # the newest, without an image

    images = IMG.findall(client.get("/topics/grains/").text)

    assert len(images) == 3
    assert 'fetchpriority="high"' in images[0] and 'loading="lazy"' not in images[0]
    assert all('loading="lazy"' in img and "fetchpriority" not in img for img in images[1:])
    assert all(f'sizes="{CARD_IMAGE_SIZES}"' in img for img in images)  # no lead on a topic


def test_the_home_page_leads_with_its_newest_post_on_its_first_page_only(client, settings):
    for days in range(settings.BYLINE_POSTS_PER_PAGE + 2, 0, -1):
        with_image(PostFactory(title=f"Post {days}", publish_at=days_ago(days)), size=(600, 400))

    first = client.get("/").text
    older = client.get("/?page=2").text

    assert '<div class="post-grid post-grid--lead">' in first
    assert cards_of(first)[0].count(">Post 1</a>") == 1
    assert f'sizes="{LEAD_IMAGE_SIZES}"' in IMG.findall(first)[0]
    assert LEAD_IMAGE_SIZES not in " ".join(IMG.findall(first)[1:])
    assert '<div class="post-grid">' in older and LEAD_IMAGE_SIZES not in older
    assert 'fetchpriority="high"' in IMG.findall(older)[0]


def sep(url):
    return "&" if "?" in url else "?"


def list_urls(post):
    month = post.publish_at
    return [
        "/",
        "/tags/barley/",
        "/topics/grains/",
        "/authors/writer/",
        f"/archive/{month.year}/",
        f"/archive/{month.year}/{month.month:02d}/",
        "/search/?q=barley",
    ]


def test_list_pages_run_the_same_queries_with_one_post_as_with_many_with_images(
    client, django_assert_num_queries
):
    topic, writer = TopicFactory(slug="grains"), UserFactory(slug="writer")

    def post(hours):
        return with_image(
            PostFactory(
                tags=["barley"],
                topics=[topic],
                authors=[writer],
                publish_at=timezone.now() - timedelta(hours=hours),
            ),
            size=(600, 400),
        )

    first = post(1)
    urls = list_urls(first)
    alone = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url + sep(url) + UNCACHED).status_code == 200
        alone[url] = len(queries)
        assert alone[url] <= 4, url

    for hours in range(2, 26):
        post(hours)

    for url in urls:
        with django_assert_num_queries(alone[url]):
            page = client.get(url + sep(url) + UNCACHED).text
        assert len(IMG.findall(page)) == 20, url  # a full page of cards, each with its image


def test_list_pages_read_stored_cards_not_the_image_columns(client):
    post = with_image(PostFactory(tags=["barley"], topics=[TopicFactory(slug="grains")]))

    for url in list_urls(post)[:3]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url + sep(url) + UNCACHED).status_code == 200
        sql = " ".join(q["sql"] for q in queries if "blog_post" in q["sql"])
        assert "card_html" in sql, url
        assert "featured_image" not in sql and '"body"' not in sql, url
