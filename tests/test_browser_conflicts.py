"""Two editors in two browser windows change the same line of a post: the second is shown the
conflict, settles it in the form, and saves. The conflict page's screenshot goes to
BYLINE_CONFLICT_SCREENSHOT if set, else var/screenshots/."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from blog.models import Post
from tests.browser import SCREENSHOTS, PolicyWatch, log_in, requires_chromium
from tests.factories import PostFactory, UserFactory

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

BODY = "## Dough\n\nMix the flour and the water.\n\n## Baking\n\nBake for forty minutes.\n"


def _editor(username, name):
    user = UserFactory(username=username, display_name=name, is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def test_the_second_editor_of_a_line_resolves_the_conflict_and_saves(live_server, browser):
    ann, bob = _editor("ann", "Ann Archer"), _editor("bob", "Bob Baker")
    post = PostFactory(title="Country loaf", body=BODY, authors=[ann])
    post.save_with_history(by=ann)
    first, second = log_in(browser, live_server, ann), log_in(browser, live_server, bob)
    watch = PolicyWatch(second.context)
    url = f"{live_server.url}/admin/blog/post/{post.pk}/change/"
    first.goto(url)
    second.goto(url)

    first.fill("#id_body", BODY.replace("forty minutes", "forty-five minutes at 230 °C"))
    first.click("input[name=_continue]")
    first.wait_for_selector(".messagelist .success")

    second.fill("#id_body", BODY.replace("forty minutes", "35 minutes, lid on"))
    second.click("input[name=_continue]")
    panel = second.locator(".conflict-panel")
    panel.wait_for()
    assert "Ann Archer saved this post while you were editing it" in panel.inner_text()
    assert (
        "forty-five minutes at 230 °C"
        in panel.locator(".conflict-panel__side--theirs").inner_text()
    )
    assert "35 minutes, lid on" in panel.locator(".conflict-panel__side--mine").inner_text()
    assert "35 minutes, lid on" in second.input_value("#id_body")
    shot = Path(os.environ.get("BYLINE_CONFLICT_SCREENSHOT", SCREENSHOTS / "conflict.png"))
    shot.parent.mkdir(parents=True, exist_ok=True)
    second.screenshot(path=shot)  # the top of the page: the panel and the body

    settled = second.input_value("#id_body").replace(
        "35 minutes, lid on", "35 minutes with the lid on, then 10 at 230 °C"
    )
    second.fill("#id_body", settled)
    second.click("input[name=_continue]")
    second.wait_for_selector(".messagelist .success")

    assert second.locator(".conflict-panel").count() == 0
    body = Post.objects.get(pk=post.pk).body.replace("\r\n", "\n")
    assert "35 minutes with the lid on, then 10 at 230 °C" in body
    assert watch.violations == []
    # Chromium logs every 4xx answer; the 409 of the refused save is the one expected.
    assert [error for error in watch.errors if "409 (Conflict)" not in error] == []
