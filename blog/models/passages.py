"""A post's body in passages, for search results' snippets (PostgreSQL only).

A result shows the words that matched where they stand in its body. Reading the whole body
for that (tens of kilobytes, compressed out of line) was a third of what PostgreSQL spent on a
search, and turning it into text most of what Python did with the rows. So the body's text is
also kept in passages of whole blocks (search.passages()), each with its words (a full-text
vector without positions): a search reads, per result, the first passage that holds one of
its words, along the (post, number) key, and makes the snippet from that passage alone.

Passages are derived from the rendered body, like the search vector, and written with it in
one place (write_passages(), which content.write_search_vectors() calls for every save or
batch of saves); they are not backed up, and rebuilt on restore. SQLite has no full-text
search, so it gets none: its search reads the body (see SearchCards).
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models

from blog.search import passages


class Passage(models.Model):
    # Keyed by post and number: the order a search reads a post's passages in.
    pk = models.CompositePrimaryKey("post", "number")
    # The key leads with the post: it is the index a post's passages are found by.
    post = models.ForeignKey(
        "blog.Post", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    number = models.PositiveIntegerField()  # from 0, in the body's order
    text = models.TextField()
    last = models.BooleanField()  # the body's text ends with this passage
    vector = SearchVectorField()  # its words, stemmed, without positions

    def __str__(self):
        return f"{self.post_id} #{self.number}"


# One statement for a batch's passages, whatever their number: the vectors are made by
# PostgreSQL with the search configuration (blog.models.post.SEARCH_CONFIG).
INSERT_SQL = """
INSERT INTO {table} (post_id, number, text, last, vector)
SELECT post_id, number, text, last, strip(to_tsvector(%s::regconfig, text))
FROM unnest(%s::bigint[], %s::integer[], %s::text[], %s::boolean[])
    AS passage (post_id, number, text, last)
"""


def write_passages(bodies):
    """Store the passages of each (post id, rendered body) in `bodies`, in place of the ones
    those posts had (PostgreSQL only)."""
    from blog.models.post import SEARCH_CONFIG

    if connection.vendor != "postgresql" or not bodies:
        return
    table = Passage._meta.db_table
    columns = ([], [], [], [])
    for pk, body_html in bodies:
        texts = passages(body_html)
        for number, text in enumerate(texts):
            for column, value in zip(
                columns, (pk, number, text, number == len(texts) - 1), strict=True
            ):
                column.append(value)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE post_id = ANY(%s)", [[pk for pk, _ in bodies]])
        if columns[0]:
            cursor.execute(INSERT_SQL.format(table=table), [SEARCH_CONFIG, *columns])
