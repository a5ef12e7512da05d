"""The editorial calendar's days: which posts stand on which day for one person, and what the
calendar flags on them (two posts in one hour or one topic on one day, a post scheduled without
ever being reviewed, a plan whose day has passed). The admin's calendar pages and the iCal feed
both read it; moving a post is Post.move_to_day."""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import get_format

from blog.models import Post, Topic

# The tray shows the drafts touched most recently; older ones are a click away in the post list.
TRAY_SIZE = 60


@dataclass
class Entry:
    """A post on the calendar, as `user` sees it."""

    post: Post
    day: dt.date | None
    time: dt.time | None  # of its publish time; None for a planned (or unplanned) post
    movable: bool
    flags: list = field(default_factory=list)

    @property
    def state(self):
        return self.post.state

    @property
    def overdue(self):
        return self.time is None and self.day is not None and self.day < timezone.localdate()


def first_weekday():
    """The first day of a week as Python's calendar counts (0: Monday), from Django's format
    setting (0: Sunday)."""
    return (int(get_format("FIRST_DAY_OF_WEEK")) - 1) % 7


def month_weeks(year, month):
    """The weeks (lists of seven dates) a month's table shows, the days around it included."""
    return calendar.Calendar(first_weekday()).monthdatescalendar(year, month)


def week_of(day):
    """The seven days of the week holding `day`."""
    start = day - dt.timedelta(days=(day.weekday() - first_weekday()) % 7)
    return [start + dt.timedelta(days=n) for n in range(7)]


def _posts(user):
    """Posts (not pages, which are not planned) `user` may know of, with what an entry shows:
    three queries for any number."""
    return (
        Post.objects.posts()
        .visible_to(user)
        .with_bylines()
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))
    )


def entries(user, first, last=None):
    """The entries from `first` to `last` (None: any day after) that `user` may see, in day
    and time order, flagged."""
    found = []
    for post in _posts(user).on_calendar(first, last).order_by("publish_at", "pk"):
        moment = (
            timezone.localtime(post.publish_at).time()
            if post.status == Post.Status.PUBLISHED
            else None
        )
        found.append(Entry(post, post.calendar_day(), moment, post.may_move(user)))
    flag(found)
    found.sort(key=lambda e: (e.day, e.time is None, e.time or dt.time.min, e.post.title.lower()))
    return found


def by_day(found):
    days = defaultdict(list)
    for entry in found:
        days[entry.day].append(entry)
    return days


def tray(user):
    """Drafts and posts in review with no planned day, most recently changed first, and how
    many there are in all."""
    posts = _posts(user).unplanned().order_by("-updated_at", "-pk")
    shown = [Entry(post, None, None, post.may_move(user)) for post in posts[:TRAY_SIZE]]
    total = len(shown) if len(shown) < TRAY_SIZE else posts.count()
    return shown, total


def flag(found):
    """Add to each entry, as words, what an editor should look at: two posts in one hour of one
    day, or in one topic on one day (where one of them is not public yet: clashes in the past
    are history), and a scheduled post that was never submitted for review."""
    slots, topics = defaultdict(list), defaultdict(list)
    for entry in found:
        if entry.time is not None:
            slots[(entry.day, entry.time.hour)].append(entry)
        for topic in entry.post.topics.all():
            topics[(entry.day, topic.name)].append(entry)
        if entry.post.is_scheduled() and not getattr(entry.post, "was_reviewed", True):
            entry.flags.append("Scheduled without ever being reviewed.")
    for (_, hour), group in slots.items():
        for entry, others in _clashing(group):
            entry.flags.append(f"Clash: same hour ({hour:02d}:00) as {others}.")
    for (_, topic), group in topics.items():
        for entry, others in _clashing(group):
            entry.flags.append(f"Clash: another {topic} post this day: {others}.")


def _clashing(group):
    if len(group) < 2 or all(entry.post.is_published() for entry in group):
        return
    for entry in group:
        others = [f"“{other.post.title}”" for other in group if other is not entry]
        yield entry, ", ".join(others)
