"""The statements run on every post page and every search are prepared on PostgreSQL
(connection.prepared_cursor(), config/postgresql/base.py): prepared once per connection, again
on a new connection, and unharmed by rolled-back transactions."""

import pytest
from django.db import connection, transaction

from blog.models import Post
from blog.models.cards import SearchCards
from tests.factories import PostFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's PREPARE"),
]

# What only each statement's text has.
STATEMENTS = {"post page": '"blog_post"."slug" = $', "search": "websearch_to_tsquery"}


def prepared_at(statement):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT prepare_time FROM pg_prepared_statements WHERE strpos(statement, %s) > 0",
            [STATEMENTS[statement]],
        )
        rows = cursor.fetchall()
    assert len(rows) <= 1, rows
    return rows[0][0] if rows else None


def page(client, statement, post, number):
    """The page that runs `statement`, rendered (a query string the cache does not keep)."""
    if statement == "search":
        return client.get("/search/", {"q": "altitude", "x": number}).content.decode()
    return client.get(f"{post.get_absolute_url()}?x={number}").content.decode()


@pytest.mark.parametrize("statement", STATEMENTS)
def test_the_statement_is_prepared_once_per_connection(client, statement):
    post = PostFactory(title="Bread at altitude")
    connection.close()

    assert "Bread at altitude" in page(client, statement, post, 1)
    first = prepared_at(statement)
    assert first is not None
    assert "Bread at altitude" in page(client, statement, post, 2)
    assert prepared_at(statement) == first

    connection.close()  # a new connection (a restart, a failover) has no prepared statement
    assert "Bread at altitude" in page(client, statement, post, 3)
    assert prepared_at(statement) is not None


def test_a_rolled_back_transaction_leaves_the_statements_usable():
    post = PostFactory(title="Sourdough starters")
    connection.close()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert Post.objects.published_post_page(post.slug).title == "Sourdough starters"
        assert [row.pk for row in SearchCards("sourdough")[0:20]] == [post.pk]
        raise RuntimeError("rolled back")

    assert Post.objects.published_post_page(post.slug).title == "Sourdough starters"
    assert [row.pk for row in SearchCards("sourdough")[0:20]] == [post.pk]
    assert Post.objects.published_post_page("no-such-post") is None
