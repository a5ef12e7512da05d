"""Public pages load the columns they show: not a post's Markdown source or its search text,
which are the largest a post has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import FullPostFactory

pytestmark = pytest.mark.django_db

# The Markdown source, and the table of search text (blog/models/search_entries.py).
UNSHOWN = ['"blog_post"."body",', "blog_searchentry"]


def post_columns_read(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return " ".join(query["sql"] for query in queries)


@pytest.mark.parametrize("url", ["post", "/feed/", "/feed/atom/", "/", "/tags/soil/"])
def test_pages_do_not_load_the_markdown_source_or_the_search_text(client, url):
    post = FullPostFactory(tags=["soil"])
    sql = post_columns_read(client, post.get_absolute_url() if url == "post" else url)

    assert 'FROM "blog_post"' in sql
    for column in UNSHOWN:
        assert column not in sql
