"""The editorial desk in a real browser: under the admin's Content-Security-Policy, reachable by
keyboard, with no serious or critical axe findings. Screenshots at 1280 and 1920 pixels go to
BYLINE_SCREENSHOTS (default var/screenshots/)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post, StateChange
from tests.browser import SCREENSHOTS, PolicyWatch, log_in, requires_chromium, serious_violations
from tests.factories import PostFactory, UserFactory

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

REVIEW = Post.Status.IN_REVIEW


def _a_week_of_work(editor):
    now = timezone.now()
    maya = UserFactory(username="maya", display_name="Maya Okafor")
    tomas = UserFactory(username="tomas", display_name="Tomás Rivera")
    for title, days in [
        ("Winter sowing in milk jugs", 9),
        ("What your soil test is telling you", 3),
        ("Pruning roses without fear", 1),
    ]:
        post = PostFactory(title=title, status=REVIEW, authors=[maya])
        StateChange.objects.create(
            post=post,
            from_status=Post.Status.DRAFT,
            to_status=REVIEW,
            publish_at=post.publish_at,
            at=now - timedelta(days=days),
        )
    for title, days in [("Seed catalogues, read closely", 2), ("The case for leaving leaves", 6)]:
        PostFactory(title=title, publish_at=now + timedelta(days=days, hours=3), authors=[tomas])
    for title, days in [
        ("Repotting houseplants in spring", 1),
        ("Compost that does not smell", 4),
        ("Ten shade plants that flower", 8),
    ]:
        PostFactory(title=title, publish_at=now - timedelta(days=days), authors=[maya, tomas])
    PostFactory(title="Raised beds on a budget", description="", authors=[tomas])
    for title in ["Notes on garlic", "A year of tomato trials"]:
        PostFactory(title=title, status=Post.Status.DRAFT, authors=[editor])


def test_the_desk_is_accessible_and_works_under_the_admins_policy(live_server, browser, editor):
    _a_week_of_work(editor)
    page = log_in(browser, live_server, editor)
    watch = PolicyWatch(page.context)

    for width in (1280, 1920):
        page.set_viewport_size({"width": width, "height": 1000})
        page.goto(f"{live_server.url}/admin/")
        page.wait_for_selector(".desk")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"desk-{width}.png", full_page=True)

    assert serious_violations(page) == []
    assert watch.violations == [] and watch.errors == []
    assert page.locator("h1").inner_text() == "Editorial desk"
    assert "9 days" in page.locator("#desk-review + table").inner_text()

    # Keyboard: tabbing from the top reaches the first quick action and opens it with Enter.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "New post":
            break
    else:
        pytest.fail("Tab never reached “New post”")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/blog/post/add/")
