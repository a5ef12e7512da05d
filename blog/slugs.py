"""Unique slugs: for posts, authors, topics and the accounts imports create; and the slugs a
standalone page may not have.

A page lives at /<slug>/, the site's first level, so its slug may be no first segment any URL
of the site starts with. Those are read from the URLconf itself: an address added later
(/subscribe/, say) is refused as a page's slug at once, with nothing to keep in step.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
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


# A regex pattern's leading literal text: up to its first special character.
_REGEX_LITERAL = re.compile(r"(?:\\.|[^\\.^$*+?{}\[\]|()])*")


def _literal_start(pattern):
    """The literal text a URL pattern starts with ("posts/" for "posts/<slug:slug>/")."""
    text = str(pattern.pattern)
    if isinstance(pattern.pattern, RoutePattern):
        return text.split("<", 1)[0]
    text = _REGEX_LITERAL.match(text.removeprefix("^"))[0]
    return re.sub(r"\\(.)", r"\1", text)


def _first_segments(patterns):
    for pattern in patterns:
        literal = _literal_start(pattern)
        if literal:
            yield literal.split("/", 1)[0]
        elif isinstance(pattern, URLResolver):  # included at the root: its own patterns
            yield from _first_segments(pattern.url_patterns)
        # otherwise it starts with a converter: a page's own address, or one like it


@lru_cache(maxsize=4)
def _segments_of(resolver):
    return frozenset(segment.lower() for segment in _first_segments(resolver.url_patterns))


def reserved_slugs():
    """The slugs a page may not have: every first path segment of the site's URLs, and the
    static and media prefixes (served in front of Django in production)."""
    prefixes = {
        url.strip("/").split("/", 1)[0].lower()
        for url in (settings.STATIC_URL, settings.MEDIA_URL)
        if url and "//" not in url
    }
    return _segments_of(get_resolver()) | prefixes | {"admin"}


def check_page_slug(slug):
    """Raise ValidationError if a page at /`slug`/ would hide an address of the site."""
    if slug.lower() in reserved_slugs():
        raise ValidationError(
            {
                "slug": f"“{slug}” is taken by the site’s own addresses (/{slug}/…): a page "
                "there would hide them. Choose another slug."
            },
            code="reserved_slug",
        )
