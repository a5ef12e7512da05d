"""The demo's standalone pages in a real browser, on a desktop and a phone, light and dark, checked
with axe-core; and the admin's Pages list an editor works from.

Screenshots go to var/screenshots/ (or $BYLINE_SCREENSHOTS)."""

from io import StringIO

import pytest
from django.core.management import call_command

from blog.models import Post
from tests.browser import SCREENSHOTS, PolicyWatch, log_in, requires_chromium, serious_violations

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def look(page, name):
    """Screenshot the page in light and dark, failing on serious or critical axe findings."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.screenshot(path=SCREENSHOTS / f"{name}-{scheme}.png", full_page=True)
        assert serious_violations(page) == [], f"{name} ({scheme})"
    page.emulate_media(color_scheme="light")


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_demo_pages_read_well_and_pass_axe(live_server, browser, width, height):
    call_command("load_demo", stdout=StringIO())
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()

    for slug, heading in [
        ("about", "About The Byline Review"),
        ("contact", "Contact"),
        ("privacy", "Privacy"),
    ]:
        page.goto(f"{live_server.url}/{slug}/")
        assert page.locator("h1").inner_text() == heading
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        assert scrolled <= width, f"/{slug}/ scrolls sideways at {width}px ({scrolled}px)"
        look(page, f"page-{slug}-{width}")
    context.close()


def test_an_editor_finds_the_pages_in_their_own_admin_list(live_server, browser, editor):
    call_command("load_demo", stdout=StringIO())
    page = log_in(browser, live_server, editor)

    page.goto(f"{live_server.url}/admin/blog/page/")

    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 3
    assert "/about/" in rows.first.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "admin-pages.png", full_page=True)
    page.get_by_role("link", name="About The Byline Review").click()
    page.wait_for_url("**/admin/blog/page/*/change/")
    assert page.locator("#id_title").input_value() == "About The Byline Review"
    assert page.locator("#id_tags").count() == 0
    assert page.get_by_role("link", name="Revisions").is_visible()
    page.screenshot(path=SCREENSHOTS / "admin-page-form.png", full_page=True)
    page.context.close()


def test_an_editor_writes_and_publishes_a_page_with_no_script_error(live_server, browser, editor):
    page = log_in(browser, live_server, editor)
    watch = PolicyWatch(page.context)

    page.goto(f"{live_server.url}/admin/blog/page/add/")
    page.fill("#id_title", "Our reading list")
    page.fill("#id_body", "## Books\n\nA few we *return* to.")
    page.fill("#id_description", "Books the writers of this site keep going back to.")
    assert page.locator("#id_slug").input_value() == "our-reading-list"
    page.get_by_role("button", name="Publish now").first.click()
    page.wait_for_url("**/admin/blog/page/")

    assert Post.objects.pages().public().filter(slug="our-reading-list").exists()
    page.goto(f"{live_server.url}/our-reading-list/")
    assert page.locator("h1").inner_text() == "Our reading list"
    assert watch.violations == [] and watch.errors == []
    page.context.close()
