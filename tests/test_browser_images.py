"""Images in the post form, in a real browser under the admin's Content-Security-Policy: an image
uploaded through the toolbar's picker goes into the body as a library reference and shows in the
preview; publishing is refused while it has no alt text and goes through once it has, and the
public page serves it with srcset. Dropping an image asks for its alt text; the featured image is
chosen from the library. Screenshots go to BYLINE_SCREENSHOTS (default var/screenshots/)."""

import base64
import re

import pytest
from playwright.sync_api import expect

from blog.models import Image, Post
from tests.browser import SCREENSHOTS, PolicyWatch, log_in, requires_chromium
from tests.helpers import SCRIPT, image_bytes, upload

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

WAIT = 15_000

DROP = """([name, type, data]) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const files = new DataTransfer();
    files.items.add(new File([bytes], name, {type}));
    document.querySelector("#id_body").dispatchEvent(
        new DragEvent("drop", {dataTransfer: files, bubbles: true, cancelable: true}));
}"""


def drop(page, name, content_type, data):
    page.evaluate(DROP, [name, content_type, base64.b64encode(data).decode()])


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"images-{name}.png")


def photo(path, size=(1600, 1000)):
    path.write_bytes(image_bytes("JPEG", size, colour="#3a6f8f", quality=90))
    return path


def test_upload_insert_preview_refuse_then_publish(
    live_server, browser, editor, settings, tmp_path
):
    settings.BYLINE_SERVE_MEDIA = True
    for title, colour in [("gulls", "#aa8844"), ("pier", "#557799")]:
        Image.objects.create_from_upload(
            upload(f"{title}.png", image_bytes("PNG", (640, 480), colour=colour), "image/png"),
            user=editor,
            alt_text=f"The {title}",
        )
    page = log_in(browser, live_server, editor)
    watch = PolicyWatch(page.context)
    page.goto(f"{live_server.url}/admin/blog/post/add/")
    page.fill("#id_title", "A morning at the harbour")
    page.fill("#id_description", "Boats, gulls and the tide.")
    page.fill("#id_body", "The tide was out.\n\n")
    page.locator("#id_body").evaluate(
        "e => { e.focus(); e.setSelectionRange(e.value.length, e.value.length); }"
    )
    expect(page.locator(".md-drop-hint")).to_contain_text("Drop or paste images")

    page.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Image").click()
    picker = page.get_by_role("dialog", name="Insert an image")
    expect(picker).to_be_visible()
    expect(picker.locator(".image-picker__choose")).to_have_count(2)
    expect(picker.locator(".image-picker__choose img").first).to_have_js_property("complete", True)
    shot(page, "1-picker")

    picker.locator(".image-picker__file").set_input_files(str(photo(tmp_path / "harbour.jpg")))
    expect(picker.locator(".image-picker__alt")).to_be_visible(timeout=WAIT)
    image = Image.objects.get(title="harbour")
    assert image.uploaded_by == editor
    expect(picker.locator(".image-picker__alt")).to_have_value("")
    expect(picker.locator(".image-picker__alt-note")).to_contain_text("no alt text")
    picker.get_by_role("button", name="Insert").click()  # without alt text, for now
    expect(picker).to_be_hidden()
    expect(page.locator("#id_body")).to_have_value(
        f"The tide was out.\n\n![](image:{image.pk})\n\n"
    )
    preview = page.locator(".markdownx-preview img")
    expect(preview).to_have_js_property("complete", True, timeout=WAIT)
    assert preview.evaluate("img => img.naturalWidth") > 0  # the picture loaded and shows
    assert re.search(r"-\d+w\.(webp|avif)$", preview.evaluate("img => img.currentSrc"))
    shot(page, "2-inserted")

    page.locator(".post-bar").get_by_role("button", name="Publish now").click()
    errors = page.locator(".errorlist")
    expect(errors.first).to_contain_text(f"“harbour” (image:{image.pk})")
    assert not Post.objects.exists()
    shot(page, "3-refused")

    body = page.locator("#id_body")
    body.fill(body.input_value().replace("![]", "![Fishing boats on the mud at low tide]"))
    page.locator(".post-bar").get_by_role("button", name="Publish now").click()
    expect(page.locator(".messagelist li", has_text="Published")).to_be_visible()
    post = Post.objects.get()
    assert post.is_published()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    shown = page.locator("article img[srcset]").first
    expect(shown).to_have_attribute("alt", "Fishing boats on the mud at low tide")
    expect(shown).to_have_js_property("complete", True)
    chosen = shown.evaluate("img => img.currentSrc")
    assert re.search(r"-(640|960)w\.(webp|avif)$", chosen), chosen  # not the 1600 px original
    assert watch.violations == [] and watch.errors == []


def test_a_dropped_image_asks_for_alt_text_and_a_refused_one_says_why(
    live_server, browser, contributor, settings
):
    settings.BYLINE_SERVE_MEDIA = True
    page = log_in(browser, live_server, contributor)
    # The refused upload's 400 is logged by the browser as a failed resource: that is the point.
    watch = PolicyWatch(page.context, ignore_urls=[f"{live_server.url}/markdownx/upload/"])
    page.goto(f"{live_server.url}/admin/blog/post/add/")
    page.fill("#id_body", "Before the picture.\n\n")
    page.locator("#id_body").evaluate("e => e.setSelectionRange(e.value.length, e.value.length)")

    drop(page, "page.gif", "image/gif", b"<html>" + SCRIPT + b"</html>")
    expect(page.locator(".md-drop-errors")).to_contain_text(
        "“page.gif” is not a JPEG, PNG, WebP or GIF image"
    )
    expect(page.locator("#id_body")).to_have_value("Before the picture.\n\n")
    assert not Image.objects.exists()

    drop(page, "sunset.png", "image/png", image_bytes("PNG", (300, 200), colour="#e07020"))
    dialog = page.get_by_role("dialog", name="Describe the uploaded image")
    expect(dialog).to_be_visible(timeout=WAIT)
    dialog.locator(".image-picker__alt").fill("An orange [sky] over the bay")
    shot(page, "4-describe-dropped")
    dialog.get_by_role("button", name="Insert").click()
    image = Image.objects.get()
    expect(page.locator("#id_body")).to_have_value(
        f"Before the picture.\n\n![An orange (sky) over the bay](image:{image.pk})\n\n"
    )
    assert image.uploaded_by == contributor
    # Their own upload had none: the library keeps what they typed (sent after inserting).
    for _ in range(50):
        image.refresh_from_db()
        if image.alt_text:
            break
        page.wait_for_timeout(100)
    assert image.alt_text == "An orange [sky] over the bay"
    expect(page.locator(".markdownx-preview img")).to_have_js_property("complete", True)
    assert page.locator(".markdownx-preview img").evaluate("img => img.naturalWidth") > 0
    assert page.locator(".md-drop-errors").is_hidden()

    # The stored file opened on its own, under the media CSP, still shows.
    page.goto(f"{live_server.url}{image.url}")
    assert page.evaluate("document.images[0].naturalWidth") == 300
    assert watch.violations == [] and watch.errors == []


def test_the_featured_image_is_chosen_from_the_library(live_server, browser, author, editor):
    theirs = Image.objects.create_from_upload(
        upload("lighthouse.png", image_bytes("PNG", (800, 600), colour="#cc3333"), "image/png"),
        user=editor,
        alt_text="A red lighthouse",
    )
    page = log_in(browser, live_server, author)
    watch = PolicyWatch(page.context)
    page.goto(f"{live_server.url}/admin/blog/post/add/")
    page.fill("#id_title", "Lights")
    page.fill("#id_body", "Lights along the coast.")
    page.locator(
        "fieldset:has(.featured-picker) .collapse-toggle, fieldset:has(.featured-picker) summary"
    ).first.click()

    page.get_by_role("button", name="Choose from library").click()
    picker = page.get_by_role("dialog", name="Choose the featured image")
    picker.get_by_role("button", name=re.compile("lighthouse")).click()
    expect(picker).to_be_hidden()
    expect(page.locator(".featured-picker__name")).to_contain_text(
        "lighthouse (alt: A red lighthouse)"
    )
    expect(page.locator(".featured-picker__preview")).to_be_visible()
    page.locator(".featured-picker").scroll_into_view_if_needed()
    shot(page, "5-featured")
    page.locator(".post-bar").get_by_role("button", name="Save").click()

    expect(page.locator(".messagelist .success").first).to_be_visible()
    post = Post.objects.get()
    assert post.featured_image == theirs
    assert watch.violations == [] and watch.errors == []
