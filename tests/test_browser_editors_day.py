"""An Editor's round in a real browser: from the dashboard to a post in review, a note for its
writer, the post planned on the calendar, then published from the form; axe finds nothing
serious or critical on any screen, and nothing breaks the admin's Content-Security-Policy."""

import datetime as dt

import pytest
from django.utils import timezone

from blog.models import EditorialNote, Post
from tests.browser import PolicyWatch, log_in, requires_chromium, serious_violations
from tests.factories import PostFactory

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def test_an_editor_reviews_notes_plans_and_publishes_a_post(live_server, browser, editor, author):
    post = PostFactory(
        title="Pickling without a canner", status=Post.Status.IN_REVIEW, authors=[author]
    )
    page = log_in(browser, live_server, editor)
    watch = PolicyWatch(page.context)

    # The dashboard shows what waits for review.
    page.goto(f"{live_server.url}/admin/")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Pickling without a canner").first.click()
    page.wait_for_selector("#post_form")
    assert serious_violations(page) == []

    # A note for the writer, from the post form's Notes page.
    page.get_by_role("link", name="Notes").click()
    page.fill("#id_body", f"@{author.username} can you add the brine ratio?")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_selector(".messagelist .success")
    assert serious_violations(page) == []
    note = EditorialNote.objects.get(post=post)
    assert list(note.mentioned.all()) == [author]

    # Planned for a day next week on the calendar, with the keyboard.
    day = timezone.localdate() + dt.timedelta(days=7)
    page.goto(f"{live_server.url}/admin/blog/post/calendar/")
    assert serious_violations(page) == []
    entry = page.locator(".cal-entry", has_text="Pickling without a canner")
    entry.locator("summary").focus()
    page.keyboard.press("Enter")
    entry.locator("input[name=day]").fill(day.isoformat())
    page.keyboard.press("Enter")
    page.wait_for_selector(".messagelist .success")
    assert Post.objects.get(pk=post.pk).planned_for == day

    # Published from the form's bar.
    page.goto(f"{live_server.url}/admin/blog/post/{post.pk}/change/")
    page.locator("#post-bar").get_by_role("button", name="Publish now").click()
    page.wait_for_selector(".messagelist .success")
    post.refresh_from_db()
    assert post.is_published()
    assert watch.violations == [] and watch.errors == []
