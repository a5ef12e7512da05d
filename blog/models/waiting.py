"""Imported "Related:" links that name a post not there yet."""

from django.db import models


def title_key(title):
    """A title as links and posts are matched by it: case left out."""
    return title.strip().casefold()[:300]


class WaitingRelatedLink(models.Model):
    """A "Related:" link in an imported post that names, by its title, a post the site does
    not have yet. It renders as plain text until an import brings a post of that title, which
    points the link at it and renders the linking post again (blog/importers/saving.py)."""

    post = models.ForeignKey(
        "blog.Post", on_delete=models.CASCADE, related_name="waiting_related_links"
    )
    title = models.CharField(max_length=300)
    title_key = models.CharField(max_length=300, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "title_key"], name="waiting_link_once")
        ]

    def __str__(self):
        return f"{self.title} (in {self.post_id})"
