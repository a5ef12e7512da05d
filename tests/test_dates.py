"""One date format across the public site: every date a reader sees is in a <time> element,
written in the site's DATE_FORMAT ("6 December 2026"), with a `datetime` that is a valid HTML
date, month, year or global date and time."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from blog.preview import preview_url
from blog.templatetags.dates import machine_date
from tests.factories import FullPostFactory, PostFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
SHORT_MONTHS = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
# What reads as a date: a day with a month, a month with a year, or digits in a date's shape.
DATE_TEXT = re.compile(
    rf"\b\d{{1,2}}(st|nd|rd|th)? ({MONTHS}|{SHORT_MONTHS})\b"
    rf"|\b({MONTHS}|{SHORT_MONTHS})\.? \d{{1,2}}(st|nd|rd|th)?\b"
    rf"|\b({MONTHS}) \d{{4}}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
)
# HTML's valid year, month, date and global date and time strings.
VALID_DATETIME = re.compile(
    r"\d{4,}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2}))?)?)?"
)


class DateReader(HTMLParser):
    """The text of a page's body outside <time> elements, and each <time> as (datetime, text)."""

    def __init__(self):
        super().__init__()
        self.outside, self.times, self._skip, self._time = [], [], 0, None

    def handle_starttag(self, tag, attrs):
        if tag in {"head", "script", "style"}:
            self._skip += 1
        elif tag == "time":
            self._time = [dict(attrs).get("datetime"), ""]

    def handle_endtag(self, tag):
        if tag in {"head", "script", "style"}:
            self._skip -= 1
        elif tag == "time" and self._time is not None:
            self.times.append(tuple(self._time))
            self._time = None

    def handle_data(self, data):
        if self._skip:
            return
        if self._time is not None:
            self._time[1] += data
        else:
            self.outside.append(data)


def read_dates(html):
    reader = DateReader()
    reader.feed(html)
    return " ".join(reader.outside), reader.times


def shown_as(machine):
    """The text a <time> with this datetime shows in the site's format, for a day or finer."""
    if len(machine) < 10:
        return None
    value = dt.datetime.fromisoformat(machine) if "T" in machine else dt.date.fromisoformat(machine)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return date_format(value, "DATE_FORMAT")


@pytest.fixture
def site():
    writer = UserFactory(slug="writer", bio="Writes about **soil**.")
    topic = TopicFactory(slug="garden")
    now = timezone.now()
    post = FullPostFactory(
        slug="rich",
        authors=[writer],
        tags=["soil"],
        topics=[topic],
        publish_at=now - dt.timedelta(hours=2),
        faqs=[{"answer": "An *answer*."}],
        references=1,
    )
    PostFactory(slug="related", tags=["soil"], topics=[topic], authors=[writer])
    draft = PostFactory(slug="draft", status="draft")
    return post, draft


def public_urls(post, draft):
    when = post.publish_at
    return [
        "/",
        post.get_absolute_url(),
        "/tags/soil/",
        "/topics/garden/",
        "/authors/writer/",
        f"/archive/{when.year}/",
        f"/archive/{when.year}/{when.month:02d}/",
        "/search/?q=words",
        "/search/",
        preview_url(draft),
        "/posts/missing/",
    ]


def test_every_date_on_every_public_page_is_a_time_element_in_the_one_format(client, site):
    for url in public_urls(*site):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        outside, times = read_dates(response.text)

        assert DATE_TEXT.search(outside) is None, (url, DATE_TEXT.search(outside)[0])
        for machine, text in times:
            assert machine and VALID_DATETIME.fullmatch(machine), (url, machine)
            if (expected := shown_as(machine)) is not None:
                assert text.strip() == expected, (url, machine, text)


def test_post_list_and_archive_pages_show_their_dates(client, site):
    post, _ = site
    day = date_format(timezone.localtime(post.publish_at), "DATE_FORMAT")

    _, post_times = read_dates(client.get(post.get_absolute_url()).text)
    _, list_times = read_dates(client.get("/").text)
    when = post.publish_at
    _, month_times = read_dates(client.get(f"/archive/{when.year}/{when.month:02d}/").text)

    assert (machine_date(timezone.localtime(post.publish_at)), day) in post_times
    assert any(text == day for _, text in list_times)
    assert (f"{when:%Y-%m}", date_format(when, "YEAR_MONTH_FORMAT")) in month_times


def test_machine_dates_are_whole_seconds_with_their_offset():
    moment = dt.datetime(2026, 3, 5, 14, 7, 9, 123456, tzinfo=dt.UTC)

    assert machine_date(moment) == "2026-03-05T14:07:09+00:00"
    assert machine_date(dt.date(2026, 3, 5)) == "2026-03-05"
