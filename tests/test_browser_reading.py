"""A reader's visit in a real browser: home, a post, a tag, an author, a search.

Screenshots go to var/screenshots/ (or $BYLINE_SCREENSHOTS); every page is checked with
axe-core in light and dark mode, on a desktop and a phone.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.browser import SCREENSHOTS, requires_chromium, serious_violations

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def look(page, name):
    """Screenshot the page and fail on serious or critical accessibility problems."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    assert serious_violations(page) == [], name
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=SCREENSHOTS / f"{name}-dark.png", full_page=True)
    assert serious_violations(page) == [], f"{name} (dark)"
    page.emulate_media(color_scheme="light")


def test_a_reader_follows_a_post_a_tag_an_author_and_searches(live_server, page):
    call_command("load_demo", stdout=StringIO())

    page.goto(live_server.url)
    assert page.locator("h1").inner_text() == "Latest posts"
    look(page, "1-home")

    page.get_by_role("link", name="From Garden to Freezer: Preserving a Summer Glut").click()
    assert page.locator("h1").inner_text() == "From Garden to Freezer: Preserving a Summer Glut"
    assert page.get_by_role("navigation", name="Contents").is_visible()
    assert page.get_by_role("heading", name="Frequently asked questions").is_visible()
    look(page, "2-post")

    page.locator(".post__footer .tag-list__tag").first.click()
    assert page.locator("h1").inner_text().startswith("Posts tagged")
    look(page, "3-tag")

    page.locator(".post-card .byline a").first.click()
    assert page.locator(".author-profile").is_visible()
    look(page, "4-author")

    page.get_by_role("searchbox", name="Search posts").fill("tomatoes")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=tomatoes")
    assert "found" in page.locator(".search-summary").inner_text()
    assert page.locator("mark").count() > 0
    look(page, "5-search")


def test_pages_read_well_on_a_phone_and_work_from_the_keyboard(live_server, browser):
    call_command("load_demo", stdout=StringIO())
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()

    page.goto(live_server.url + "/posts/the-one-page-budget/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    look(page, "6-post-phone")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    context.close()
