"""Image uploads in a real browser: dropping an image into the Markdown editor inserts it and
the preview shows it; a refused file shows why, above the editor, and leaves the text as it
was. Screenshots in var/screenshots/."""

import base64
import re

import pytest
from playwright.sync_api import expect

from tests.browser import SCREENSHOTS, log_in, requires_chromium
from tests.helpers import SCRIPT, image_bytes

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

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
    page.screenshot(path=SCREENSHOTS / f"uploads-{name}.png", full_page=True)


def test_dropping_images_into_the_editor(live_server, browser, contributor, settings):
    settings.BYLINE_SERVE_MEDIA = True
    page = log_in(browser, live_server, contributor)
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m))
    page.goto(f"{live_server.url}/admin/blog/post/add/")
    page.fill("#id_body", "Before the picture.\n\n")
    page.locator("#id_body").evaluate("e => e.setSelectionRange(e.value.length, e.value.length)")

    drop(page, "page.gif", "image/gif", b"<html>" + SCRIPT + b"</html>")
    error = page.wait_for_selector(".upload-errors li")
    assert "“page.gif” is not a JPEG, PNG, WebP or GIF image" in error.inner_text()
    # The admin's policy forbids eval, so waits are Playwright's own, not wait_for_function.
    expect(page.locator("#id_body")).to_have_value("Before the picture.\n\n")
    shot(page, "1-refused")

    drop(page, "sunset.png", "image/png", image_bytes("PNG", (300, 200), colour="#e07020"))
    expect(page.locator("#id_body")).to_have_value(re.compile(r"!\[\]\(/media/"))
    assert page.locator(".upload-errors").count() == 0
    preview = page.locator(".markdownx-preview img")
    expect(preview).to_have_js_property("naturalWidth", 300)
    shot(page, "2-inserted")

    # The image opened on its own, under the media CSP, still shows.
    page.goto(preview.get_attribute("src").replace("/media/", f"{live_server.url}/media/", 1))
    assert page.evaluate("document.images[0].naturalWidth") == 300
    assert violations == []
