"""Tags in the admin: editors rename, merge and delete them; writers tag their own posts in the
post form and learn of no tag that only someone else's draft carries."""

import pytest
from django.db import connection
from taggit.models import Tag

from blog.models import Post
from blog.models.cards import SearchCards
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = "/admin/autocomplete/?app_label=taggit&model_name=taggeditem&field_name=tag"


@pytest.fixture
def published():
    return PostFactory(title="Out in the world", tags=["gardening", "compost"])


@pytest.fixture
def secret_draft():
    return PostFactory(status=Post.Status.DRAFT, tags=["merger-with-acme"])


def tag_ids(*names):
    return [Tag.objects.get(name=name).pk for name in names]


@pytest.mark.parametrize("role", ["contributor", "author"])
def test_writers_cannot_merge_tags_on_others_posts(client, request, role, published):
    client.force_login(request.getfixturevalue(role))
    selected = tag_ids("gardening", "compost")

    # django-taggit's own action and page, then this project's action, as crafted POSTs.
    client.post("/admin/taggit/tag/", {"action": "render_tag_form", "_selected_action": selected})
    client.post("/admin/taggit/tag/merge-tags/", {"new_tag_name": "casino"})
    client.post(
        "/admin/taggit/tag/",
        {
            "action": "merge_selected_tags",
            "_selected_action": selected,
            "merge": "yes",
            "name": "casino",
        },
    )

    assert sorted(published.tags.names()) == ["compost", "gardening"]
    assert not Tag.objects.filter(name="casino").exists()


@pytest.mark.parametrize("role", ["contributor", "author"])
def test_writers_cannot_rename_or_delete_tags(client, request, role, published):
    client.force_login(request.getfixturevalue(role))
    (tag,) = Tag.objects.filter(name="gardening")

    client.post(f"/admin/taggit/tag/{tag.pk}/change/", {"name": "casino", "slug": "casino"})
    client.post(f"/admin/taggit/tag/{tag.pk}/delete/", {"post": "yes"})

    assert sorted(published.tags.names()) == ["compost", "gardening"]


def test_editor_merges_tags_through_a_confirmation_page(client, editor, published):
    other = PostFactory(status=Post.Status.DRAFT, tags=["composting"])
    client.force_login(editor)
    selected = tag_ids("compost", "composting")

    confirm = client.post(
        "/admin/taggit/tag/", {"action": "merge_selected_tags", "_selected_action": selected}
    )
    done = client.post(
        "/admin/taggit/tag/",
        {
            "action": "merge_selected_tags",
            "_selected_action": selected,
            "merge": "yes",
            "name": "Compost",
        },
        follow=True,
    )

    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "These tags will be deleted" in page and "composting (1 post)" in page
    assert "Merged into “compost”: 1 post changed." in done.content.decode()
    assert sorted(published.tags.names()) == ["compost", "gardening"]
    assert other.tags.names()[0] == "compost"
    assert not Tag.objects.filter(name="composting").exists()
    assert other.revisions.first().note == "Tags merged into “compost”"


def test_editor_merge_needs_a_name(client, editor, published):
    client.force_login(editor)

    response = client.post(
        "/admin/taggit/tag/",
        {
            "action": "merge_selected_tags",
            "_selected_action": tag_ids("compost"),
            "merge": "yes",
            "name": "",
        },
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert sorted(published.tags.names()) == ["compost", "gardening"]


@pytest.mark.parametrize("role", ["contributor", "author"])
def test_writers_see_public_tags_and_their_own_not_others_drafts(
    client, request, role, published, secret_draft
):
    user = request.getfixturevalue(role)
    PostFactory(authors=[user], status=Post.Status.DRAFT, tags=["my-idea"])
    client.force_login(user)
    (hidden,) = Tag.objects.filter(name="merger-with-acme")

    listing = client.get("/admin/taggit/tag/").content.decode()
    change = client.get(f"/admin/taggit/tag/{hidden.pk}/change/", follow=True)
    found = client.get(f"{AUTOCOMPLETE}&term=m").json()["results"]
    post_filters = client.get("/admin/blog/post/").content.decode()

    assert "gardening" in listing and "my-idea" in listing
    assert "merger-with-acme" not in listing
    assert "merger-with-acme" not in change.content.decode()
    assert sorted(result["text"] for result in found) == ["compost", "my-idea"]
    assert "my-idea" in post_filters and "merger-with-acme" not in post_filters


def test_editors_see_every_tag(client, editor, secret_draft):
    client.force_login(editor)

    assert "merger-with-acme" in client.get("/admin/taggit/tag/").content.decode()


def test_editor_renames_a_tag_and_posts_follow(client, editor, published):
    (tag,) = Tag.objects.filter(name="compost")
    client.force_login(editor)

    response = client.post(
        f"/admin/taggit/tag/{tag.pk}/change/", {"name": "Humus", "slug": "humus"}
    )

    assert response.status_code == 302
    assert sorted(published.tags.names()) == ["Humus", "gardening"]
    latest = published.revisions.first()
    assert latest.note == "Tag renamed to “Humus”" and "Humus" in latest.data["tags"]
    if connection.vendor == "postgresql":
        assert published.pk in [row.pk for row in SearchCards("humus")[0:20]]


def test_editor_deletes_tags_and_posts_keep_a_revision(client, editor, published):
    client.force_login(editor)

    client.post(
        "/admin/taggit/tag/",
        {"action": "delete_selected", "_selected_action": tag_ids("compost"), "post": "yes"},
    )

    assert list(published.tags.names()) == ["gardening"]
    assert published.revisions.first().data["tags"] == ["gardening"]
