"""Autosave, presence and the unsaved-changes warning in a real browser (issue 11): two editors
see each other arrive on a post without reloading; a tab closed without saving gives its text
back on Restore, for a saved post and for a new one with an FAQ row; leaving by a link with
unsaved changes asks first, saving does not. Screenshots of the presence notice and of the
restore offer go to BYLINE_EDITING_SCREENSHOTS (default var/screenshots/)."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from blog.models import EditorDraft, Post
from blog.models import editing as editing_models
from tests.browser import SCREENSHOTS, PolicyWatch, log_in, requires_chromium
from tests.factories import PostFactory, UserFactory

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("BYLINE_EDITING_SCREENSHOTS", SCREENSHOTS))
WAIT = 15_000  # ms: a heartbeat (2 s here) or an autosave (2 s after typing) and some slack


@pytest.fixture(autouse=True)
def quick_heartbeat(monkeypatch):
    monkeypatch.setattr(editing_models, "HEARTBEAT_SECONDS", 2)
    monkeypatch.setattr(editing_models, "PRESENCE_SECONDS", 6)


@pytest.fixture
def ann(db):
    user = UserFactory(username="ann", display_name="Ann Lee", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"drafts-{name}.png")


def test_two_editors_see_each_other_and_a_closed_tab_gets_its_text_back(
    live_server, browser, editor, ann
):
    post = PostFactory(title="Soil in winter", body="The saved body.", authors=[editor])
    change = f"{live_server.url}/admin/blog/post/{post.pk}/change/"
    edith = log_in(browser, live_server, editor)
    watch = PolicyWatch(edith.context)
    edith.goto(change)
    anns = log_in(browser, live_server, ann)
    anns.goto(change)

    # Each sees the other, Edith without reloading.
    expect(anns.locator(".post-editing__presence")).to_contain_text(
        f"{editor.name} is also editing this post (since", timeout=WAIT
    )
    presence = edith.locator(".post-editing__presence")
    expect(presence).to_contain_text("Ann Lee is also editing this post (since", timeout=WAIT)
    edith.wait_for_timeout(300)  # the notice's icon, loaded once it shows
    shot(edith, "presence")

    # Edith types; leaving by a link asks first, and she stays.
    body = edith.locator("#id_body")
    body.click()
    body.press("End")
    body.press_sequentially("\n\nA paragraph typed and never saved.")
    asked = dialogs_of(edith)
    edith.get_by_role("link", name="Revisions").click()
    edith.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert edith.url == change

    # The change is autosaved; she closes the tab without saving.
    expect(edith.locator(".post-editing__status")).to_contain_text("Autosaved at", timeout=WAIT)
    wait_for_draft(edith, lambda fields: "never saved" in fields["body"])
    context = edith.context
    edith.close()
    assert Post.objects.get(pk=post.pk).body == "The saved body."

    # Ann is told Edith left.
    expect(anns.locator(".post-editing__presence")).to_be_hidden(timeout=WAIT)

    # Edith opens the post again: the form offers her text back, and Restore puts it in.
    again = context.new_page()
    again.goto(change)
    offer = again.locator(".post-editing__offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("You have unsaved changes from")
    again.wait_for_timeout(300)
    shot(again, "restore")
    assert notices_violations(again) == []
    assert again.input_value("#id_body") == "The saved body."
    offer.get_by_role("button", name="Restore").click()
    assert again.input_value("#id_body") == (
        "The saved body.\n\nA paragraph typed and never saved."
    )
    expect(again.locator(".markdownx-preview")).to_contain_text("A paragraph typed and never")
    expect(offer).to_contain_text("Restored your unsaved changes from")

    # Ann's form never offers Edith's draft; having changed nothing, she leaves unasked.
    anns.reload()
    expect(anns.locator(".post-editing__offer")).to_have_count(0)
    anns_asked = dialogs_of(anns)
    anns.locator("#id_body").click()
    anns.get_by_role("link", name="Revisions").click()
    anns.wait_for_url("**/revisions/")
    assert anns_asked == []

    # Saving goes through without a question and discards the draft.
    asked = dialogs_of(again)
    again.click("input[name=_continue]")
    again.wait_for_selector(".messagelist .success")
    assert asked == []
    assert "A paragraph typed and never saved." in Post.objects.get(pk=post.pk).body
    assert not EditorDraft.objects.filter(user=editor).exists()
    expect(again.locator(".post-editing__offer")).to_have_count(0)
    assert watch.violations == [] and watch.errors == []


def test_a_new_post_with_an_faq_comes_back_after_its_tab_is_closed(live_server, browser, editor):
    page = log_in(browser, live_server, editor)
    watch = PolicyWatch(page.context)
    page.goto(f"{live_server.url}/admin/blog/post/add/")
    page.locator("#id_title").press_sequentially("Kale in winter")
    page.locator("#id_body").press_sequentially("Frost sweetens the leaves.")
    page.locator("#faqs-group .add-row a").click()
    page.fill("#id_faqs-0-question", "Does frost kill it?")
    page.fill("#id_faqs-0-answer", "No.")
    expect(page.locator(".post-editing__status")).to_contain_text("Autosaved at", timeout=WAIT)
    wait_for_draft(page, lambda fields: fields.get("faqs-0-answer") == "No.")
    context = page.context
    page.close()

    again = context.new_page()
    again.goto(f"{live_server.url}/admin/blog/post/add/")
    again.get_by_role("button", name="Restore").click()

    assert again.input_value("#id_title") == "Kale in winter"
    assert again.input_value("#id_slug") == "kale-in-winter"
    assert again.input_value("#id_body") == "Frost sweetens the leaves."
    assert again.input_value("#id_faqs-0-question") == "Does frost kill it?"
    again.click("input[name=_save]")
    again.wait_for_selector(".messagelist .success")
    post = Post.objects.get(slug="kale-in-winter")
    assert list(post.faqs.values_list("question", flat=True)) == ["Does frost kill it?"]
    assert not EditorDraft.objects.exists()
    assert watch.violations == [] and watch.errors == []


def dialogs_of(page):
    """The types of the dialogs `page` opens from now on, each answered "stay"."""
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    return asked


def notices_violations(page):
    """axe-core's findings on the notices (the rest of the form is Django's)."""
    from axe_playwright_python.sync_playwright import Axe

    return [v["id"] for v in Axe().run(page, context="#post-editing").response["violations"]]


def wait_for_draft(page, ready):
    """Until the one draft there is has fields `ready` accepts (autosave sends the last change
    a moment after it is typed)."""
    for _ in range(60):
        draft = EditorDraft.objects.first()
        if draft and ready(draft.fields):
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"not autosaved: {EditorDraft.objects.first()}")
