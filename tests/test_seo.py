"""What search engines and social networks read on every page."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import FullPostFactory, PostFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return {data["@type"]: data for data in map(json.loads, blocks)}


def meta(html, key):
    match = re.search(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)"', html)
    return match and match[1]


@pytest.fixture
def post():
    maya = UserFactory(display_name="Maya Okafor", slug="maya", website="https://maya.example")
    ade = UserFactory(display_name="Ade Bello", slug="ade")
    return FullPostFactory(
        title="Bread at home",
        description="How to bake bread at home.",
        authors=[maya, ade],
        tags=["bread", "baking"],
        topics=[TopicFactory(name="Cooking", slug="cooking")],
        faqs=[
            {"question": "Which flour?", "answer": "Strong **white** flour."},
            {"question": "How long?", "answer": "Ten minutes."},
        ],
        references=[],
    )


@pytest.fixture
def pages(post):
    year = timezone.now().year
    return [
        "/",
        post.get_absolute_url(),
        "/tags/bread/",
        "/topics/cooking/",
        "/authors/maya/",
        f"/archive/{year}/",
        "/search/?q=bread",
        "/search/",
        "/posts/missing/",
    ]


def test_every_page_has_one_h1_a_title_a_description_and_landmarks(client, pages):
    for url in pages:
        html = client.get(url).content.decode()
        assert html.count("<h1") == 1, url
        assert re.search(r"<title>[^<]+</title>", html), url
        assert meta(html, "description"), url
        assert '<main id="content"' in html and "<header" in html and "<footer" in html, url
        assert 'class="skip-link" href="#content"' in html, url


def test_every_listing_page_has_canonical_open_graph_and_feed_links(client, pages):
    for url in pages[:-1]:
        html = client.get(url).content.decode()
        assert '<link rel="canonical" href="http://testserver/' in html, url
        assert meta(html, "og:title") and meta(html, "og:type") and meta(html, "twitter:card"), url
        assert 'rel="alternate" type="application/rss+xml"' in html, url
        assert 'rel="alternate" type="application/atom+xml"' in html, url


def test_scoped_pages_link_to_their_own_feeds(client, post):
    assert 'href="/tags/bread/feed/"' in client.get("/tags/bread/").content.decode()
    assert 'href="/topics/cooking/feed/atom/"' in client.get("/topics/cooking/").content.decode()
    assert 'href="/authors/maya/feed/"' in client.get("/authors/maya/").content.decode()


def test_post_page_blog_posting_json_ld(client, post):
    html = client.get(post.get_absolute_url()).content.decode()
    data = json_ld(html)["BlogPosting"]

    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "Bread at home"
    assert data["description"] == "How to bake bread at home."
    assert data["url"] == "http://testserver/posts/bread-at-home/"
    assert data["datePublished"] == post.publish_at.isoformat()
    assert data["dateModified"] == post.updated_at.isoformat()
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Maya Okafor",
            "url": "http://testserver/authors/maya/",
            "sameAs": ["https://maya.example"],
        },
        {"@type": "Person", "name": "Ade Bello", "url": "http://testserver/authors/ade/"},
    ]
    assert data["keywords"] == ["baking", "bread"]
    assert data["publisher"]["name"] == "The Byline Review"


def test_post_page_faq_page_json_ld_has_every_question_and_answer(client, post):
    data = json_ld(client.get(post.get_absolute_url()).content.decode())["FAQPage"]

    assert [(q["name"], q["acceptedAnswer"]["text"]) for q in data["mainEntity"]] == [
        ("Which flour?", "Strong white flour."),
        ("How long?", "Ten minutes."),
    ]


def test_post_without_faqs_has_no_faq_page(client):
    post = PostFactory()

    assert "FAQPage" not in json_ld(client.get(post.get_absolute_url()).content.decode())


def test_breadcrumbs_as_json_ld_and_as_navigation(client, post):
    html = client.get(post.get_absolute_url()).content.decode()
    crumbs = json_ld(html)["BreadcrumbList"]["itemListElement"]

    assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
        (1, "Home", "http://testserver/"),
        (2, "Cooking", "http://testserver/topics/cooking/"),
        (3, "Bread at home", "http://testserver/posts/bread-at-home/"),
    ]
    assert '<nav class="breadcrumbs" aria-label="Breadcrumb">' in html


def test_post_page_open_graph_article_meta(client, post):
    html = client.get(post.get_absolute_url()).content.decode()

    assert meta(html, "og:type") == "article"
    assert meta(html, "og:title") == "Bread at home"
    assert meta(html, "og:url") == "http://testserver/posts/bread-at-home/"
    assert meta(html, "article:published_time") == post.publish_at.isoformat()
    assert meta(html, "twitter:card") == "summary"


def test_json_ld_cannot_be_broken_out_of(client):
    post = PostFactory(title="</script><script>alert(1)</script>", description="a & b")

    html = client.get(post.get_absolute_url()).content.decode()

    assert "<script>alert(1)" not in html
    assert json_ld(html)["BlogPosting"]["headline"] == "</script><script>alert(1)</script>"


def test_canonical_override_and_noindex(client):
    post = PostFactory(canonical_url="https://first.example/original/", noindex=True)

    html = client.get(post.get_absolute_url()).content.decode()

    assert '<link rel="canonical" href="https://first.example/original/">' in html
    assert '<meta name="robots" content="noindex">' in html
    assert post.slug not in client.get("/sitemap.xml").content.decode()


def test_search_results_are_not_indexed(client, post):
    assert '<meta name="robots" content="noindex">' in client.get("/search/?q=x").content.decode()


def test_paginated_lists_link_prev_and_next_in_the_head(client):
    PostFactory.create_batch(45, publish_at=timezone.now() - timedelta(hours=1))

    html = client.get("/?page=2").content.decode()

    assert '<link rel="prev" href="/">' in html
    assert '<link rel="next" href="?page=3">' in html
    assert '<link rel="canonical" href="http://testserver/?page=2">' in html


def test_long_posts_get_a_table_of_contents_and_short_ones_do_not(client):
    sections = "".join(f"## Part {n}\n\n" + "word " * 150 + "\n\n" for n in range(4))
    long_post = PostFactory(body=sections)
    short_post = PostFactory(body="## One\n\nShort.\n\n## Two\n\nShort.\n\n## Three\n\nShort.")

    long_html = client.get(long_post.get_absolute_url()).content.decode()

    # Twice: folded in a <details> for phones, open for wider screens (the stylesheet shows one).
    assert '<nav class="toc toc--open"' in long_html
    assert '<details class="toc__details">' in long_html
    assert long_html.count('<a href="#part-2">Part 2</a>') == 2
    assert '<nav class="toc' not in client.get(short_post.get_absolute_url()).content.decode()


def test_home_page_declares_the_website_and_its_search(client, post):
    data = json_ld(client.get("/").content.decode())["WebSite"]

    assert data["potentialAction"]["target"] == "http://testserver/search/?q={search_term}"
