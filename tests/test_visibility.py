"""Drafts, posts in review, archived posts and scheduled posts never reach the public."""

from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post
from tests.factories import FAQFactory, PostFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

HIDDEN_STATES = [
    {"status": Post.Status.DRAFT},
    {"status": Post.Status.IN_REVIEW},
    {"status": Post.Status.ARCHIVED},
    {"status": Post.Status.PUBLISHED, "publish_at": timezone.now() + timedelta(days=1)},
]


@pytest.fixture
def site():
    """One visible post, and one hidden post in each state sharing all its tags, topic,
    author and words, so any leak would show on the same pages."""
    writer = UserFactory(slug="writer")
    topic = TopicFactory(slug="garden")
    visible = PostFactory(
        title="Visible marrow guide",
        body="Marrow growing.",
        authors=[writer],
        tags=["marrow"],
        topics=[topic],
        publish_at=timezone.now() - timedelta(hours=2),
    )
    hidden = []
    for number, state in enumerate(HIDDEN_STATES):
        post = PostFactory(
            title=f"Secretmarrow {state['status']} {number}",
            body="Marrow growing, secretmarrow.",
            authors=[writer],
            tags=["marrow"],
            topics=[topic],
            **{"publish_at": timezone.now() - timedelta(hours=1), **state},
        )
        FAQFactory(post=post, question="Secretmarrow question?")
        hidden.append(post)
    return visible, hidden


def public_urls(visible):
    now = timezone.now()
    return [
        "/",
        visible.get_absolute_url(),
        "/tags/marrow/",
        "/topics/garden/",
        "/authors/writer/",
        f"/archive/{now.year}/",
        f"/archive/{now.year}/{now.month:02d}/",
        "/search/?q=marrow",
        "/search/?q=secretmarrow",
        "/feed/",
        "/feed/atom/",
        "/tags/marrow/feed/",
        "/topics/garden/feed/atom/",
        "/authors/writer/feed/",
        "/sitemap.xml",
    ]


def test_no_public_page_feed_or_sitemap_shows_an_unpublished_post(client, site):
    visible, hidden = site

    for url in public_urls(visible):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "Secretmarrow" not in body, url
        for post in hidden:
            assert post.slug not in body, (url, post.slug)


def test_counts_and_related_lists_ignore_unpublished_posts(client, site):
    visible, hidden = site

    search = client.get("/search/?q=marrow")
    post_page = client.get(visible.get_absolute_url())

    assert search.context["paginator"].count == 1
    assert "1 post found" in search.content.decode()
    assert list(post_page.context["related_posts"]) == []


def test_unpublished_posts_have_no_page(client, site):
    _, hidden = site

    for post in hidden:
        assert client.get(post.get_absolute_url()).status_code == 404
