"""A post read on a 390×844 phone starts on the first screen: the first paragraph of the article
is visible without scrolling, for every demo post and for the shared real-world sample (which
has a long title, a description, five topics and a table of contents above its text). A
desktop still shows everything, the contents open; the pages pass axe on both, light and
dark."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from blog.models import Post
from tests.browser import SCREENSHOTS, requires_chromium, serious_violations
from tests.helpers import import_posts

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Beside the checkout (…/main/tests) or beside a worktree's parent (…/wt/name/tests).
SAMPLE = next(
    (
        found
        for folder in Path(__file__).resolve().parents[2:4]
        if (found := folder / "shared" / "samples" / "why-men-pull-away.md").exists()
    ),
    Path("why-men-pull-away.md"),
)
# The first paragraph of the article's own text (a disclosure or a figure before it is not it).
FIRST_PARAGRAPH = ".post__body > p"


def first_paragraph_top(page, url):
    """Where the article's first paragraph starts, in CSS pixels from the top of the page."""
    page.goto(url)
    page.evaluate("window.scrollTo(0, 0)")
    return page.locator(FIRST_PARAGRAPH).first.evaluate(
        "element => element.getBoundingClientRect().top + window.scrollY"
    )


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_every_demo_post_starts_on_the_first_screen_of_a_phone(live_server, phone):
    call_command("load_demo", stdout=StringIO())

    tops = {
        post.slug: first_paragraph_top(phone, live_server.url + post.get_absolute_url())
        for post in Post.objects.published()
    }

    assert len(tops) >= 10
    shown = ", ".join(f"{slug}: {top:.0f}px" for slug, top in sorted(tops.items()))
    assert max(tops.values()) < PHONE["height"], f"first paragraphs start at {shown}"


@pytest.mark.skipif(not SAMPLE.exists(), reason="the shared sample is not beside this checkout")
def test_the_shared_sample_starts_on_the_first_screen_of_a_phone(live_server, phone):
    _, _, error = import_posts(SAMPLE, status="published")
    assert error is None
    post = Post.objects.get()

    top = first_paragraph_top(phone, live_server.url + post.get_absolute_url())

    assert top < PHONE["height"], f"the first paragraph starts {top:.0f}px down"


def test_the_contents_are_folded_on_a_phone_and_open_on_a_desktop(live_server, browser):
    call_command("load_demo", stdout=StringIO())
    url = live_server.url + "/posts/preserving-a-summer-glut/"
    link = "Blanching, briefly"

    phone = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
    phone.goto(url)
    folded = phone.locator(".toc--folded details")
    assert folded.is_visible() and folded.get_attribute("open") is None
    assert not phone.get_by_role("link", name=link).is_visible()
    phone.locator("summary", has_text="Contents").click()
    assert phone.get_by_role("link", name=link).is_visible()
    phone.context.close()

    desktop = browser.new_context(viewport=DESKTOP).new_page()
    desktop.goto(url)
    assert desktop.get_by_role("navigation", name="Contents").is_visible()
    assert desktop.get_by_role("link", name=link).is_visible()
    assert not desktop.locator(".toc--folded").is_visible()
    desktop.context.close()


def test_a_desktop_shows_everything_a_phone_condenses(live_server, browser):
    call_command("load_demo", stdout=StringIO())
    post = Post.objects.get(slug="preserving-a-summer-glut")

    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(live_server.url + post.get_absolute_url())

    assert page.locator(".site-header__tagline").is_visible()
    assert page.locator(".breadcrumbs [aria-current=page]").inner_text() == post.title
    topics = page.locator(".post__topics")
    assert topics.evaluate("element => element.scrollWidth <= element.clientWidth")
    assert page.get_by_role("button", name="Search").is_visible()
    page.context.close()


@pytest.mark.parametrize("width", [PHONE["width"], DESKTOP["width"]])
def test_home_post_and_topic_pages_pass_axe_light_and_dark(live_server, browser, width):
    call_command("load_demo", stdout=StringIO())
    viewport = PHONE if width == PHONE["width"] else DESKTOP
    context = browser.new_context(viewport=viewport, is_mobile=width == PHONE["width"])
    page = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    for name, path in [
        ("home", "/"),
        ("post", "/posts/preserving-a-summer-glut/"),
        ("topic", "/topics/cooking/"),
    ]:
        page.goto(live_server.url + path)
        width_scrolled = page.evaluate("document.documentElement.scrollWidth")
        assert width_scrolled <= viewport["width"], f"{name} scrolls sideways"
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.screenshot(path=SCREENSHOTS / f"layout-{name}-{width}-{scheme}.png")
            assert serious_violations(page) == [], f"{name} at {width}px ({scheme})"
    context.close()
