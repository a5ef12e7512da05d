"""Lists show each post's stored card, rendered when the post changed; a card stored by other
templates is never shown: the page renders it from the post until the cards are stored again."""

import pytest

from blog.cards import card_version
from blog.models import Post
from tests.factories import FullPostFactory, UserFactory
from tests.helpers import command

pytestmark = pytest.mark.django_db

UNCACHED = "?uncached=1"


def test_a_list_shows_the_card_stored_when_the_post_was_saved(client):
    ann = UserFactory(username="ann", display_name="Ann Lee")
    post = FullPostFactory(title="Rye bread", authors=[ann], tags=["baking"], description="Sour")
    post.refresh_from_db()

    html = client.get("/" + UNCACHED).content.decode()

    assert post.card_version == card_version()
    assert post.card_html.strip() in html
    assert ">Rye bread</a>" in html and ">Ann Lee</a>" in html and ">baking</a>" in html


def test_a_card_from_other_templates_is_rendered_from_its_post_until_stored_again(
    client, django_assert_num_queries
):
    post = FullPostFactory(title="Rye bread")
    Post.objects.filter(pk=post.pk).update(card_html="<p>Old card</p>", card_version="0ld")

    with django_assert_num_queries(2):  # the page of cards, then the stale one's post
        html = client.get("/" + UNCACHED).content.decode()
    out = command("rebuild_stored_blocks")
    post.refresh_from_db()

    assert "Old card" not in html and ">Rye bread</a>" in html
    assert "rebuilt for 1 posts" in out
    assert post.card_version == card_version() and ">Rye bread</a>" in post.card_html


def test_a_site_overriding_the_card_template_sees_its_own_cards(client, settings, tmp_path):
    FullPostFactory(title="Rye bread")
    (tmp_path / "includes").mkdir()
    (tmp_path / "includes" / "post_card.html").write_text(
        '<div class="my-card">{{ post.title }}</div>'
    )
    before = card_version()
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]

    html = client.get("/" + UNCACHED).content.decode()

    assert card_version() != before
    assert '<div class="my-card">Rye bread</div>' in html
