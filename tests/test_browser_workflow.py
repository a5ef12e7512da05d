"""The editorial flow in a real browser: a contributor writes with the Markdown editor and its
live preview and submits; an editor reads the diff and schedules; when the time comes the post
is on the home page and in the feed, with no job having run. Screenshots in var/screenshots/."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from blog.models import Post
from tests.browser import SCREENSHOTS, log_in, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"workflow-{name}.png", full_page=True)


def test_contributor_writes_and_submits_editor_reviews_and_schedules(
    live_server, browser, contributor, editor
):
    # The contributor writes a draft, watching the live preview.
    writer = log_in(browser, live_server, contributor)
    writer.goto(f"{live_server.url}/admin/blog/post/add/")
    writer.fill("#id_title", "Winter sowing in milk jugs")
    writer.fill("#id_description", "Start hardy seeds outdoors in January with recycled jugs.")
    writer.fill("#id_body", "## Why it works\n\nCold, damp weeks wake the seeds up.")
    writer.wait_for_selector(".markdownx-preview h2#why-it-works")
    assert writer.locator(".markdownx-preview h2").inner_text() == "Why it works"
    shot(writer, "1-contributor-writes")
    writer.click("input[name=_continue]")
    writer.wait_for_selector(".messagelist .success")

    # …revises it and submits it for review.
    writer.fill("#id_body", "## Why it works\n\nCold, damp weeks break the seeds' dormancy.")
    writer.click("button[name=_transition][value=submit]")
    writer.wait_for_selector(".messagelist")
    assert "Submitted for review" in writer.locator(".messagelist").inner_text()
    post = Post.objects.get(title="Winter sowing in milk jugs")
    assert post.status == Post.Status.IN_REVIEW
    shot(writer, "2-submitted")

    # The editor reads what changed between the two revisions…
    desk = log_in(browser, live_server, editor)
    desk.goto(f"{live_server.url}/admin/blog/post/?status__exact=review")
    desk.get_by_role("link", name="Winter sowing in milk jugs").click()
    desk.get_by_role("link", name="Revisions").click()
    desk.get_by_role("button", name="Compare").click()
    assert "break the seeds' dormancy" in desk.locator("ins.diff__ins").first.inner_text()
    assert "wake the seeds up" in desk.locator("del.diff__del").first.inner_text()
    shot(desk, "3-editor-reads-diff")

    # …and schedules it for a few minutes from now.
    when = (timezone.localtime() + timedelta(minutes=5)).replace(second=0, microsecond=0)
    desk.goto(f"{live_server.url}/admin/blog/post/{post.pk}/change/")
    desk.fill("#id_publish_at_0", when.strftime("%Y-%m-%d"))
    desk.fill("#id_publish_at_1", when.strftime("%H:%M:%S"))
    desk.click("button[name=_transition][value=schedule]")
    desk.wait_for_selector(".messagelist")
    assert "Scheduled for" in desk.locator(".messagelist").inner_text()
    assert desk.locator(".status-badge", has_text="Scheduled").count() == 1
    shot(desk, "4-scheduled")

    reader = browser.new_context().new_page()
    reader.goto(live_server.url)
    assert reader.get_by_text("Winter sowing in milk jugs").count() == 0

    # When its time comes it is out, with nothing having run in between. (A reader's browser
    # may keep its copy for up to a minute, Cache-Control's max-age; a new reader is used.)
    with time_machine.travel(when + timedelta(seconds=5)):
        reader = browser.new_context().new_page()
        reader.goto(live_server.url)
        assert reader.get_by_role("link", name="Winter sowing in milk jugs").is_visible()
        shot(reader, "5-on-the-home-page")
        feed = reader.request.get(f"{live_server.url}/feed/").text()
        assert "<title>Winter sowing in milk jugs</title>" in feed
