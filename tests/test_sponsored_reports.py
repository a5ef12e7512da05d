"""The sponsored-link click report: its figures equal the clicks counted, in the admin (chart,
tables, CSV) for Editors only, and from `manage.py sponsored_report`."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.charts import click_chart
from blog.models import LinkClicks
from blog.reports import ClickReport
from tests.factories import PostFactory, SponsoredLinkFactory
from tests.helpers import command

pytestmark = pytest.mark.django_db

SINCE, UNTIL = date(2026, 3, 1), date(2026, 3, 31)
REPORT = "/admin/blog/linkclicks/"


def clicks(link, day, count, post=None, bot=False):
    return LinkClicks.objects.create(link=link, post=post, day=day, bot=bot, clicks=count)


@pytest.fixture
def clicked():
    """Two links clicked from two posts, from outside any post and from a deleted post."""
    kettle = SponsoredLinkFactory(name="Kettle offer", slug="kettle")
    course = SponsoredLinkFactory(name="Dating course", slug="course")
    tea = PostFactory(title="Tea for beginners", slug="tea")
    love = PostFactory(title="Why he pulls away", slug="pulls-away")
    gone = PostFactory(title="Gone soon", slug="gone")
    clicks(kettle, date(2026, 3, 2), 5, post=tea)
    clicks(kettle, date(2026, 3, 2), 2, post=tea, bot=True)
    clicks(kettle, date(2026, 3, 9), 3, post=love)
    clicks(course, date(2026, 3, 9), 11, post=love)
    clicks(course, date(2026, 3, 10), 4)  # from no post
    clicks(course, date(2026, 3, 10), 6, bot=True)
    clicks(course, date(2026, 3, 11), 7, post=gone)
    gone_id = gone.pk
    gone.delete()
    return {"kettle": kettle, "course": course, "tea": tea, "love": love, "gone_id": gone_id}


def figures(rows):
    return [(row.name, row.people, row.bots) for row in rows]


# The figures ---------------------------------------------------------------------------------


def test_totals_count_people_and_bots_apart(clicked):
    report = ClickReport(SINCE, UNTIL)

    assert (report.people, report.bots) == (5 + 3 + 11 + 4 + 7, 2 + 6)


def test_links_are_listed_most_followed_by_people_first(clicked):
    report = ClickReport(SINCE, UNTIL)

    assert figures(report.links) == [("Dating course", 22, 6), ("Kettle offer", 8, 2)]
    assert report.links[0].slug == "course"


def test_an_active_link_nobody_followed_is_listed_a_retired_one_is_not(clicked):
    SponsoredLinkFactory(name="Unloved", slug="unloved")
    SponsoredLinkFactory(name="Retired, never followed", slug="retired", active=False)
    retired_but_followed = SponsoredLinkFactory(name="Retired late", slug="late", active=False)
    clicks(retired_but_followed, date(2026, 3, 3), 1)

    names = [link.name for link in ClickReport(SINCE, UNTIL).links]

    assert names == ["Dating course", "Kettle offer", "Retired late", "Unloved"]


def test_posts_show_their_clicks_and_each_links_share(clicked, django_assert_num_queries):
    report = ClickReport(SINCE, UNTIL)

    assert [(p.label, p.slug, p.people, p.bots) for p in report.posts] == [
        ("Why he pulls away", "pulls-away", 14, 0),
        (f"(deleted post #{clicked['gone_id']})", None, 7, 0),
        ("Tea for beginners", "tea", 5, 2),
        ("(no post)", None, 4, 6),
    ]
    assert figures(report.posts[0].links) == [("Dating course", 11, 0), ("Kettle offer", 3, 0)]


def test_a_range_includes_both_its_days_and_nothing_outside(clicked):
    link = clicked["kettle"]
    for day, count in [(date(2026, 2, 28), 100), (date(2026, 4, 1), 1000)]:
        clicks(link, day, count)
    clicks(link, SINCE, 20)
    clicks(link, UNTIL, 40)

    report = ClickReport(SINCE, UNTIL)

    assert report.people == 30 + 20 + 40
    assert (report.days[0].day, report.days[0].people) == (SINCE, 20)
    assert (report.days[-1].day, report.days[-1].people) == (UNTIL, 40)


def test_every_day_of_the_range_is_in_the_series_zeros_included(clicked):
    days = ClickReport(date(2026, 3, 8), date(2026, 3, 12)).days

    assert [(d.day.day, d.people, d.bots) for d in days] == [
        (8, 0, 0),
        (9, 14, 0),
        (10, 4, 6),
        (11, 7, 0),
        (12, 0, 0),
    ]


def test_the_report_is_a_few_queries_however_many_links_posts_and_days(
    django_assert_max_num_queries,
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            report = ClickReport(SINCE, UNTIL)
            report.links, report.posts, report.days, list(report.csv_rows())
        return len(captured)

    first = SponsoredLinkFactory()
    clicks(first, SINCE, 1)
    one = queries()
    posts = [PostFactory() for _ in range(5)]
    for n in range(20):
        link = SponsoredLinkFactory()
        for post in posts:
            clicks(link, SINCE + timedelta(days=n), n + 1, post=post)

    assert queries() == one == 4


# CSV -----------------------------------------------------------------------------------------


def read_csv(text):
    return list(csv.reader(io.StringIO(text)))


def test_csv_has_a_row_per_day_link_and_post(clicked):
    text = io.StringIO()
    ClickReport(SINCE, UNTIL).write_csv(text)

    rows = read_csv(text.getvalue())

    assert rows[0] == ["day", "link", "link slug", "post id", "post", "post slug", "people", "bots"]
    tea, love, gone = clicked["tea"].pk, clicked["love"].pk, clicked["gone_id"]
    assert rows[1:] == [
        ["2026-03-02", "Kettle offer", "kettle", str(tea), "Tea for beginners", "tea", "5", "2"],
        ["2026-03-09", "Dating course", "course", str(love), "Why he pulls away", "pulls-away"]
        + ["11", "0"],
        ["2026-03-09", "Kettle offer", "kettle", str(love), "Why he pulls away", "pulls-away"]
        + ["3", "0"],
        ["2026-03-10", "Dating course", "course", "", "(no post)", "", "4", "6"],
        ["2026-03-11", "Dating course", "course", str(gone), f"(deleted post #{gone})", "", "7"]
        + ["0"],
    ]


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://evil.example","Click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"],
)
def test_csv_cells_that_would_be_formulas_are_text(name):
    link = SponsoredLinkFactory(name=name, slug="formula")
    post = PostFactory(title=name)
    clicks(link, SINCE, 1, post=post)
    text = io.StringIO()
    ClickReport(SINCE, UNTIL).write_csv(text)

    row = read_csv(text.getvalue())[1]

    assert row[1] == row[4] == f"'{name}"


# The admin page ------------------------------------------------------------------------------


def report_page(client, **query):
    return client.get(REPORT, {"since": SINCE, "until": UNTIL, **query})


def test_editors_see_the_report_with_chart_and_tables(client, editor, clicked):
    client.force_login(editor)

    response = report_page(client)

    page = response.content.decode()
    assert response.status_code == 200
    assert '<svg class="click-chart" role="img" aria-labelledby="click-chart-title"' in page
    assert "<strong>30</strong> clicks by people and\n    <strong>8</strong> by bots" in page
    assert "Dating course" in page and "/go/kettle/" in page
    assert "Why he pulls away" in page and f"(deleted post #{clicked['gone_id']})" in page
    assert f'href="/admin/blog/post/{clicked["tea"].pk}/change/"' in page
    assert "since=2026-03-01&amp;until=2026-03-31&amp;format=csv" in page


def test_the_chart_gives_its_totals_to_screen_readers(clicked):
    svg = str(click_chart(ClickReport(SINCE, UNTIL)))

    assert (
        '<title id="click-chart-title">People clicks on sponsored links per day, '
        "1 March 2026 to 31 March 2026</title>"
    ) in svg
    assert (
        '<desc id="click-chart-desc">30 people clicks in all; 8 clicks by bots, not charted. '
        "Busiest day: 9 March 2026, 14 people clicks. "
        "Most followed link: Dating course, 22 people clicks.</desc>"
    ) in svg
    assert "style" not in svg  # the admin's CSP refuses inline styles


def test_the_chart_has_a_bar_per_day_with_clicks_scaled_to_the_busiest():
    link = SponsoredLinkFactory()
    clicks(link, date(2026, 3, 1), 40)
    clicks(link, date(2026, 3, 3), 10)

    svg = str(click_chart(ClickReport(date(2026, 3, 1), date(2026, 3, 4))))

    assert svg.count("<rect") == 2
    # The busiest day is the whole plot's height (198), the others in proportion.
    assert 'y="12" width="139.2" height="198" fill="#417690"><title>1 March 2026: 40<' in svg
    assert 'y="160.5" width="139.2" height="49.5" fill="#417690"><title>3 March 2026: 10<' in svg


def test_a_three_year_chart_has_a_bar_per_day_clicked_and_dates_with_their_year():
    link = SponsoredLinkFactory()
    for day in [date(2023, 4, 1), date(2024, 2, 29), date(2026, 3, 31)]:
        clicks(link, day, 2)

    svg = str(click_chart(ClickReport(date(2023, 4, 1), date(2026, 3, 31))))

    assert svg.count("<rect") == 3
    assert ">Apr 1, 2023</text>" in svg
    assert "<title>29 February 2024: 2</title>" in svg


def test_a_link_named_like_markup_is_shown_as_text(client, editor):
    link = SponsoredLinkFactory(name="<script>alert('owned')</script>", slug="owned")
    post = PostFactory(title="<img src=x onerror=alert(1)>")
    clicks(link, SINCE, 3, post=post)
    client.force_login(editor)

    page = report_page(client).content.decode()

    assert "<script>alert" not in page and "<img src=x" not in page
    escaped = "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;"
    assert f"Most followed link: {escaped}, 3 people clicks.</desc>" in page
    assert f'<th scope="row">{escaped}</th>' in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_editors_download_the_csv_of_the_same_range(client, editor, clicked):
    client.force_login(editor)

    response = report_page(client, format="csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="sponsored-clicks-2026-03-01-to-2026-03-31.csv"'
    )
    rows = read_csv(response.content.decode("utf-8-sig"))
    assert len(rows) == 6 and rows[1][:2] == ["2026-03-02", "Kettle offer"]


@pytest.mark.parametrize("role", ["contributor", "author"])
@pytest.mark.parametrize("query", [{}, {"format": "csv"}])
def test_writers_cannot_see_the_report(client, request, role, query, clicked):
    client.force_login(request.getfixturevalue(role))

    response = report_page(client, **query)

    assert response.status_code == 403
    assert b"Kettle offer" not in response.content


def test_anonymous_visitors_are_sent_to_log_in(client, clicked):
    response = report_page(client, format="csv")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_counters_cannot_be_edited_one_by_one(client, superuser, clicked):
    row = LinkClicks.objects.first()
    client.force_login(superuser)

    assert client.get(f"{REPORT}{row.pk}/change/").status_code == 404
    assert client.get(f"{REPORT}add/").status_code == 404
    assert b"Sponsored-link clicks" in client.get(REPORT).content


@pytest.mark.parametrize(
    ("since", "until", "error"),
    [
        ("2026-03-31", "2026-03-01", "The range ends (2026-03-01) before it starts (2026-03-31)."),
        ("2020-01-01", "2026-03-01", "The range is 2,252 days long; a report covers at most three"),
        ("yesterday", "2026-03-01", "Enter a valid date."),
        ("2026-02-30", "2026-03-01", "Enter a valid date."),
        ("2026-03-01", "9" * 40, "Enter a valid date."),
        ("2026-03-01\x00", "2026-03-02", "Enter a valid date."),
    ],
)
def test_bad_dates_are_refused_with_a_message(client, editor, since, until, error):
    client.force_login(editor)

    for query in [{}, {"format": "csv"}]:
        response = client.get(REPORT, {"since": since, "until": until, **query})

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert error in response.content.decode().replace("&#x27;", "'")


def test_without_dates_the_report_shows_the_last_30_days_in_the_site_time_zone(
    client, editor, settings
):
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: already tomorrow there
    link = SponsoredLinkFactory(name="Late night offer")
    clicks(link, date(2026, 3, 11), 3)  # "today" on the site
    clicks(link, date(2026, 2, 10), 5)  # the first of the 30 days
    clicks(link, date(2026, 2, 9), 700)
    client.force_login(editor)

    with time_machine.travel(datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False):
        response = client.get(REPORT)

    report = response.context["report"]
    assert (report.since, report.until) == (date(2026, 2, 10), date(2026, 3, 11))
    assert report.people == 8
    assert 'name="since" value="2026-02-10"' in response.content.decode()


def test_the_report_page_makes_as_many_queries_for_20_links_as_for_one(
    client, editor, django_assert_max_num_queries
):
    client.force_login(editor)
    post = PostFactory()
    clicks(SponsoredLinkFactory(), SINCE, 1, post=post)
    with CaptureQueriesContext(connection) as one:
        report_page(client)
    for n in range(20):
        link = SponsoredLinkFactory()
        clicks(link, SINCE + timedelta(days=n), n + 1, post=PostFactory())
        clicks(link, SINCE + timedelta(days=n), 1, bot=True)

    with django_assert_max_num_queries(len(one)):
        response = report_page(client)

    assert response.context["report"].people == 1 + sum(range(1, 21))


# The command ---------------------------------------------------------------------------------


def test_the_command_prints_the_totals_per_link_and_per_post(clicked):
    output = command("sponsored_report", "--since", "2026-03-01", "--until", "2026-03-31")

    lines = output.splitlines()
    assert lines[0] == (
        "Sponsored-link clicks from 2026-03-01 to 2026-03-31 (UTC): 30 by people, 8 by bots."
    )
    assert lines[2:7] == [
        "Per link",
        "link           address      people  bots",
        "-------------  -----------  ------  ----",
        "Dating course  /go/course/      22     6",
        "Kettle offer   /go/kettle/       8     2",
    ]
    gone = f"(deleted post #{clicked['gone_id']})"
    width = max(len(gone), len("Why he pulls away"))
    assert lines[8:] == ["Per post"] + [
        "  ".join(cells).rstrip()
        for cells in [
            ["post".ljust(width), "slug      ", "people", "bots"],
            ["-" * width, "----------", "------", "----"],
            ["Why he pulls away".ljust(width), "pulls-away", "    14", "   0"],
            [gone.ljust(width), " " * 10, "     7", "   0"],
            ["Tea for beginners".ljust(width), "tea       ", "     5", "   2"],
            ["(no post)".ljust(width), " " * 10, "     4", "   6"],
        ]
    ]


def test_the_command_prints_the_same_csv_as_the_admin(client, editor, clicked):
    client.force_login(editor)
    downloaded = report_page(client, format="csv").content.decode("utf-8-sig")

    printed = command(
        "sponsored_report", "--since", "2026-03-01", "--until", "2026-03-31", csv=True
    )

    assert read_csv(printed) == read_csv(downloaded)
    assert len(read_csv(printed)) == 6


def test_the_command_reports_until_today_in_the_site_time_zone(settings):
    settings.TIME_ZONE = "Pacific/Kiritimati"
    clicks(SponsoredLinkFactory(), date(2026, 3, 11), 9)

    with time_machine.travel(datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False):
        output = command("sponsored_report", "--since", "2026-03-11")

    assert output.startswith("Sponsored-link clicks from 2026-03-11 to 2026-03-11 ")
    assert ": 9 by people, 0 by bots." in output.splitlines()[0]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--since", "1 March"], "--since '1 March' is not a date: write it as YYYY-MM-DD."),
        (
            ["--since", "2026-03-01", "--until", "2026-02-31"],
            "--until '2026-02-31' is not a date",
        ),
        (
            ["--since", "2026-03-02", "--until", "2026-03-01"],
            "The range ends (2026-03-01) before it starts (2026-03-02).",
        ),
        (["--since", "2001-01-01", "--until", "2026-03-01"], "a report covers at most three"),
    ],
)
def test_the_command_names_what_is_wrong_with_its_dates(args, error):
    assert error in command("sponsored_report", *args)
