"""What search reads of each post, in a narrow table of its own (PostgreSQL only).

A search tests up to a few hundred posts against its words and ranks them (see
search.newest_matching_sql). In the posts table each of those is a wide row (body, rendered
HTML, stored blocks: about one row to a page at 10,000 posts), so each candidate cost a page of
its own. A search entry holds only what finding and ranking candidates read: the post's full-text
vector (its title, description and tags part `search_rank_vector`, a column PostgreSQL keeps,
not a model field) and what says whether readers may see the post: its status, kind and publish
time, about twenty entries to a page. At 10,000 posts PostgreSQL's CPU per search fell from 2.8
to 1.9 ms (40 words, prepared, one at a time).

The status, kind and publish time are copies of the post's, kept by the database itself: a
trigger on the posts table (migration 0033) writes them when a post is inserted or one of them
changes, in the same statement, so no write path (a save, a bulk update, a restore, raw SQL)
can leave search showing a post readers may not see, or hiding one they may. The vector is
written with the passages by content.write_search_vectors(), the one way search text is
written. Entries are not backed up: a restore makes them again. SQLite has no full-text search,
and keeps no entries.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchEntry(models.Model):
    post = models.OneToOneField(
        "blog.Post", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    status = models.CharField(max_length=16)
    kind = models.CharField(max_length=8)
    publish_at = models.DateTimeField()
    # Title A; description and tags B; body and FAQs C (see Post.search_document_of).
    search_vector = SearchVectorField(null=True)

    class Meta:
        verbose_name_plural = "search entries"
        indexes = [
            # Public posts by publish time, as search cuts them into slices and walks them.
            models.Index(fields=["status", "-publish_at"], name="search_entry_visible_idx"),
        ]

    def __str__(self):
        return f"search entry of post {self.post_id}"
