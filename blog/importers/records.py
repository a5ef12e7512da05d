"""What readers make of a source and what an import reports, and field values that fit."""

import dataclasses
import datetime as dt

from blog import rendering


class ImportProblem(Exception):
    """Why a file cannot be imported, in words for the person running the import."""


@dataclasses.dataclass
class ImportedPost:
    source_id: str
    title: str
    slug: str
    body: str
    description: str = ""
    authors: list = dataclasses.field(default_factory=list)
    tags: list = dataclasses.field(default_factory=list)
    topics: list = dataclasses.field(default_factory=list)
    publish_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    status: str | None = None
    canonical_url: str = ""
    featured_image: str = ""
    featured_image_alt: str = ""
    # The library image for `featured_image`, when the import's media folder had it.
    featured_image_id: int | None = None
    noindex: bool = False
    faqs: list = dataclasses.field(default_factory=list)  # [(question, answer)]
    references: list = dataclasses.field(default_factory=list)  # [{title, publisher, year, url}]
    related: list = dataclasses.field(default_factory=list)  # [(title, url)]
    metadata: dict = dataclasses.field(default_factory=dict)
    kind: str = "post"  # or "page": a standalone page (Post.Kind)
    # (body, Post.derive(body) or the ValidationError it raised), when worked out beforehand.
    derived: tuple | None = None
    # The slugs of the /go/ links its affiliate addresses became (an import with go_links).
    go_links: list = dataclasses.field(default_factory=list)
    # Paths it had on the site it comes from, redirected to it (blog/importers/old_addresses.py).
    old_addresses: list = dataclasses.field(default_factory=list)
    # What turning the source's HTML into Markdown did (WordPress: see wp_content.Conversion).
    conversion: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if self.kind == "page":  # in no list: a page has no tags or topics (Post.apply_content)
            self.tags, self.topics = [], []


@dataclasses.dataclass
class Report:
    """What an import did: counts, and one line per problem or unresolved link."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    problems: list = dataclasses.field(default_factory=list)
    notes: list = dataclasses.field(default_factory=list)
    dry_run: bool = False
    # What became Markdown, what stayed HTML, the unknown shortcodes (see wp_content.Tally).
    conversion: dict = dataclasses.field(default_factory=dict)

    def count(self, outcome):
        setattr(self, outcome, getattr(self, outcome) + 1)

    def summary(self):
        prefix = "Dry run, nothing written: would have " if self.dry_run else ""
        skipped = f"{self.unchanged} unchanged" + (
            f", {self.skipped} skipped" if self.skipped else ""
        )
        return (
            f"{prefix}{self.created} created, {self.updated} updated, {skipped}, "
            f"{self.failed} failed."
        )


def web_url(value):
    """An http(s) address that fits a URL field, or "" for anything else."""
    return rendering.web_url(value) if len(value) <= 500 else ""


def year(value):
    """A plausible year (1000–2999) from a number or digits, else None."""
    number = int(value) if str(value or "").strip().isdigit() else None
    return number if number and 1000 <= number <= 2999 else None
