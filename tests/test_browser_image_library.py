"""The image library in a browser: files chosen and dropped upload one by one with their
reasons when refused, the grid shows them, a click sets the focal point, and no script or
style breaks the Content-Security-Policy."""

import base64
import io
import math

import pytest
from django.core.files.base import ContentFile
from PIL import Image as Picture
from PIL import ImageDraw
from playwright.sync_api import expect

from blog.models import Image
from tests.browser import SCREENSHOTS, PolicyWatch, log_in, requires_chromium, serious_violations
from tests.factories import PostFactory

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def landscape(width, height, sky, ground, sun):
    """A picture with something to look at: sky, hills and a sun."""
    picture = Picture.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(picture)
    for y in range(height // 2):
        shade = tuple(int(c + (255 - c) * y / height) for c in sky)
        draw.line([(0, y), (width, y)], fill=shade)
    sun_x, sun_y, radius = int(width * sun[0]), int(height * sun[1]), height // 9
    draw.ellipse([sun_x - radius, sun_y - radius, sun_x + radius, sun_y + radius], (255, 214, 90))
    points = [(x, int(height * (0.62 + 0.08 * math.sin(x / width * 7)))) for x in range(width)]
    draw.polygon([(0, height), *points, (width, height)], fill=ground)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


PICTURES = [
    ("Harbour at dawn.jpg", (1600, 1000), (90, 140, 200), (40, 90, 60), (0.25, 0.3)),
    ("Wheat field.jpg", (1200, 1200), (120, 170, 230), (200, 160, 60), (0.7, 0.25)),
    ("Evening ridge.jpg", (1800, 900), (230, 120, 80), (60, 50, 80), (0.5, 0.45)),
    ("Orchard.jpg", (900, 1200), (150, 200, 240), (70, 130, 50), (0.3, 0.2)),
]


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"image-library-{name}.png", full_page=True)


def test_upload_browse_and_set_a_focal_point(live_server, browser, editor, settings):
    settings.BYLINE_SERVE_MEDIA = True  # thumbnails come from the test server
    page = log_in(browser, live_server, editor)
    # The refused file is answered 400 on purpose; the browser logs that as an error.
    watch = PolicyWatch(page.context, ignore_urls=[f"{live_server.url}/admin/blog/image/upload/"])
    page.set_default_timeout(20_000)

    page.goto(f"{live_server.url}/admin/blog/image/add/")
    files = [
        {"name": name, "mimeType": "image/jpeg", "buffer": landscape(*size, *colours)}
        for name, size, *colours in PICTURES[:3]
    ]
    files.append({"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"<html>no</html>"})
    page.set_input_files(".image-upload__input", files)
    # The admin's policy forbids eval, so waits are Playwright's own, not wait_for_function.
    expect(page.locator(".image-upload__item")).to_have_count(4)
    expect(page.locator(".image-upload__item--busy")).to_have_count(0, timeout=60_000)
    assert page.locator(".image-upload__item--done").count() == 3
    failed = page.locator(".image-upload__item--failed")
    assert "“notes.jpg” is not a JPEG, PNG, WebP or GIF image" in failed.inner_text()

    # A file dropped on the page goes the same way.
    dropped = base64.b64encode(landscape(900, 1200, *PICTURES[3][2:])).decode()
    page.evaluate(
        """([base64]) => {
            const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "Orchard.jpg", {type: "image/jpeg"}));
            document.querySelector(".image-upload__drop").dispatchEvent(
                new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true})
            );
        }""",
        [dropped],
    )
    expect(page.locator(".image-upload__item--done")).to_have_count(4, timeout=30_000)
    shot(page, "upload")
    assert Image.objects.count() == 4

    orchard = Image.objects.get(title="Orchard")
    PostFactory(title="Apples in October", body=f"![Apple trees](image:{orchard.pk})")
    Image.objects.filter(title="Wheat field").update(alt_text="A wheat field under a blue sky")

    page.goto(f"{live_server.url}/admin/blog/image/")
    assert page.locator(".image-grid__item").count() == 4
    for thumbnail in page.locator(".image-grid__frame img").all():
        expect(thumbnail).to_have_js_property("complete", True)
        assert thumbnail.evaluate("i => i.naturalWidth") > 0
    assert page.locator(".image-grid__badge").count() == 3  # no alt text yet
    assert serious_violations(page) == []
    shot(page, "grid")

    page.goto(f"{live_server.url}/admin/blog/image/{orchard.pk}/change/")
    picture = page.locator(".focal-picker__image")
    box = picture.bounding_box()
    picture.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.2})
    page.fill("#id_alt_text", "Rows of apple trees under a pale sky")
    assert "Apples in October" in page.locator(".image-usage").inner_text()
    assert serious_violations(page) == []
    shot(page, "edit")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    orchard.refresh_from_db()
    assert abs(orchard.focal_x - 0.3) < 0.02 and abs(orchard.focal_y - 0.2) < 0.02
    assert orchard.alt_text == "Rows of apple trees under a pale sky"

    # Used: deleting it is refused with the post named.
    page.goto(f"{live_server.url}/admin/blog/image/{orchard.pk}/delete/")
    assert "“Apples in October”" in page.locator(".messagelist").inner_text()
    assert watch.violations == [] and watch.errors == []


def test_a_contributor_sees_anothers_image_read_only(live_server, browser, contributor, editor):
    image = Image.objects.create_from_upload(
        ContentFile(landscape(800, 500, *PICTURES[0][2:]), "harbour.jpg"), user=editor
    )
    page = log_in(browser, live_server, contributor)

    page.goto(f"{live_server.url}/admin/blog/image/{image.pk}/change/")

    assert page.locator("#id_alt_text").count() == 0
    assert page.locator(".focal-picker--editable").count() == 0
    assert page.locator("input[name=_save]").count() == 0


def test_a_phone_gets_a_small_modern_rendition_that_fits_the_screen(live_server, browser, settings):
    settings.BYLINE_SERVE_MEDIA = True
    image = Image.objects.create_from_upload(
        ContentFile(landscape(2400, 1500, *PICTURES[2][2:]), "ridge.jpg"),
        user=None,
        alt_text="A ridge at sunset",
        caption="The ridge above the village",
        credit="Ann Lens",
    )
    PostFactory(
        slug="ridge", body=f"Words before.\n\n![A ridge at sunset](image:{image.pk})\n\nAfter."
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()

    page.goto(f"{live_server.url}/posts/ridge/")

    picture = page.locator(".figure img")
    expect(picture).to_have_js_property("complete", True)
    assert picture.evaluate("i => i.currentSrc").endswith("-960w.avif")  # 390 × 2, not 2400
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 390
    caption = page.locator(".figure figcaption").inner_text()
    assert caption == "The ridge above the village Ann Lens"
    shot(page, "post-phone")
    context.close()
