"""The sponsored-link click report in a real browser: under the admin's Content-Security-Policy
with no violation, no serious accessibility finding, the chart drawn. Screenshot in
var/screenshots/sponsored-report.png."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from blog.models import LinkClicks
from tests.browser import SCREENSHOTS, PolicyWatch, log_in, requires_chromium, serious_violations
from tests.factories import PostFactory, SponsoredLinkFactory

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def test_the_report_shows_its_chart_under_the_admin_policy(live_server, browser, editor):
    links = [
        SponsoredLinkFactory(name="Kettle offer", slug="kettle"),
        SponsoredLinkFactory(name="<script>alert(1)</script>", slug="course"),
    ]
    posts = [PostFactory(title="Tea for beginners"), PostFactory(title="Why he pulls away")]
    start = date(2026, 3, 1)
    for n in range(31):
        for i, link in enumerate(links):
            LinkClicks.objects.create(
                link=link,
                post=posts[(n + i) % 2],
                day=start + timedelta(n),
                clicks=(n * 7 + i * 5) % 23,
            )
        LinkClicks.objects.create(link=links[0], day=start + timedelta(n), bot=True, clicks=n % 4)
    page = log_in(browser, live_server, editor)
    watch = PolicyWatch(page.context)

    page.goto(f"{live_server.url}/admin/blog/linkclicks/?since=2026-03-01&until=2026-03-31")

    chart = page.get_by_role("img", name="People clicks on sponsored links per day")
    expect(chart).to_be_visible()
    assert page.locator("svg.click-chart rect").count() > 20
    # Its stylesheet loaded (a file: the policy refuses style attributes and elements).
    form = page.locator("form.click-report__range")
    assert form.evaluate("e => getComputedStyle(e).display") == "flex"
    name = "<script>alert(1)</script>"
    expect(page.get_by_role("rowheader", name=name, exact=True)).to_have_count(1)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "sponsored-report.png", full_page=True)
    assert watch.violations == [] and watch.errors == []
    assert serious_violations(page) == []
