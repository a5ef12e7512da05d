"""Sponsored-link click figures over a range of days: totals, per link, per post and per day,
and the same as CSV. The admin's report, its chart and `manage.py sponsored_report` all read
them from ClickReport, so they cannot disagree.

Days are the site's: LinkClicks.day is already the date in settings.TIME_ZONE, and the range's
ends are included.
"""

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db.models import FilteredRelation, Q, Sum, Value
from django.db.models.functions import Coalesce

from blog.models import LinkClicks, SponsoredLink

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366  # three years, whichever three

CSV_HEADER = ["day", "link", "link slug", "post id", "post", "post slug", "people", "bots"]
# What makes a spreadsheet read a cell as a formula (OWASP's list): link names and post titles
# are editors' text, and a CSV is opened in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def check_range(since, until):
    """Refuse a range that ends before it starts or is longer than MAX_DAYS."""
    if until < since:
        raise ValidationError(
            f"The range ends ({until.isoformat()}) before it starts ({since.isoformat()}).",
            code="reversed",
        )
    days = (until - since).days + 1
    if days > MAX_DAYS:
        raise ValidationError(
            f"The range is {days:,} days long; a report covers at most three years "
            f"({MAX_DAYS:,} days).",
            code="too_long",
        )


def people_and_bots(prefix=""):
    """Annotations summing a LinkClicks `clicks` field (through `prefix`) by people and by
    bots, 0 rather than NULL where there are none."""
    clicks, bot = f"{prefix}clicks", f"{prefix}bot"
    return {
        "people": Coalesce(Sum(clicks, filter=Q(**{bot: False})), Value(0)),
        "bots": Coalesce(Sum(clicks, filter=Q(**{bot: True})), Value(0)),
    }


@dataclass
class LinkFigures:
    name: str
    slug: str
    people: int = 0
    bots: int = 0


@dataclass
class PostFigures:
    """Clicks from one post; post_id None is clicks from outside any post, and a post that
    no longer exists keeps its clicks under its old id (LinkClicks.post has no constraint)."""

    post_id: int | None
    title: str | None
    slug: str | None
    people: int = 0
    bots: int = 0
    links: list[LinkFigures] = field(default_factory=list)

    @property
    def exists(self):
        return self.title is not None

    @property
    def label(self):
        if self.post_id is None:
            return "(no post)"
        if not self.exists:
            return f"(deleted post #{self.post_id})"
        return self.title


@dataclass(frozen=True)
class DayFigures:
    day: date
    people: int
    bots: int


def by_people(links):
    return sorted(links, key=lambda link: (-link.people, -link.bots, link.name))


class ClickReport:
    """Clicks on sponsored links from `since` to `until` (dates, both included). Each figure
    is one query, however many links, posts and days there are."""

    def __init__(self, since, until):
        check_range(since, until)
        self.since, self.until = since, until

    def clicks(self):
        return LinkClicks.objects.filter(day__gte=self.since, day__lte=self.until)

    @cached_property
    def links(self):
        """Every active link, and retired ones clicked in the range, most clicked by people
        first: a link nobody follows is worth seeing too."""
        in_range = Q(clicks__day__gte=self.since, clicks__day__lte=self.until)
        links = (
            SponsoredLink.objects.annotate(in_range=FilteredRelation("clicks", condition=in_range))
            .values("slug", "name", "active")  # grouped by these, not every column
            .annotate(**people_and_bots("in_range__"))
            .filter(Q(active=True) | Q(people__gt=0) | Q(bots__gt=0))
            .values_list("name", "slug", "people", "bots")
        )
        return by_people(LinkFigures(*row) for row in links)

    @cached_property
    def posts(self):
        """Clicks per post where the link was followed, with each link's share."""
        rows = (
            self.clicks()
            .values("post_id", "post__title", "post__slug", "link__name", "link__slug")
            .annotate(**people_and_bots())
            .order_by()
        )
        posts = {}
        for row in rows:
            post = posts.get(row["post_id"])
            if post is None:
                post = posts[row["post_id"]] = PostFigures(
                    row["post_id"], row["post__title"], row["post__slug"]
                )
            post.people += row["people"]
            post.bots += row["bots"]
            post.links.append(
                LinkFigures(row["link__name"], row["link__slug"], row["people"], row["bots"])
            )
        for post in posts.values():
            post.links = by_people(post.links)
        return sorted(posts.values(), key=lambda p: (-p.people, -p.bots, p.label))

    @cached_property
    def days(self):
        """Every day of the range, the days without clicks as zeros."""
        counted = {
            row["day"]: row
            for row in self.clicks().values("day").annotate(**people_and_bots()).order_by()
        }
        days = []
        for offset in range((self.until - self.since).days + 1):
            day = self.since + timedelta(days=offset)
            row = counted.get(day, {"people": 0, "bots": 0})
            days.append(DayFigures(day, row["people"], row["bots"]))
        return days

    @property
    def people(self):
        return sum(day.people for day in self.days)

    @property
    def bots(self):
        return sum(day.bots for day in self.days)

    @property
    def busiest_day(self):
        """The first day with the most people clicks, or None without any."""
        best = max(self.days, key=lambda day: day.people)
        return best if best.people else None

    def csv_rows(self):
        """One row per day, link and post with clicks, in that order, header first."""
        yield CSV_HEADER
        rows = (
            self.clicks()
            .values("day", "link__name", "link__slug", "post_id", "post__title", "post__slug")
            .annotate(**people_and_bots())
            .order_by("day", "link__name", "link__slug", "post_id")
        )
        for row in rows.iterator(chunk_size=2000):
            post = PostFigures(row["post_id"], row["post__title"], row["post__slug"])
            yield [
                row["day"].isoformat(),
                row["link__name"],
                row["link__slug"],
                "" if post.post_id is None else post.post_id,
                post.label,
                post.slug or "",
                row["people"],
                row["bots"],
            ]

    def write_csv(self, file):
        writer = csv.writer(file)
        for row in self.csv_rows():
            writer.writerow([defused(cell) for cell in row])


def defused(cell):
    """A cell a spreadsheet shows as text: a leading apostrophe before what would start a
    formula."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return f"'{cell}"
    return cell
