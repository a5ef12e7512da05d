"""Lists show each post's stored card, and a post page its stored top and end, rendered when the
post changed; fragments stored by other templates are never shown: pages render them from the
post until they are stored again."""

import pytest

from blog.content_version import content_version
from blog.fragments import fragments_version, refresh_stale
from blog.menus import site_menus
from blog.models import Post
from tests.factories import FAQFactory, FullPostFactory, UserFactory
from tests.helpers import command

pytestmark = pytest.mark.django_db

UNCACHED = "?uncached=1"
OLD = {
    "card_html": "<p>Old card</p>",
    "header_html": "<p>Old header</p>",
    "footer_html": "<p>Old footer</p>",
    "fragments_version": "0ld",
}


def test_pages_show_the_fragments_stored_when_the_post_was_saved(client):
    ann = UserFactory(username="ann", display_name="Ann Lee")
    post = FullPostFactory(title="Rye bread", authors=[ann], tags=["baking"], description="Sour")
    FAQFactory(post=post, question="Why rye?")
    post.refresh_from_db()

    home = client.get("/" + UNCACHED).content.decode()
    page = client.get(post.get_absolute_url() + UNCACHED).content.decode()

    assert post.fragments_version == fragments_version()
    assert post.card_html.strip() in home
    assert ">Rye bread</a>" in home and ">Ann Lee</a>" in home and ">baking</a>" in home
    assert post.header_html.strip() in page and post.footer_html.strip() in page
    assert '<h1 class="post__title">Rye bread</h1>' in page and "Why rye?" in page


def test_fragments_from_other_templates_are_rendered_from_the_post_until_stored_again(
    client, django_assert_num_queries
):
    post = FullPostFactory(title="Rye bread")
    FAQFactory(post=post, question="Why rye?")
    Post.objects.filter(pk=post.pk).update(**OLD)
    content_version(), site_menus()  # read once per process and content generation, by any page

    with django_assert_num_queries(2):  # the page of cards, then the stale one's post
        home = client.get("/" + UNCACHED).content.decode()
    with django_assert_num_queries(2):  # as always: the post, its related posts
        page = client.get(post.get_absolute_url() + UNCACHED).content.decode()
    out = command("rebuild_stored_blocks")
    post.refresh_from_db()

    assert "Old card" not in home and ">Rye bread</a>" in home
    assert "Old header" not in page and "Old footer" not in page
    assert '<h1 class="post__title">Rye bread</h1>' in page and "Why rye?" in page
    assert "rebuilt for 1 posts" in out
    assert post.fragments_version == fragments_version() and ">Rye bread</a>" in post.card_html


def test_a_site_overriding_a_fragment_template_sees_its_own(client, settings, tmp_path):
    post = FullPostFactory(title="Rye bread")
    (tmp_path / "includes").mkdir()
    (tmp_path / "includes" / "post_card.html").write_text(
        '<div class="my-card">{{ post.title }}</div>'
    )
    (tmp_path / "includes" / "post_header.html").write_text("<h1>My {{ post.title }}</h1>")
    before = fragments_version()
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]

    home = client.get("/" + UNCACHED).content.decode()
    page = client.get(post.get_absolute_url() + UNCACHED).content.decode()

    assert fragments_version() != before
    assert '<div class="my-card">Rye bread</div>' in home
    assert "<h1>My Rye bread</h1>" in page


def test_a_worker_stores_again_the_fragments_made_with_other_templates():
    post = FullPostFactory()
    Post.objects.filter(pk=post.pk).update(fragments_version="from-before", card_html="old")

    assert refresh_stale() == 1

    post.refresh_from_db()
    assert post.fragments_version == fragments_version()
    assert post.card_html != "old" and post.title in post.card_html
    assert refresh_stale() == 0
