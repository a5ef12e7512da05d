"""The Content-Security-Policy in a real browser: readers' pages and every admin script run
under it with no violation reported, and the watch does see a violation when there is one.
Screenshots in var/screenshots/."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import expect

from blog.models import Image as LibraryImage
from blog.models import Post
from tests.browser import SCREENSHOTS, PolicyWatch, requires_chromium
from tests.factories import FullPostFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

BODY = """## Soil first

A table with aligned columns:

| crop | weeks | note |
|:-----|:-----:|-----:|
| kale | 8 | hardy |

Some [outbound](https://example.org/) and [sponsored](https://amzn.to/x) links.[^1]

[^1]: A footnote.
"""


def png(colour="green"):
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 630), colour).save(buffer, "PNG")
    return buffer.getvalue()


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"csp-{name}.png", full_page=True)


def watched(browser, live_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    # The test server does not serve media files, and a 404 page is a 404 on purpose: the
    # browser logs both as errors that are not the policy's doing.
    ignore = [f"{live_server.url}/media/", f"{live_server.url}/posts/no-such-post/"]
    return context, PolicyWatch(context, ignore_urls=ignore)


def test_readers_pages_report_no_violation(live_server, browser):
    writer = UserFactory(slug="writer", bio="Grows **kale**.", website="https://w.example")
    topic = TopicFactory(name="Garden", slug="garden")
    post = FullPostFactory(
        slug="soil", body=BODY, authors=[writer], tags=["kale"], topics=[topic],
        featured_image_alt="A green field", faqs=[{"answer": "Yes, *mostly*."}], references=1,
    )  # fmt: skip
    post.featured_image = LibraryImage.objects.create_from_upload(
        ContentFile(png(), "field.png"), user=writer
    )
    post.body += f'\n\n![A field, again](image:{post.featured_image.pk} "With a caption")\n'
    post.save()
    context, watch = watched(browser, live_server)
    page = context.new_page()

    year = post.publish_at.year
    for url in [
        "/",
        "/posts/soil/",
        "/posts/soil/",  # now from the page cache
        "/tags/kale/",
        "/topics/garden/",
        "/authors/writer/",
        "/search/?q=kale",
        f"/archive/{year}/",
        f"/archive/{year}/{post.publish_at.month}/",
        "/posts/no-such-post/",
    ]:
        page.goto(live_server.url + url)
        assert page.locator("h1").count() == 1, url
    page.goto(live_server.url + "/posts/soil/")
    assert watch.violations == []
    assert watch.errors == []
    assert page.locator("td.align-center").inner_text() == "8"
    assert page.locator("td.align-right").evaluate("e => getComputedStyle(e).textAlign") == "right"
    assert page.locator('script[type="application/ld+json"]').count() >= 2
    shot(page, "1-post")

    # The watch is not blind: an inline style and an inline script are refused and reported.
    page.evaluate(
        """() => {
        document.body.insertAdjacentHTML("beforeend", '<p style="color: red">styled</p>');
        const script = document.createElement("script");
        script.textContent = "window.ran = true";
        document.body.append(script);
    }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran") is None
    assert any(v.startswith("style-src-attr") for v in watch.violations), watch.violations
    assert any(v.startswith("script-src-elem") for v in watch.violations), watch.violations
    context.close()


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


DROP_IMAGE = """([selector, base64]) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], "dropped.png", {type: "image/png"}));
    document.querySelector(selector).dispatchEvent(
        new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true})
    );
}"""


def test_every_admin_script_runs_with_no_violation(live_server, browser, superuser):
    import base64

    TopicFactory(name="Garden", slug="garden")
    TopicFactory(name="Money", slug="money")
    context, watch = watched(browser, live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, superuser)

    # A new post: the slug fills itself in, the live preview renders as one types.
    page.goto(f"{live_server.url}/admin/blog/post/add/")
    page.locator("#id_title").press_sequentially("Kale in winter")
    assert page.input_value("#id_slug") == "kale-in-winter"
    page.fill("#id_description", "Growing kale through the cold months.")
    page.locator("#id_body").press_sequentially("## Frost\n\nSweetens the *leaves*.\n\n")
    page.locator("#id_body").press("End")
    page.locator("#id_body").evaluate("(e, text) => { e.value += text }", BODY)
    page.locator("#id_body").press_sequentially(" ")
    page.wait_for_selector(".markdownx-preview td.align-right")
    assert page.locator(".markdownx-preview em").first.inner_text() == "leaves"

    # An image dropped on the editor goes into the library, is described in the picker
    # (image-picker.js) and shows in the preview.
    page.evaluate(DROP_IMAGE, ["#id_body", base64.b64encode(png("orange")).decode()])
    page.locator(".image-picker__alt").fill("An orange square")
    page.get_by_role("button", name="Insert").click()
    expect(page.locator("#id_body")).to_have_value(
        re.compile(r"!\[An orange square\]\(image:\d+\)")
    )
    page.wait_for_selector(".markdownx-preview img")

    # Inline rows: add two FAQs, remove one; add a reference.
    page.locator("#faqs-group .add-row a").click()
    page.locator("#faqs-group .add-row a").click()
    page.fill("#id_faqs-0-question", "Does frost kill it?")
    page.fill("#id_faqs-0-answer", "No, it *sweetens* it.")
    page.locator("#faqs-1 .inline-deletelink").click()
    assert page.locator("#faqs-group .inline-related:not(.empty-form)").count() == 1
    page.locator("#references-group .add-row a").click()
    page.fill("#id_references-0-title", "Cold hardiness of brassicas")

    # filter_horizontal: pick a topic, with a filter typed in.
    page.fill("#id_topics_input", "gard")
    page.select_option("#id_topics_from", label="Garden")
    page.click("#id_topics_add")
    assert page.locator("#id_topics_to option").all_inner_texts() == ["Garden"]

    # Date and time pickers (added inline rows renumber them).
    page.fill("#id_publish_at_0", "")
    page.click(".field-publish_at button[id^=calendarlink]")
    page.locator(".calendarbox:visible td a", has_text="15").click()
    assert page.input_value("#id_publish_at_0").endswith("-15")
    page.click(".field-publish_at button[id^=clocklink]")
    page.locator(".clockbox:visible a", has_text="Noon").click()
    assert page.input_value("#id_publish_at_1") == "12:00:00"

    # A related object in a popup: a new topic, added and chosen from the popup.
    with page.expect_popup() as popup_info:
        page.click("#add_id_topics")
    popup = popup_info.value
    popup.wait_for_load_state()
    popup.locator("#id_name").press_sequentially("Frost")
    assert popup.input_value("#id_slug") == "frost"
    popup.click("input[name=_save]")
    popup.wait_for_event("close")
    assert "Frost" in page.locator("#id_topics_to option").all_inner_texts()

    # Collapsed fieldsets open and close.
    summary = page.locator("fieldset.collapse summary, details summary").first
    summary.click()
    summary.click()
    page.locator("details summary", has_text="Search engines").click()
    page.fill("#id_canonical_url", "https://example.org/kale")
    shot(page, "2-post-add")

    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    post = Post.objects.get(slug="kale-in-winter")
    assert post.faqs.count() == 1 and post.references.count() == 1
    assert sorted(post.topics.values_list("name", flat=True)) == ["Frost", "Garden"]

    # The change form, as saved, with its live preview of the stored body.
    page.goto(f"{live_server.url}/admin/blog/post/{post.pk}/change/")
    page.wait_for_selector(".markdownx-preview h2")
    shot(page, "3-post-change")

    # Actions on the change list.
    page.goto(f"{live_server.url}/admin/blog/post/")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "submit_for_review")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist")
    page.click("#changelist-filter a >> nth=1")  # the filter sidebar

    for url in [
        f"/admin/blog/post/{post.pk}/revisions/",
        f"/admin/blog/post/{post.pk}/preview/",
        f"/admin/accounts/user/{superuser.pk}/change/",
        "/admin/blog/post/import/",
        "/admin/blog/topic/",
        "/admin/taggit/tag/",
        "/admin/",
    ]:
        page.goto(live_server.url + url)
    page.goto(f"{live_server.url}/admin/blog/post/{post.pk}/revisions/")
    page.get_by_role("button", name="Compare").click()
    page.goto(f"{live_server.url}/admin/accounts/user/{superuser.pk}/change/")
    page.select_option("#id_groups_from", index=0)
    page.click("#id_groups_add")
    page.click(".field-last_login button[id^=calendarlink]")
    page.locator(".calendarbox:visible a", has_text="Cancel").click()
    shot(page, "4-user-change")

    # The theme switch and the sidebar's filter: scripts of every admin page.
    page.goto(f"{live_server.url}/admin/blog/post/")
    page.locator("button.theme-toggle").first.click()
    page.fill("#nav-filter", "top")

    assert watch.violations == []
    assert watch.errors == []
    context.close()
