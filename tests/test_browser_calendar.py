"""The editorial calendar in a real browser, under the admin's Content-Security-Policy: an Editor
drags a draft from the tray onto a day, moves a scheduled post with the keyboard alone, and axe
finds nothing serious on the month and week pages. Screenshots of both at 1280 and 1920 px go
to BYLINE_CALENDAR_SCREENSHOTS (default var/screenshots/)."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from blog.models import Post, StateChange
from tests.browser import SCREENSHOTS, PolicyWatch, log_in, requires_chromium, serious_violations
from tests.factories import PostFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("BYLINE_CALENDAR_SCREENSHOTS", SCREENSHOTS))


def shot(page, name, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 1000})
    page.screenshot(path=SHOTS / f"calendar-{name}-{width}.png", full_page=True)


def drag(page, source, target):
    """Drag `source` onto `target` with the mouse, both in view (Playwright's drag_to scrolls
    between the two, and Chromium then starts no drag)."""
    page.set_viewport_size({"width": 1280, "height": 1600})
    start = source.locator(".cal-entry__by").bounding_box()
    end = target.bounding_box()
    page.mouse.move(start["x"] + 5, start["y"] + 5)
    page.mouse.down()
    page.mouse.move(start["x"] + 30, start["y"] + 30, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=10)
    page.mouse.up()


def a_month_of_posts(today):
    """A desk's month: posts out, posts scheduled (two in one hour, one never reviewed), plans
    in one topic on one day, drafts with no day yet."""
    people = [
        UserFactory(username=name.split()[0].lower(), display_name=name, is_staff=True)
        for name in ("Maya Okafor", "Tom Lindqvist", "Inés Duarte", "Sam Whitlock")
    ]
    garden, kitchen, money, travel = (
        TopicFactory(name=name) for name in ("Gardening", "Cooking", "Money", "Travel")
    )

    def day(offset, hour=9, minute=0):
        moment = dt.datetime.combine(today + dt.timedelta(days=offset), dt.time(hour, minute))
        return timezone.make_aware(moment)

    def reviewed(post):
        StateChange.objects.create(
            post=post, from_status="draft", to_status="review", publish_at=post.publish_at
        )
        return post

    for offset, hour, title, topic, who in [
        (-5, 8, "Ten herbs that survive a windowsill winter", garden, 0),
        (-4, 12, "What a sourdough starter really needs", kitchen, 1),
        (-2, 9, "The quiet cost of subscription creep", money, 2),
        (-1, 17, "Night trains are back: a route map", travel, 3),
        (0, 7, "Mulch, explained without the jargon", garden, 0),
    ]:
        PostFactory(
            title=title, publish_at=day(offset, hour), topics=[topic], authors=[people[who]]
        )
    for offset, hour, minute, title, topic, who, was_reviewed in [
        (2, 9, 0, "Pruning roses in the cold months", garden, 0, True),
        (2, 9, 30, "Five soups for a slow Sunday", kitchen, 1, False),
        (4, 11, 0, "How to read a pension statement", money, 2, True),
        (7, 8, 0, "Packing light for a week of rain", travel, 3, True),
        (9, 15, 0, "Seed catalogues worth the paper", garden, 0, True),
    ]:
        post = PostFactory(
            title=title,
            publish_at=day(offset, hour, minute),
            topics=[topic],
            authors=[people[who]],
        )
        if was_reviewed:
            reviewed(post)
    for offset, title, topic, who, status in [
        (5, "Forcing bulbs indoors, step by step", garden, 0, Post.Status.IN_REVIEW),
        (5, "A beginner's guide to cold frames", garden, 3, Post.Status.DRAFT),
        (8, "Budget meal prep for two", kitchen, 1, Post.Status.DRAFT),
        (11, "The case for a boring index fund", money, 2, Post.Status.IN_REVIEW),
    ]:
        PostFactory(
            title=title,
            status=status,
            planned_for=today + dt.timedelta(days=offset),
            topics=[topic],
            authors=[people[who]],
        )
    for title, who in [
        ("Composting in a flat", 0),
        ("Why we stopped counting steps", 2),
        ("Interview: a ferry captain's year", 3),
        ("Knife skills you can learn in an hour", 1),
    ]:
        PostFactory(title=title, status=Post.Status.DRAFT, authors=[people[who]])


def test_editor_plans_and_moves_posts_on_the_calendar(live_server, browser, editor):
    today = timezone.localdate()
    a_month_of_posts(today)
    page = log_in(browser, live_server, editor)
    watch = PolicyWatch(page.context)
    page.goto(f"{live_server.url}/admin/blog/post/")
    page.get_by_role("link", name="Calendar").click()
    page.wait_for_selector("table.cal-table--month")
    assert serious_violations(page) == []
    assert "Clash: same hour (09:00)" in page.content()
    assert "Scheduled without ever being reviewed" in page.content()
    for width in (1280, 1920):
        shot(page, "month", width)
    page.emulate_media(color_scheme="dark")
    shot(page, "month-dark", 1280)
    page.emulate_media(color_scheme="light")

    # A draft from the tray dragged onto a day two weeks ahead.
    target = today + dt.timedelta(days=14)
    if target.month != today.month:
        page.goto(f"{live_server.url}/admin/blog/post/calendar/{target.year}/{target.month}/")
    drag(
        page,
        page.locator(".cal-tray .cal-entry", has_text="Composting in a flat"),
        page.locator(f'td[data-day="{target.isoformat()}"]'),
    )
    page.wait_for_selector(".messagelist .success")
    assert "“Composting in a flat” moved: planned for" in page.locator(".messagelist").inner_text()
    assert Post.objects.get(title="Composting in a flat").planned_for == target

    # A scheduled post moved a day later with the keyboard alone.
    post = Post.objects.get(title="How to read a pension statement")
    page.goto(f"{live_server.url}/admin/blog/post/calendar/week/{today:%Y/%m/%d}/")
    assert serious_violations(page) == []
    for width in (1280, 1920):
        shot(page, "week", width)
    entry = page.locator(".cal-entry", has_text="How to read a pension statement")
    entry.locator("summary").focus()
    page.keyboard.press("Enter")
    new_day = timezone.localtime(post.publish_at).date() + dt.timedelta(days=1)
    entry.locator("input[name=day]").fill(new_day.isoformat())
    page.keyboard.press("Enter")
    page.wait_for_selector(".messagelist .success")
    post.refresh_from_db()
    assert timezone.localtime(post.publish_at).date() == new_day
    assert timezone.localtime(post.publish_at).time() == dt.time(11, 0)
    assert watch.violations == [] and watch.errors == []
