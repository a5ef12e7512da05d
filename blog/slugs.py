"""Unique slugs: for posts, authors, topics and the accounts imports create."""

from django.utils.text import slugify


def unique_slug(text, taken, *, max_length, fallback, allow_unicode=False):
    """`text` as a slug of at most `max_length` characters that `taken(slug)` says is free:
    the plain one if it is, else with -2, -3… appended; `fallback` when `text` has no letters
    a slug can keep."""
    base = slugify(text, allow_unicode=allow_unicode)[:max_length].strip("-") or fallback
    slug, n = base, 2
    while taken(slug):
        slug, n = f"{base}-{n}", n + 1
    return slug
