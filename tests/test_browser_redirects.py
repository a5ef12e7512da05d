"""The redirects admin and the 404 list in a real browser: an Editor goes from the most asked-for
missing address to a redirect in one click, chooses the post in the form's search box, under
the admin's Content-Security-Policy with no violation and no serious accessibility finding.
Screenshots in var/screenshots/redirects-*.png."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from blog.models import NotFoundPath, Redirect
from tests.browser import SCREENSHOTS, PolicyWatch, log_in, requires_chromium, serious_violations
from tests.factories import PostFactory

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def test_an_editor_turns_a_404_into_a_redirect_to_a_post(live_server, browser, editor):
    post = PostFactory(title="Pruning Apple Trees in Late Winter", slug="pruning-apple-trees")
    other = PostFactory(title="Rain Barrels", slug="rain-barrels")
    now = timezone.now()
    for path, hits in [
        ("/2016/02/apple-pruning", 184),
        ("/wp-content/uploads/2016/02/orchard.jpg", 57),
        ("/category/orchard", 12),
        ("/feed/rss2", 3),
    ]:
        NotFoundPath.objects.create(path=path, hits=hits, first_seen=now, last_seen=now)
    Redirect.objects.create(old_path="/?p=311", post=other, source="import", hits=41, last_hit=now)
    Redirect.objects.create(old_path="/rain", post=other, source="import", hits=0)
    Redirect.objects.create(
        old_path="/shop", target_url="https://shop.example/garden", permanent=False, hits=7
    )
    page = log_in(browser, live_server, editor)
    watch = PolicyWatch(page.context)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/admin/blog/notfoundpath/")
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_contain_text("/2016/02/apple-pruning")
    page.screenshot(path=SCREENSHOTS / "redirects-404-list.png", full_page=True)
    assert serious_violations(page) == []

    rows.first.get_by_role("link", name="Add redirect").click()
    expect(page.locator("#id_old_path")).to_have_value("/2016/02/apple-pruning")
    page.locator(".field-post .select2-selection").click()
    page.locator(".select2-search__field").fill("Pruning")
    page.get_by_role("option", name="Pruning Apple Trees in Late Winter").click()
    page.screenshot(path=SCREENSHOTS / "redirects-add-form.png", full_page=True)
    assert serious_violations(page) == []
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    page.screenshot(path=SCREENSHOTS / "redirects-list.png", full_page=True)
    assert serious_violations(page) == []
    redirect = Redirect.objects.get(old_path="/2016/02/apple-pruning")
    assert redirect.post == post and redirect.source == "manual"
    page.goto(f"{live_server.url}/admin/blog/notfoundpath/")
    expect(page.locator("#result_list")).not_to_contain_text("/2016/02/apple-pruning")
    assert watch.violations == [] and watch.errors == []
