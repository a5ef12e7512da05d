"""Standalone pages (About, Contact, Privacy): posts of another kind, at /<slug>/.

A page is a row of Post with kind "page", so it has the workflow, revisions, previews,
permissions and edit-conflict protection of a post, written through the same path; `Page` is
that row as the admin's Pages section sees it. Its address is the site's first level, so a
page's slug may be no first segment of the site's own URLs (blog/slugs.py: reserved_slugs).
"""

from django.db import models

from blog.models.post import Post, PostQuerySet
from blog.workflow import Kind


class PageManager(models.Manager.from_queryset(PostQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(kind=Kind.PAGE)


class Page(Post):
    """A standalone page, as the admin's Pages section shows it (the same row as a post)."""

    objects = PageManager()

    class Meta:
        proxy = True
        ordering = ["title", "pk"]
        # Pages are written under the posts' permissions (the roles hold those).
        default_permissions = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not args:  # made here, not loaded (a row loaded comes as positional values)
            self.kind = Kind.PAGE
