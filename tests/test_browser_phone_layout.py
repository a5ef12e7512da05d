"""A post read on a 390×844 phone starts on the first screen: the first paragraph of the article
is visible without scrolling, for every demo post and for the shared real-world sample (which
has a long title, a description, a disclosure and a table of contents above its text)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from blog.models import Post
from tests.browser import requires_chromium
from tests.helpers import import_posts

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
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
