"""A post without a description is summed up by the start of its text, kept when it is saved."""

import html
import re

import feedparser
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from blog.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

BODY = "Rhubarb **grows** fast and [tall](https://example.org/). " * 20
TEXT = "Rhubarb grows fast and tall. " * 20  # the body as readers read it

BEFORE_EXCERPTS = ("blog", "0008_table_alignment_classes")


def feed_summary(client, url="/feed/"):
    [entry] = feedparser.parse(client.get(url).content).entries
    return entry.summary


def meta_description(client, post):
    page = client.get(post.get_absolute_url()).content.decode()
    return html.unescape(re.search(r'<meta name="description" content="([^"]*)"', page)[1])


def test_feeds_sum_up_a_post_without_description_by_the_start_of_its_text(client):
    PostFactory(description="", body=BODY, tags=["rhubarb"])

    assert feed_summary(client) == TEXT[:300]
    assert feed_summary(client, "/tags/rhubarb/feed/atom/") == TEXT[:300]


def test_a_post_without_description_is_described_by_the_start_of_its_text(client):
    post = PostFactory(description="", body=BODY)

    assert meta_description(client, post) == TEXT[:160]


def test_a_description_when_there_is_one(client):
    post = PostFactory(description="Rhubarb in one sentence.", body=BODY)

    assert feed_summary(client) == "Rhubarb in one sentence."
    assert meta_description(client, post) == "Rhubarb in one sentence."


def test_the_excerpt_is_stored_on_save_and_follows_edits(client):
    post = PostFactory(description="", body=BODY)
    assert Post.objects.values_list("excerpt", flat=True).get() == TEXT[:300]

    post.body = "Kale is *hardier*."
    post.save()
    assert Post.objects.values_list("excerpt", flat=True).get() == "Kale is hardier."
    assert feed_summary(client) == "Kale is hardier."

    post.body = "Chard, then."
    post.save(update_fields=["body"])
    assert Post.objects.values_list("excerpt", flat=True).get() == "Chard, then."


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_posts_saved_before_it_their_excerpt(client):
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_EXCERPTS])
    OldPost = executor.loader.project_state([BEFORE_EXCERPTS]).apps.get_model("blog", "Post")
    OldPost.objects.create(
        title="Rhubarb",
        slug="rhubarb",
        body=BODY,
        body_html="<p>Rhubarb <strong>grows</strong> fast &amp; tall.</p>\n<h2>Later</h2>",
        status="published",
        publish_at=timezone.now(),
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Post.objects.get(slug="rhubarb").excerpt == "Rhubarb grows fast & tall. Later"
    assert feed_summary(client) == "Rhubarb grows fast &amp; tall. Later"
