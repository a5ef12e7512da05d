"""A post's old addresses stay its own: another post may take one only if its writer may edit
the post the address leads to; restoring a revision never takes a slug either."""

import pytest

from blog.models import Post, PostSlugRedirect
from tests.factories import PostFactory
from tests.helpers import import_posts, post_form, restore_form

pytestmark = pytest.mark.django_db

REFUSAL = "“old-address” is an old address of another post and still leads readers there"


@pytest.fixture
def moved():
    """A published post that moved from /posts/old-address/ to /posts/new-address/."""
    post = PostFactory(title="Moved", slug="old-address")
    post.slug = "new-address"
    post.save()
    return post


def test_contributor_cannot_take_another_posts_old_slug(client, contributor, moved):
    client.force_login(contributor)

    added = client.post("/admin/blog/post/add/", post_form(title="Mine", slug="old-address"))
    own = PostFactory(authors=[contributor], status=Post.Status.DRAFT)
    changed = client.post(f"/admin/blog/post/{own.pk}/change/", post_form(own, slug="old-address"))

    assert REFUSAL in added.content.decode() and REFUSAL in changed.content.decode()
    assert PostSlugRedirect.objects.get(old_slug="old-address").post == moved
    assert client.get("/posts/old-address/")["Location"] == "/posts/new-address/"


def test_author_cannot_take_an_old_slug_of_someone_elses_post(client, author, moved):
    client.force_login(author)

    response = client.post("/admin/blog/post/add/", post_form(title="Mine", slug="old-address"))

    assert REFUSAL in response.content.decode()
    assert not Post.objects.filter(title="Mine").exists()


def test_an_editor_may_give_an_old_address_to_another_post(client, editor, moved):
    client.force_login(editor)

    response = client.post("/admin/blog/post/add/", post_form(title="Mine", slug="old-address"))

    assert response.status_code == 302
    assert Post.objects.get(title="Mine").slug == "old-address"
    assert not PostSlugRedirect.objects.filter(old_slug="old-address").exists()


def test_an_author_may_reuse_an_old_address_of_their_own_post(client, author):
    post = PostFactory(authors=[author], slug="old-address")
    post.slug = "new-address"
    post.save()
    client.force_login(author)

    response = client.post("/admin/blog/post/add/", post_form(title="Mine", slug="old-address"))

    assert response.status_code == 302
    assert Post.objects.get(title="Mine").slug == "old-address"


def test_restoring_a_revision_whose_slug_another_post_now_holds_is_refused(client, contributor):
    post = PostFactory(authors=[contributor], status=Post.Status.DRAFT, slug="first-slug")
    post.save_with_history(by=contributor)
    post.slug = "second-slug"
    post.save_with_history(by=contributor)
    PostSlugRedirect.objects.all().delete()  # an editor freed the address...
    PostFactory(slug="first-slug")  # ...and gave it to another post
    client.force_login(contributor)

    response = client.post(
        f"/admin/blog/post/{post.pk}/revisions/1/restore/", restore_form(post), follow=True
    )

    assert response.status_code == 200
    assert (
        "Revision 1 was not restored: “first-slug” is the address of another post; "
        "choose another slug." in response.content.decode()
    )
    post.refresh_from_db()
    assert post.slug == "second-slug"


def test_restoring_a_revision_cannot_take_another_posts_old_slug(client, contributor):
    post = PostFactory(authors=[contributor], status=Post.Status.DRAFT, slug="old-address")
    post.save_with_history(by=contributor)
    post.slug = "mine"
    post.save_with_history(by=contributor)
    other = PostFactory(title="Moved", slug="old-address")  # an editor gave the address away
    other.slug = "new-address"
    other.save()  # and it moved on: /posts/old-address/ leads to the other post now
    client.force_login(contributor)

    response = client.post(
        f"/admin/blog/post/{post.pk}/revisions/1/restore/", restore_form(post), follow=True
    )

    assert REFUSAL in response.content.decode()
    assert PostSlugRedirect.objects.get(old_slug="old-address").post == other
    post.refresh_from_db()
    assert post.slug == "mine"


def test_posts_imported_at_old_addresses_take_them_over_in_one_batch(tmp_path, moved):
    PostFactory(slug="another-address").slug_redirects.create(old_slug="older-address")
    for name, slug in (("a.md", "old-address"), ("b.md", "older-address"), ("c.md", "new")):
        (tmp_path / name).write_text(f"---\ntitle: {name}\nslug: {slug}\n---\nBody.")

    import_posts(tmp_path)

    assert set(Post.objects.values_list("slug", flat=True)) >= {"old-address", "older-address"}
    assert not PostSlugRedirect.objects.exists()  # an address is a post's or a redirect
