"""The public pages: what readers see, and what they must never see."""

from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post
from tests.factories import FullPostFactory, PostFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden_posts():
    """One post in every state the public must not see."""
    return [
        PostFactory(title="Hidden draft", status=Post.Status.DRAFT),
        PostFactory(title="Hidden in review", status=Post.Status.IN_REVIEW),
        PostFactory(title="Hidden archived", status=Post.Status.ARCHIVED),
        PostFactory(
            title="Hidden scheduled",
            status=Post.Status.PUBLISHED,
            publish_at=timezone.now() + timedelta(days=1),
        ),
    ]


def test_home_lists_published_posts_newest_first(client):
    older = PostFactory(title="Older post", publish_at=timezone.now() - timedelta(days=3))
    newer = PostFactory(title="Newer post", publish_at=timezone.now() - timedelta(days=1))

    response = client.get("/")

    assert response.status_code == 200
    assert [row.pk for row in response.context["posts"]] == [newer.pk, older.pk]
    assert response.content.decode().count("<h1") == 1


def test_home_never_lists_unpublished_posts(client, hidden_posts):
    PostFactory(title="Visible post")

    html = client.get("/").content.decode()

    assert "Visible post" in html
    assert "Hidden" not in html


def test_unpublished_posts_answer_404(client, hidden_posts):
    for post in hidden_posts:
        assert client.get(post.get_absolute_url()).status_code == 404


def test_home_is_paginated_with_page_links(client, settings):
    PostFactory.create_batch(25)

    first = client.get("/")
    second = client.get("/?page=2")

    assert len(first.context["posts"]) == 20
    assert 'href="?page=2" rel="next"' in first.content.decode()
    assert len(second.context["posts"]) == 5
    assert 'href="/" rel="prev"' in second.content.decode()
    assert client.get("/?page=3").status_code == 404


def test_post_page_shows_body_authors_in_order_tags_topics_faqs_and_references(client):
    lead = UserFactory(display_name="Maya Okafor", bio="Maya writes about bread.")
    second = UserFactory(display_name="Ade Bello")
    topic = TopicFactory(name="Cooking", slug="cooking")
    FullPostFactory(
        title="Bread at home",
        body="## Flour\n\nStart with strong flour.",
        authors=[second, lead],
        tags=["baking", "bread"],
        topics=[topic],
        faqs=[
            {"question": "Which flour?", "answer": "Strong white flour.", "order": 2},
            {"question": "How long to knead?", "answer": "Ten minutes.", "order": 1},
        ],
        references=[{"title": "The Bread Book", "publisher": "Crumb Press", "year": 2020}],
    )

    response = client.get("/posts/bread-at-home/")
    html = response.content.decode()

    assert response.status_code == 200
    assert '<h1 class="post__title">Bread at home</h1>' in html
    assert '<h2 id="flour">Flour</h2>' in html
    assert html.index("Ade Bello") < html.index("Maya Okafor")
    assert "Maya writes about bread." in html
    assert 'href="/tags/baking/"' in html and 'href="/topics/cooking/"' in html
    assert html.index("How long to knead?") < html.index("Which flour?")
    assert "Crumb Press (2020)" in html and "The Bread Book" in html


def test_post_page_has_title_description_and_canonical_link(client):
    post = PostFactory(title="Pruning roses", description="When and how to prune roses.")

    html = client.get(post.get_absolute_url()).content.decode()

    assert "<title>Pruning roses · " in html
    assert '<meta name="description" content="When and how to prune roses.">' in html
    assert '<link rel="canonical" href="http://testserver/posts/pruning-roses/">' in html


def test_canonical_override_is_used(client):
    post = PostFactory(canonical_url="https://original.example/post/")

    html = client.get(post.get_absolute_url()).content.decode()

    assert '<link rel="canonical" href="https://original.example/post/">' in html


def test_tag_topic_and_author_pages_list_only_their_published_posts(client):
    topic = TopicFactory(name="Money", slug="money")
    writer = UserFactory(display_name="Pat Lee", slug="pat-lee")
    PostFactory(title="Budget basics", tags=["budget"], topics=[topic], authors=[writer])
    PostFactory(title="Unrelated", tags=["other"])
    PostFactory(title="Draft budget", tags=["budget"], topics=[topic], authors=[writer],
                status=Post.Status.DRAFT)  # fmt: skip

    for url in ("/tags/budget/", "/topics/money/", "/authors/pat-lee/"):
        html = client.get(url).content.decode()
        assert "Budget basics" in html, url
        assert "Unrelated" not in html and "Draft budget" not in html, url


def test_author_without_published_posts_has_no_public_page(client):
    writer = UserFactory(slug="quiet-writer")
    PostFactory(authors=[writer], status=Post.Status.DRAFT)

    assert client.get("/authors/quiet-writer/").status_code == 404


def test_unknown_tag_topic_and_author_answer_404(client):
    for url in ("/tags/nope/", "/topics/nope/", "/authors/nope/"):
        assert client.get(url).status_code == 404


def _rich_post(extra, **kwargs):
    """A post whose tags, FAQs, references and co-authors grow with `extra`."""
    kwargs.setdefault("tags", [f"tag-{n}" for n in range(1 + extra)])
    return FullPostFactory(
        authors=UserFactory.create_batch(1 + extra),
        topics=TopicFactory.create_batch(1 + extra),
        faqs=1 + extra,
        references=1 + extra,
        **kwargs,
    )


# Uncached: what a process reads once per content generation (the go-live times; the menus
# and their items where each process has its own cache), then the page's own queries. Cached:
# none.
POST_PAGE_QUERIES = 5
LIST_PAGE_QUERIES = 7


@pytest.mark.parametrize("extra", [0, 6])
def test_post_page_runs_a_constant_number_of_queries(
    client, django_assert_max_num_queries, django_assert_num_queries, extra
):
    post = _rich_post(extra)
    for _ in range(extra):
        _rich_post(extra, tags=["tag-0"])  # candidates for related posts

    with django_assert_max_num_queries(POST_PAGE_QUERIES):
        assert client.get(post.get_absolute_url()).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(post.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("count", [1, 20])
def test_home_runs_a_constant_number_of_queries(
    client, django_assert_max_num_queries, django_assert_num_queries, count
):
    for _ in range(count):
        _rich_post(extra=2)

    with django_assert_max_num_queries(LIST_PAGE_QUERIES):
        assert client.get("/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("count", [1, 15])
def test_every_list_page_runs_a_constant_number_of_queries(
    client, django_assert_max_num_queries, django_assert_num_queries, count
):
    topic = TopicFactory(slug="t")
    writer = UserFactory(slug="w")
    year = timezone.now().year
    for _ in range(count):
        post = _rich_post(extra=2, publish_at=timezone.now() - timedelta(minutes=5))
        post.tags.add("shared")
        post.topics.add(topic)
        post.authors.add(writer, through_defaults={"order": 9})

    # Archives look up their months or days instead of counting the list.
    for url, queries in (
        ("/tags/shared/", LIST_PAGE_QUERIES),
        ("/topics/t/", LIST_PAGE_QUERIES),
        ("/authors/w/", LIST_PAGE_QUERIES),
        (f"/archive/{year}/", LIST_PAGE_QUERIES),
        (f"/archive/{year}/{timezone.now().month:02d}/", LIST_PAGE_QUERIES),
        ("/search/?q=post", LIST_PAGE_QUERIES),
    ):
        with django_assert_max_num_queries(queries):
            assert client.get(url).status_code == 200, url
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200, url


def test_tags_with_accented_or_non_latin_names_have_working_pages(client):
    PostFactory(title="Café culture", tags=["café", "日本語"])

    home = client.get("/").content.decode()

    assert client.get("/").status_code == 200
    assert client.get("/tags/café/").status_code == 200
    assert client.get("/tags/日本語/").status_code == 200
    assert 'href="/tags/caf' in home


def test_a_tag_used_only_on_drafts_stays_unknown_to_the_public(client):
    PostFactory(tags=["secret-merger"], status=Post.Status.DRAFT)

    assert client.get("/tags/secret-merger/").status_code == 404
    assert client.get("/tags/secret-merger/feed/").status_code == 404


@pytest.mark.parametrize("path", ["/", "/tags/bread/", "/search/?q=bread", "/archive/2020/"])
def test_a_page_number_past_any_site_is_a_404_not_a_database_error(client, path):
    PostFactory(title="Bread", tags=["bread"])
    separator = "&" if "?" in path else "?"

    assert client.get(f"{path}{separator}page={'9' * 20}").status_code == 404
