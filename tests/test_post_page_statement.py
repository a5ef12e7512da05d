"""The post page's one query is a prepared statement on PostgreSQL (blog/models/compiled.py):
prepared once per connection, again on a new connection, and unharmed by rolled-back
transactions."""

import pytest
from django.db import connection, transaction

from blog.models import Post
from blog.models.compiled import STATEMENT
from tests.factories import PostFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's PREPARE"),
]


def prepared_at():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT prepare_time FROM pg_prepared_statements WHERE name = %s", [STATEMENT]
        )
        row = cursor.fetchone()
    return row and row[0]


def test_the_post_page_statement_is_prepared_once_per_connection(client):
    post = PostFactory(title="Bread at altitude")
    connection.close()

    assert "Bread at altitude" in client.get(post.get_absolute_url() + "?x=1").content.decode()
    first = prepared_at()
    assert first is not None
    assert "Bread at altitude" in client.get(post.get_absolute_url() + "?x=2").content.decode()
    assert prepared_at() == first

    connection.close()  # a new connection (a restart, a failover) has no prepared statement
    assert "Bread at altitude" in client.get(post.get_absolute_url() + "?x=3").content.decode()
    assert prepared_at() is not None


def test_a_rolled_back_transaction_leaves_the_statement_usable():
    post = PostFactory(title="Sourdough starters")
    connection.close()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert Post.objects.published_post_page(post.slug).title == "Sourdough starters"
        raise RuntimeError("rolled back")
    assert Post.objects.published_post_page(post.slug).title == "Sourdough starters"
    assert Post.objects.published_post_page("no-such-post") is None
