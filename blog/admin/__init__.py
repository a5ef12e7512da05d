"""The admin: posts (workflow, revisions, previews, imports), standalone pages, topics and
tags, the site's menus, records of old addresses and state changes, sponsored content and its
click report. Importing each module registers its models."""

from blog.admin import (
    golive,
    images,
    menus,
    pages,
    posts,
    records,
    redirects,
    reports,
    sponsored,
    taxonomy,
)

__all__ = [
    "golive",
    "images",
    "menus",
    "pages",
    "posts",
    "records",
    "redirects",
    "reports",
    "sponsored",
    "taxonomy",
]
