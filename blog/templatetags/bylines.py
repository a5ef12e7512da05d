"""What a post page shows of its authors."""

from django import template

register = template.Library()


@register.filter
def with_bio(authors):
    """The stored byline entries that have a bio: an author with nothing written about them
    (as one an import created) gets no empty card under "About the author"."""
    return [author for author in authors if author.get("bio_html", "").strip()]
