"""update_rows(): the columns of many rows written in one statement, as bulk_update() would."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from blog.models import FAQ, Post
from blog.rows import update_rows
from tests.factories import FAQFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values_in_one_query_and_nothing_else_changes():
    posts = PostFactory.create_batch(3, title="Kept")
    for number, post in enumerate(posts):
        post.import_checksum = f"sum-{number}"
        post.stored_tags = [{"name": f"tag {number}", "slug": f"tag-{number}"}]
        post.title = "Not written"

    with CaptureQueriesContext(connection) as queries:
        update_rows(reversed(posts), ["import_checksum", "stored_tags"])

    assert len(queries) == 1
    stored = Post.objects.order_by("pk").values_list("import_checksum", "stored_tags", "title")
    assert list(stored) == [
        (f"sum-{number}", [{"name": f"tag {number}", "slug": f"tag-{number}"}], "Kept")
        for number in range(3)
    ]


def test_other_models_and_an_empty_list_work_too():
    faq = FAQFactory(answer_html="<p>old</p>")
    faq.answer_html = "<p>new</p>"

    update_rows([faq], ["answer_html"])
    update_rows([], ["answer_html"])

    assert FAQ.objects.get().answer_html == "<p>new</p>"


@pytest.mark.parametrize("field", ["id", "topics", "faqs"])
def test_only_a_rows_own_columns_can_be_written(field):
    with pytest.raises(ValueError, match="a row.s own columns"):
        update_rows([PostFactory()], [field])


def test_an_expression_is_refused_and_nothing_is_written():
    post = PostFactory(import_checksum="before")
    post.import_checksum = F("title")

    with pytest.raises(ValueError, match="values, not expressions"):
        update_rows([post], ["import_checksum"])

    assert Post.objects.get().import_checksum == "before"
