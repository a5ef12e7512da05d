"""The trust-boundary controls in a real browser: an editor merges tags through the
confirmation page; a contributor revokes a preview link. Screenshots in var/screenshots/."""

import pytest
from taggit.models import Tag

from blog.models import Post
from blog.preview import preview_url
from tests.browser import SCREENSHOTS, log_in, requires_chromium
from tests.factories import PostFactory

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"trust-{name}.png", full_page=True)


def test_editor_merges_two_tags_in_the_browser(live_server, browser, editor):
    PostFactory(title="Leaf mould", tags=["compost"])
    PostFactory(title="Hot heaps", tags=["composting"])
    page = log_in(browser, live_server, editor)

    page.goto(f"{live_server.url}/admin/taggit/tag/")
    for name in ("compost", "composting"):
        page.check(f"tr:has(a:text-is('{name}')) input.action-select")
    page.select_option("select[name=action]", "merge_selected_tags")
    page.click("button[name=index]")
    page.wait_for_selector("text=These tags will be deleted")
    page.fill("#id_name", "Composting")
    shot(page, "merge-tags")
    page.click("input[value=Merge]")

    page.wait_for_selector("text=Merged into “composting”: 1 post changed.")
    shot(page, "merged")
    assert list(Tag.objects.values_list("name", flat=True)) == ["composting"]


def test_contributor_revokes_a_preview_link_in_the_browser(live_server, browser, contributor):
    post = PostFactory(title="Not out yet", authors=[contributor], status=Post.Status.DRAFT)
    old_link = live_server.url + preview_url(post)[0]
    page = log_in(browser, live_server, contributor)

    page.goto(f"{live_server.url}/admin/blog/post/{post.pk}/change/")
    shot(page, "revoke-button")
    page.click("button[name=_revoke_previews]")
    page.wait_for_selector("text=preview links given out so far no longer work")
    shot(page, "revoked")
    new_link = live_server.url + page.get_attribute(".field-preview_link a", "href")

    assert new_link != old_link
    assert page.goto(old_link).status == 404
    assert page.goto(new_link).status == 200
