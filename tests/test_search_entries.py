"""Search entries (blog/models/search_entries.py): search finds and ranks posts in a narrow
table of its own, whose copy of each post's status, kind and publish time the database keeps,
whatever writes the post."""

from datetime import timedelta

import pytest
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from blog.models import Post, SearchEntry
from blog.models.cards import SearchCards
from blog.workflow import Kind, Status
from tests.factories import PostFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="search entries are PostgreSQL's"),
]

BEFORE_ENTRIES = ("blog", "0032_passage")


def found(query):
    """The titles search gives for `query`, uncached."""
    pks = [row.pk for row in SearchCards(query)[0:20]]
    titles = dict(Post.objects.filter(pk__in=pks).values_list("pk", "title"))
    return [titles[pk] for pk in pks]


def entries():
    return set(SearchEntry.objects.values_list("post_id", "status", "kind", "publish_at"))


def posts():
    return set(Post.objects.values_list("pk", "status", "kind", "publish_at"))


def test_every_post_has_an_entry_with_its_status_kind_and_publish_time_however_written():
    PostFactory(title="Saved")
    Post.objects.bulk_create([Post(title="Bulk", slug="bulk", body="Text.")])
    assert entries() == posts() and len(posts()) == 2

    Post.objects.filter(title="Bulk").update(status=Status.PUBLISHED)
    Post.objects.filter(title="Saved").update(publish_at=timezone.now() + timedelta(days=2))
    Post.objects.filter(title="Saved").update(kind=Kind.PAGE)
    with connection.cursor() as cursor:  # even behind the ORM's back
        cursor.execute("UPDATE blog_post SET status = 'archived' WHERE slug = 'bulk'")

    assert entries() == posts()


def test_a_post_unpublished_without_a_save_leaves_search_at_once():
    post = PostFactory(title="Compost tea")
    assert found("compost") == ["Compost tea"]

    Post.objects.filter(pk=post.pk).update(status=Status.DRAFT)
    assert found("compost") == []

    Post.objects.filter(pk=post.pk).update(status=Status.PUBLISHED)
    assert found("compost") == ["Compost tea"]


def test_a_post_moved_to_the_future_or_made_a_page_is_not_found():
    post = PostFactory(title="Compost tea")

    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() + timedelta(hours=1))
    assert found("compost") == []

    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now(), kind=Kind.PAGE)
    assert found("compost") == []


def test_an_entry_goes_with_its_post():
    post = PostFactory(title="Compost tea")
    post.delete()

    assert not SearchEntry.objects.exists()


def test_a_save_writes_the_entry_its_search_text():
    post = PostFactory(title="Compost tea")
    post.title = "Leaf mould"
    post.save()

    assert found("leaf") == ["Leaf mould"] and found("compost") == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_each_post_s_search_text_into_its_entry_and_back():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_ENTRIES])
    OldPost = executor.loader.project_state([BEFORE_ENTRIES]).apps.get_model("blog", "Post")
    OldPost.objects.create(
        title="Rhubarb",
        slug="rhubarb",
        body="Rhubarb grows fast.",
        status="published",
        publish_at=timezone.now() - timedelta(days=1),
    )
    OldPost.objects.update(search_vector=SearchVector("title", weight="A", config="english"))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert found("rhubarb") == ["Rhubarb"]
    assert entries() == posts()

    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_ENTRIES])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM blog_post WHERE search_rank_vector @@ 'rhubarb'")
        assert cursor.fetchone() == (1,)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert found("rhubarb") == ["Rhubarb"]
