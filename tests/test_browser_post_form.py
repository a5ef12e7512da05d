"""The post form as a place to write, in a real browser under the admin's Content-Security-Policy
(issue 14): the toolbar and its shortcuts act on the selection, counts and previews follow the
typing, the bar stays in view, wide mode is remembered, tags are suggested, FAQs are reordered by
dragging and with the buttons and saved so, and axe finds nothing serious. Screenshots of the form
at 1280 and 1920 px go to BYLINE_POST_FORM_SCREENSHOTS (default docs/screenshots/)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from blog.models import FAQ, Post
from blog.rendering import count_words, reading_minutes, render_markdown
from tests.browser import PolicyWatch, log_in, requires_chromium, serious_violations
from tests.factories import FAQFactory, FullPostFactory, PostFactory

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("BYLINE_POST_FORM_SCREENSHOTS", "docs/screenshots"))
WAIT = 10_000
MOD = "Control"

BODY = """## Why the balcony works

A south-facing balcony gets six hours of sun from May, which is all a tomato asks. The wall
behind it keeps the night warm.

- Pots of forty litres at least
- A feed every week once the fruit sets

> Water in the morning, never at night.

The `drip` line pays for itself in a month.
"""


def open_form(browser, live_server, user, post):
    page = log_in(browser, live_server, user)
    watch = PolicyWatch(page.context)
    page.goto(f"{live_server.url}/admin/blog/post/{post.pk}/change/")
    page.wait_for_selector(".md-toolbar")
    return page, watch


def select(page, start, end):
    page.locator("#id_body").evaluate(
        "(el, [s, e]) => { el.focus(); el.setSelectionRange(s, e); }", [start, end]
    )


def body_value(page):
    return page.locator("#id_body").input_value()


def test_toolbar_buttons_and_shortcuts_format_the_selected_text(live_server, browser, editor):
    post = PostFactory(status=Post.Status.DRAFT, body="Hello world", authors=[editor])
    page, watch = open_form(browser, live_server, editor, post)
    toolbar = page.get_by_role("toolbar", name="Formatting")
    bold = toolbar.get_by_role("button", name="Bold")
    assert bold.get_attribute("aria-keyshortcuts") == "Control+B Meta+B"

    select(page, 6, 11)
    bold.click()
    assert body_value(page) == "Hello **world**"

    select(page, 8, 13)  # "world" inside the marks: the same button takes them away
    bold.click()
    assert body_value(page) == "Hello world"

    select(page, 0, 5)
    page.keyboard.press(f"{MOD}+i")
    assert body_value(page) == "_Hello_ world"

    select(page, 8, 13)
    page.keyboard.press(f"{MOD}+k")
    assert body_value(page) == "_Hello_ [world](https://)"
    page.keyboard.type("https://example.org/")  # the address was selected, ready to replace
    assert body_value(page) == "_Hello_ [world](https://example.org/)"

    select(page, 0, 0)
    page.keyboard.press(f"{MOD}+Shift+h")
    assert body_value(page) == "## _Hello_ [world](https://example.org/)"

    page.locator("#id_body").fill("one\ntwo")
    select(page, 0, 7)
    toolbar.get_by_role("button", name="Bulleted list").click()
    assert body_value(page) == "- one\n- two"
    toolbar.get_by_role("button", name="Quote").click()
    assert body_value(page) == "> - one\n> - two"

    page.locator("#id_body").fill("run make")
    select(page, 4, 8)
    page.keyboard.press(f"{MOD}+e")
    assert body_value(page) == "run `make`"
    select(page, 0, 0)
    toolbar.get_by_role("button", name="Image").click()  # the image library (image-picker.js)
    expect(page.get_by_role("dialog", name="Insert an image")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert body_value(page) == "run `make`"

    # Undo takes a formatting step back, as after typing.
    page.locator("#id_body").fill("Hello world")
    select(page, 6, 11)
    page.keyboard.press(f"{MOD}+b")
    page.keyboard.press(f"{MOD}+z")
    assert body_value(page) == "Hello world"

    # Tab indents (markdownx); Escape, then Tab, leaves the text for the next field.
    page.locator("#id_body").fill("indent me")
    select(page, 0, 0)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_body"
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") != "id_body"

    # The toolbar is one stop in the tab order; arrows move within it.
    bold.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Italic"
    assert watch.violations == [] and watch.errors == []


def test_counts_and_previews_follow_what_is_typed(live_server, browser, editor):
    post = PostFactory(
        status=Post.Status.DRAFT,
        title="Tomatoes on a balcony",
        description="",
        body="Start.",
        authors=[editor],
    )
    page, watch = open_form(browser, live_server, editor, post)
    page.locator("#id_body").fill(BODY)
    words = count_words(render_markdown(BODY))

    stats = page.locator(".md-stats")
    expect(stats).to_have_text(f"{words} words · {reading_minutes(words)} min read", timeout=WAIT)
    long_body = BODY + "\n\n" + "word " * 300
    page.locator("#id_body").fill(long_body)
    many = count_words(render_markdown(long_body))
    expect(stats).to_have_text(f"{many} words · {reading_minutes(many)} min read", timeout=WAIT)
    assert reading_minutes(many) == 2

    description = page.locator("#id_description")
    description.fill("How to grow tomatoes in pots on a city balcony.")
    expect(page.locator("#id_description_count")).to_have_text("47 / 155 characters")
    description.fill("x" * 160)
    expect(page.locator("#id_description_count")).to_contain_text("160 / 155 characters: ")
    description.fill("How to grow tomatoes in pots on a city balcony.")

    serp_title = page.locator(".serp__title")
    expect(serp_title).to_contain_text("Tomatoes on a balcony · ")
    page.locator("#id_seo_title").fill("Balcony tomatoes: a guide")
    expect(page.locator("#id_seo_title_count")).to_have_text("25 / 60 characters")
    expect(serp_title).to_contain_text("Balcony tomatoes: a guide · ")
    expect(page.locator(".social-card__title")).to_have_text("Balcony tomatoes: a guide")
    expect(page.locator(".social-card__description")).to_have_text(
        "How to grow tomatoes in pots on a city balcony."
    )
    expect(page.locator(".serp__url")).to_contain_text(post.slug)

    # The preview is set in the public site's type: a serif body, headings in the UI face.
    preview = page.locator(".markdownx-preview")
    assert "Charter" in preview.evaluate("el => getComputedStyle(el).fontFamily")
    heading = preview.locator("h2").first
    assert heading.evaluate("el => getComputedStyle(el).textTransform") == "none"
    assert watch.violations == [] and watch.errors == []


def test_the_bar_stays_in_view_and_its_buttons_still_save(live_server, browser, editor):
    post = FullPostFactory(status=Post.Status.IN_REVIEW, authors=[editor], body=BODY * 6)
    page, watch = open_form(browser, live_server, editor, post)

    page.mouse.wheel(0, 4000)
    page.wait_for_timeout(200)
    box = page.locator("#post-bar").bounding_box()
    assert 0 <= box["y"] < 20
    page.locator("#id_title").fill("Retitled from the bar")
    page.locator(".post-bar__save").click()
    expect(page.locator(".messagelist .success").first).to_be_visible()
    assert Post.objects.get(pk=post.pk).title == "Retitled from the bar"

    page.locator("button[name=_transition][value=publish]").click()
    expect(page.locator(".messagelist .success").first).to_be_visible()
    assert Post.objects.get(pk=post.pk).is_published()
    assert watch.violations == [] and watch.errors == []


def test_wide_writing_is_remembered(live_server, browser, editor):
    post = PostFactory(status=Post.Status.DRAFT, authors=[editor])
    page, _ = open_form(browser, live_server, editor, post)
    wide = page.get_by_role("button", name="Wide writing")
    expect(wide).to_have_attribute("aria-pressed", "false")
    sidebar = page.locator("#nav-sidebar")

    wide.click()
    expect(wide).to_have_attribute("aria-pressed", "true")
    expect(sidebar).to_be_hidden()
    page.reload()
    expect(page.get_by_role("button", name="Wide writing")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("body")).to_have_class(re.compile(r"post-writing--wide"))
    page.get_by_role("button", name="Wide writing").click()
    page.reload()
    expect(page.get_by_role("button", name="Wide writing")).to_have_attribute(
        "aria-pressed", "false"
    )


def test_tags_are_suggested_from_those_the_writer_may_see(live_server, browser, contributor):
    PostFactory(tags=["gardening", "garden design"])  # public
    PostFactory(tags=["garlic-secret"], status=Post.Status.DRAFT)  # someone else's draft
    post = PostFactory(status=Post.Status.DRAFT, authors=[contributor], tags=["soil"])
    page, watch = open_form(browser, live_server, contributor, post)
    tags = page.locator("#id_tags")

    tags.click()
    tags.press("End")
    tags.press_sequentially(", gar")
    options = page.locator("#id_tags_suggestions option")
    expect(options).to_have_count(2, timeout=WAIT)
    values = options.evaluate_all("options => options.map(o => o.value)")
    assert values == ['soil, "garden design", ', "soil, gardening, "]

    tags.fill(values[0])  # what choosing the suggestion puts in the field
    page.locator(".post-bar__save").click()
    expect(page.locator(".messagelist .success").first).to_be_visible()
    assert sorted(Post.objects.get(pk=post.pk).tags.names()) == ["garden design", "soil"]
    assert watch.violations == [] and watch.errors == []


def test_faqs_are_reordered_by_buttons_and_by_dragging_and_saved_so(live_server, browser, editor):
    post = PostFactory(status=Post.Status.DRAFT, authors=[editor])
    for question in ("First?", "Second?", "Third?"):
        FAQFactory(post=post, question=question)
    page, watch = open_form(browser, live_server, editor, post)
    faqs = page.locator("#faqs-group")
    assert faqs.locator("input[name$='-order']").first.get_attribute("type") == "hidden"

    # "Move down" on the first FAQ: Second, First, Third.
    faqs.locator("#faqs-0").get_by_role("button", name="Move down").click()
    expect(faqs.locator(".visually-hidden[aria-live]")).to_have_text("Moved to position 2 of 3.")
    # Drag the third to the top: Third, Second, First.
    faqs.locator("#faqs-2 .row-order__handle").drag_to(
        faqs.locator("#faqs-1 h3"), target_position={"x": 5, "y": 2}
    )
    shown = faqs.locator("input[name$='-question']:not([name*='__prefix__'])")
    questions = shown.evaluate_all("inputs => inputs.map(input => input.value)")
    assert questions == ["Third?", "Second?", "First?"]

    # A new FAQ goes last.
    faqs.locator(".add-row a").click()
    page.locator("#id_faqs-3-question").fill("Fourth?")
    page.locator("#id_faqs-3-answer").fill("Yes.")
    page.locator(".post-bar__save").click()
    expect(page.locator(".messagelist .success").first).to_be_visible()

    saved = FAQ.objects.filter(post=post).order_by("order").values_list("question", flat=True)
    assert list(saved) == ["Third?", "Second?", "First?", "Fourth?"]
    assert watch.violations == [] and watch.errors == []


def test_the_post_form_passes_axe_and_is_photographed(live_server, browser, editor):
    post = FullPostFactory(
        status=Post.Status.IN_REVIEW,
        title="Tomatoes on a balcony: six hours of sun is enough",
        seo_title="Balcony tomatoes: a guide",
        description="How to grow tomatoes in pots on a city balcony, from the first seedling "
        "to the last green fruit.",
        body=BODY * 3,
        authors=[editor],
    )
    page, watch = open_form(browser, live_server, editor, post)
    expect(page.locator(".md-stats")).to_contain_text("words", timeout=WAIT)
    page.wait_for_timeout(500)

    assert serious_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        page.screenshot(path=SHOTS / f"post-form-{width}.png")
        page.screenshot(path=SHOTS / f"post-form-{width}-full.png", full_page=True)
    page.get_by_role("button", name="Wide writing").click()
    page.screenshot(path=SHOTS / "post-form-1920-wide.png")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Wide writing").click()

    # A new post: the same bar, and nothing serious for axe either.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/blog/post/add/")
    page.wait_for_selector(".md-toolbar")
    page.locator("#id_title").fill("A first post")
    page.locator("#id_body").fill(BODY)
    expect(page.locator(".md-stats")).not_to_have_text("0 words · 1 min read", timeout=WAIT)
    assert serious_violations(page) == []
    page.screenshot(path=SHOTS / "post-form-new-1280.png")
    assert watch.violations == [] and watch.errors == []
