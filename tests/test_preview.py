"""Preview links: a signed, expiring URL that shows an unpublished post as readers will see it."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from blog.models import Post
from blog.preview import preview_url
from tests.factories import PostFactory
from tests.helpers import post_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return PostFactory(title="Not out yet", status=Post.Status.DRAFT, body="## Secret plans")


def test_a_valid_link_shows_the_post_marked_as_a_preview_and_never_indexed_or_cached(client, draft):
    url, _ = preview_url(draft)

    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Not out yet" in html and '<h2 id="secret-plans">' in html
    assert "<strong>Preview.</strong> This post is a draft: readers cannot see it yet." in html
    assert '<meta name="robots" content="noindex">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] and "ETag" not in response


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "x" + token,
        lambda token: token.split(":")[0],
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_answers_404(client, draft, tamper):
    url, _ = preview_url(draft)
    token = url.split("/")[-2]

    assert client.get(f"/preview/{tamper(token)}/").status_code == 404


def test_a_value_signed_for_another_purpose_is_not_a_preview_link(client, draft):
    # Same secret key, same payload, but not signed with the preview salt.
    token = signing.dumps({"post": draft.pk, "uuid": str(draft.uuid)}, compress=True)

    assert client.get(f"/preview/{token}/").status_code == 404


def test_an_expired_link_answers_404(client, draft, settings):
    url, expires = preview_url(draft)

    with time_machine.travel(expires - timedelta(minutes=1)):
        assert client.get(url).status_code == 200
    with time_machine.travel(expires + timedelta(seconds=5)):
        assert client.get(url).status_code == 404


def test_after_publishing_the_link_leads_to_the_public_post(client, draft):
    url, _ = preview_url(draft)
    draft.status = Post.Status.PUBLISHED
    draft.publish_at = timezone.now() - timedelta(minutes=1)
    draft.save()

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()


def test_a_scheduled_post_previews_with_its_time(client):
    post = PostFactory(publish_at=timezone.now() + timedelta(days=2))

    html = client.get(preview_url(post)[0]).content.decode()

    assert "This post is scheduled for" in html


def test_a_deleted_post_link_answers_404(client, draft):
    url, _ = preview_url(draft)
    draft.delete()

    assert client.get(url).status_code == 404


def test_the_admin_shows_a_preview_button_and_a_shareable_link(client, contributor):
    post = PostFactory(authors=[contributor], status=Post.Status.DRAFT)
    client.force_login(contributor)

    page = client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    preview = client.get(f"/admin/blog/post/{post.pk}/preview/")

    assert f'href="/admin/blog/post/{post.pk}/preview/"' in page
    assert 'href="/preview/' in page and "Anyone with this link can read the post until" in page
    assert preview.status_code == 200 and post.title in preview.content.decode()


def test_the_admin_preview_of_someone_elses_post_is_refused(client, contributor):
    post = PostFactory(status=Post.Status.DRAFT)
    client.force_login(contributor)

    assert client.get(f"/admin/blog/post/{post.pk}/preview/").status_code == 404
    client.logout()
    assert client.get(f"/admin/blog/post/{post.pk}/preview/").status_code == 302


def test_an_archived_post_link_answers_404(client):
    post = PostFactory(status=Post.Status.PUBLISHED, publish_at=timezone.now() + timedelta(days=1))
    url, _ = preview_url(post)
    post.status = Post.Status.ARCHIVED
    post.save()

    assert client.get(url).status_code == 404


def test_a_link_made_before_links_could_be_revoked_answers_404(client, draft):
    token = signing.dumps(
        {"post": draft.pk, "uuid": str(draft.uuid)}, salt="byline.preview", compress=True
    )

    assert client.get(f"/preview/{token}/").status_code == 404


def test_revoke_preview_links_in_the_post_form_stops_earlier_links(client, contributor):
    post = PostFactory(authors=[contributor], status=Post.Status.DRAFT)
    old_url, _ = preview_url(post)
    client.force_login(contributor)
    form = client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()

    response = client.post(
        f"/admin/blog/post/{post.pk}/change/",
        post_form(post, _revoke_previews="1"),
        follow=True,
    )

    assert 'name="_revoke_previews"' in form
    assert "preview links given out so far no longer work" in response.content.decode()
    assert client.get(old_url).status_code == 404
    new_url = re.search(r'href="(/preview/[^"]+)"', response.content.decode())[1]
    assert new_url != old_url
    assert client.get(new_url).status_code == 200


def test_revoke_preview_links_as_a_bulk_action(client, author):
    mine = PostFactory(authors=[author], status=Post.Status.DRAFT)
    others = PostFactory(status=Post.Status.DRAFT)
    mine_url, others_url = preview_url(mine)[0], preview_url(others)[0]
    client.force_login(author)

    client.post(
        "/admin/blog/post/",
        {"action": "revoke_preview_links", "_selected_action": [mine.pk, others.pk]},
    )

    assert client.get(mine_url).status_code == 404
    assert client.get(others_url).status_code == 200  # not the author's to revoke


def test_who_cannot_edit_a_post_cannot_revoke_its_links(client, contributor):
    post = PostFactory(authors=[contributor], status=Post.Status.DRAFT)
    someone_elses = PostFactory(status=Post.Status.DRAFT)
    url = preview_url(someone_elses)[0]
    client.force_login(contributor)

    client.post(
        f"/admin/blog/post/{someone_elses.pk}/change/",
        post_form(someone_elses, _revoke_previews="1"),
    )
    client.post(
        "/admin/blog/post/",
        {"action": "revoke_preview_links", "_selected_action": [post.pk, someone_elses.pk]},
    )

    assert client.get(url).status_code == 200


def test_an_archived_post_form_offers_no_preview_link(client, editor):
    post = PostFactory(status=Post.Status.ARCHIVED)
    client.force_login(editor)

    page = client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()

    assert "Archived posts have no preview links" in page and 'href="/preview/' not in page


def test_links_of_an_archived_post_stay_dead_when_it_comes_back_to_draft(client, author):
    post = PostFactory(authors=[author], publish_at=timezone.now() + timedelta(days=1))
    url, _ = preview_url(post)
    client.force_login(author)

    for step in ("archive", "back_to_draft"):
        client.post("/admin/blog/post/", {"action": step, "_selected_action": [post.pk]})

    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert client.get(url).status_code == 404
    assert client.get(preview_url(post)[0]).status_code == 200
