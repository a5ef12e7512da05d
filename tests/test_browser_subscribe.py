"""Subscribing in a real browser: a feed opened in Chromium reads as a page of the site under
its Content-Security-Policy; the subscribe page copies addresses and passes axe in light and
dark, on a desktop and a phone; the header menu stays one row on a phone."""

import re
from datetime import UTC

import pytest
from playwright.sync_api import expect

from blog.models import Menu, MenuItem
from tests.browser import SCREENSHOTS, PolicyWatch, log_in, requires_chromium, serious_violations
from tests.factories import PostFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

# Chromium 140+ inserts a banner of its own into every page an XSLT stylesheet made, saying
# XSLT will be removed; the site's policy refuses its inline styles and click handler. Those
# refusals are the browser's: the page's own elements carry no style or handler attribute.
OWN_INLINE = """() => [...document.querySelectorAll("*")].filter((element) =>
  !element.closest("xslt-warning-banner")
  && [...element.attributes].some((a) => a.name === "style" || a.name.startsWith("on"))
).length"""
ATTRIBUTE_REFUSALS = ("style-src-attr refused inline", "script-src-attr refused inline")


@pytest.fixture
def site():
    maya = UserFactory(username="maya", display_name="Maya Okafor", slug="maya")
    cooking = TopicFactory(name="Cooking", slug="cooking")
    return [
        PostFactory(
            title=f"Bread, part {number}",
            description=f"How to bake, part {number}.",
            authors=[maya],
            topics=[cooking],
            tags=["bread"],
        )
        for number in range(3)
    ]


def not_from_the_banner(page, violations):
    """The violations the browser's own banner (in a closed shadow root) does not explain:
    with the banner there, refused style and handler attributes are its own, as the page's
    elements have none; anything else (a refused script, stylesheet or image) is the page's."""
    assert page.evaluate(OWN_INLINE) == 0
    if page.locator("xslt-warning-banner").count():
        violations = [v for v in violations if not v.startswith(ATTRIBUTE_REFUSALS)]
    return violations


@pytest.mark.parametrize("path", ["/feed/", "/topics/cooking/feed/atom/"])
def test_a_feed_opened_in_a_browser_reads_as_a_page_under_the_sites_policy(
    live_server, browser, site, path
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watch = PolicyWatch(context)
    page = context.new_page()

    response = page.goto(live_server.url + path)

    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("h1").inner_text().startswith("The Byline Review")
    assert page.get_by_role("heading", name="This is a feed, for a feed reader").is_visible()
    for number in range(3):
        link = page.get_by_role("link", name=f"Bread, part {number}")
        assert link.is_visible()
        assert link.get_attribute("href").endswith(f"/posts/bread-part-{number}/")
    published = site[0].publish_at.astimezone(UTC)
    first_date = page.locator(".post-card time").first
    assert first_date.inner_text() == f"{published.day} {published:%B %Y}"  # the site's format
    assert first_date.get_attribute("datetime") == f"{published:%Y-%m-%d}"
    assert page.locator(f'.feed-address__url:text("{live_server.url}{path}")').count() == 1
    # Styled by the site's stylesheet: the header has the site's background, not the default.
    background = page.locator(".site-header").evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"feed{path.replace('/', '-')}.png", full_page=True)
    assert not_from_the_banner(page, watch.violations) == []
    context.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_subscribe_page_copies_addresses_and_passes_axe(
    live_server, browser, site, width, height
):
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=width < 500
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    watch = PolicyWatch(context)
    page = context.new_page()
    page.goto(live_server.url + "/subscribe/")

    copy = page.get_by_role("button", name="Copy the Cooking feed address")
    assert copy.is_visible()  # shown by the page's script
    copy.click()
    assert (
        page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/topics/cooking/feed/"
    )
    assert copy.inner_text() == "Copied"
    expect(page.get_by_role("status")).to_have_text(re.compile("^Copied"))

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.screenshot(path=SCREENSHOTS / f"subscribe-{width}-{scheme}.png", full_page=True)
        assert serious_violations(page) == [], f"{scheme}, {width}px"
    assert watch.violations == [] and watch.errors == []
    context.close()


def test_the_header_menu_is_one_row_on_a_phone(live_server, browser):
    header = Menu.objects.create(location=Menu.Location.HEADER)
    for number in range(8):
        topic = TopicFactory(name=f"A long topic name {number}", slug=f"topic-{number}")
        MenuItem.objects.create(menu=header, kind=MenuItem.Kind.TOPIC, topic=topic, order=number)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + "/")

    nav = page.get_by_role("navigation", name="Main")
    assert nav.bounding_box()["height"] < 50  # one row, however many items
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the row scrolls
    last = nav.get_by_role("link", name="A long topic name 7")
    last.focus()  # reached from the keyboard, scrolled into view
    box = last.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= 390
    assert serious_violations(page) == []
    context.close()


def test_an_editor_orders_the_menu_by_dragging_and_with_the_keyboard(live_server, browser, editor):
    header = Menu.objects.create(location=Menu.Location.HEADER)
    for number, name in enumerate(["Alpha", "Beta", "Gamma"], start=1):
        MenuItem.objects.create(
            menu=header, kind=MenuItem.Kind.LINK, url=f"https://{name.lower()}.example/",
            label=name, order=number,
        )  # fmt: skip
    page = log_in(browser, live_server, editor)
    watch = PolicyWatch(page.context)
    page.goto(f"{live_server.url}/admin/blog/menu/{header.pk}/change/")

    def labels():
        return page.locator("tr.form-row:not(.empty-form) td.field-label input").evaluate_all(
            "inputs => inputs.map((input) => input.value)"
        )

    rows = page.locator("tr.form-row:not(.empty-form)")
    rows.nth(0).get_by_role("button", name="Move down").focus()
    page.keyboard.press("Enter")
    assert labels() == ["Beta", "Alpha", "Gamma"]
    assert page.get_by_role("status").inner_text() == "Moved to position 2 of 3."
    rows.nth(2).locator(".menu-order__handle").drag_to(
        rows.nth(0), target_position={"x": 5, "y": 2}
    )
    assert labels() == ["Gamma", "Beta", "Alpha"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "menu-admin.png", full_page=True)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector(".messagelist")

    assert list(header.items.values_list("label", flat=True)) == ["Gamma", "Beta", "Alpha"]
    page.goto(live_server.url + "/")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link").all_inner_texts() == ["Gamma", "Beta", "Alpha"]
    assert watch.violations == []
    page.context.close()
