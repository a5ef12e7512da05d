"""A post's body in passages, for search results' snippets (PostgreSQL only).

A result shows the words that matched where they stand in its body. Reading the whole body
for that (tens of kilobytes, compressed out of line) was a quarter of what PostgreSQL spent on a
search, and turning it into text most of what Python did with the rows. So the body's text is
also kept in passages of whole blocks (search.passages()): a search reads, per result, the
first passage where a word starts as one of its words does (search.passage_pattern(), the
words the snippet marks; a passage is tested in 2 µs), along the (post, number) key, and makes
the snippet from that passage alone. A full-text vector per passage tests faster, but making
them cost PostgreSQL 0.6 ms an imported file (3.4 ms against 2.8), and the words they find by
stem are not always those the snippet marks.

Passages are derived from the rendered body, like the search vector, and written with it in
one place (write_passages(), which content.write_search_vectors() calls for every save or
batch of saves); they are not backed up, and rebuilt on restore. SQLite has no full-text
search, so it gets none: its search reads the body (see SearchCards).
"""

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

    def __str__(self):
        return f"{self.post_id} #{self.number}"


# A batch's passages in one statement, as columns: building a model instance per passage
# cost more than the rest of writing it (an import writes a dozen a post).
INSERT_SQL = """
INSERT INTO {table} (post_id, number, text, last)
SELECT * FROM unnest(%s::bigint[], %s::integer[], %s::text[], %s::boolean[])
"""


def write_passages(bodies):
    """Store the passages of each (post id, rendered body) in `bodies`, in place of the ones
    those posts had (PostgreSQL only): two statements for a batch of posts."""
    if connection.vendor != "postgresql" or not bodies:
        return
    posts, numbers, texts, lasts = [], [], [], []
    for pk, body_html in bodies:
        found = passages(body_html)
        posts += [pk] * len(found)
        numbers += range(len(found))
        texts += found
        lasts += [False] * (len(found) - 1) + [True] * bool(found)
    table = Passage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE post_id = ANY(%s)", [[pk for pk, _ in bodies]])
        if posts:
            cursor.execute(INSERT_SQL.format(table=table), [posts, numbers, texts, lasts])
