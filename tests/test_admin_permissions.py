"""Crafted requests of a Contributor against what only Authors, Editors or superusers may do,
through the admin's real URLs, and the pages the README promises each role. An attack
"failed" only if the database (or the response body) says so."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from accounts.roles import sync_roles
from blog.models import FAQ, Post, PostAuthor, PostSlugRedirect, Topic
from tests.factories import FAQFactory, PostFactory, TopicFactory, UserFactory
from tests.helpers import post_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def others_draft():
    owner = UserFactory(username="owen", display_name="Owen Owner", email="owen@secret.example")
    return PostFactory(
        title="Owen's secret draft", slug="owens-secret-slug", authors=[owner], status="draft"
    )


def shortcut_url(obj):
    return f"/admin/r/{ContentType.objects.get_for_model(obj).pk}/{obj.pk}/"


# State changes: the audit trail the README promises editors -----------------------------------


def test_editors_open_the_state_changes(client, editor, others_draft):
    others_draft.apply_transition("submit")
    others_draft.save_with_history(by=editor)
    client.force_login(editor)

    response = client.get("/admin/blog/statechange/")

    assert response.status_code == 200
    assert "Owen&#x27;s secret draft" in response.content.decode()


@pytest.mark.parametrize("role", ["contributor", "author"])
def test_writers_do_not_open_everyones_state_changes(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get("/admin/blog/statechange/").status_code == 403


def test_a_permission_taken_out_of_a_role_is_taken_from_existing_sites():
    contributors = Group.objects.get(name="Contributor")
    contributors.permissions.add(Permission.objects.get(codename="add_tag"))

    sync_roles()

    assert not contributors.permissions.filter(codename="add_tag").exists()
    assert contributors.permissions.filter(codename="add_post").exists()


# "View on site" (/admin/r/<content type>/<id>/) -------------------------------------------


def test_contributor_cannot_learn_a_draft_slug_through_view_on_site(
    client, contributor, others_draft
):
    client.force_login(contributor)

    response = client.get(shortcut_url(others_draft))

    assert response.status_code == 404
    assert "owens-secret-slug" not in response.get("Location", "")


def test_contributor_cannot_learn_an_account_slug_through_view_on_site(client, contributor):
    someone = UserFactory(username="hidden", slug="hidden-person")
    client.force_login(contributor)

    assert client.get(shortcut_url(someone)).status_code == 404


def test_view_on_site_leads_to_what_the_user_may_see(client, contributor, editor, others_draft):
    own = PostFactory(authors=[contributor], slug="my-own")
    client.force_login(contributor)
    assert client.get(shortcut_url(own))["Location"].endswith("/posts/my-own/")
    assert client.get(shortcut_url(TopicFactory(slug="soil")))["Location"].endswith("/soil/")

    client.force_login(editor)
    assert client.get(shortcut_url(others_draft))["Location"].endswith("/owens-secret-slug/")


def test_only_a_published_post_form_offers_view_on_site(client, contributor):
    draft = PostFactory(authors=[contributor], status="draft", slug="not-yet")
    out = PostFactory(authors=[contributor], slug="out-now")
    client.force_login(contributor)

    draft_form = client.get(f"/admin/blog/post/{draft.pk}/change/").content.decode()
    out_form = client.get(f"/admin/blog/post/{out.pk}/change/").content.decode()

    assert "viewsitelink" not in draft_form
    assert 'href="/posts/out-now/" class="viewsitelink"' in out_form


# Autocomplete endpoints -------------------------------------------------------------------


def test_contributor_autocomplete_finds_no_other_accounts_or_emails(
    client, contributor, others_draft
):
    client.force_login(contributor)

    response = client.get(
        "/admin/autocomplete/?app_label=blog&model_name=postauthor&field_name=author"
        "&term=secret.example"
    )

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_contributor_autocomplete_finds_no_drafts_of_others(client, contributor, others_draft):
    PostFactory(title="My secret plan", authors=[contributor], status="draft")
    client.force_login(contributor)

    response = client.get(
        "/admin/autocomplete/?app_label=blog&model_name=faq&field_name=post&term=secret"
    )

    assert [result["text"] for result in response.json()["results"]] == ["My secret plan"]


# Editor-only and superuser-only admin pages ------------------------------------------------


def test_contributor_cannot_import_posts(client, contributor):
    client.force_login(contributor)
    upload = SimpleUploadedFile("planted.md", b"---\ntitle: Planted\nauthor: Owen\n---\n\nHi.\n")

    response = client.post("/admin/blog/post/import/", {"file": upload})

    assert response.status_code == 403
    assert not Post.objects.exists()


def test_contributor_cannot_add_change_or_delete_topics(client, contributor):
    topic = TopicFactory(name="Soil", slug="soil")
    client.force_login(contributor)

    client.post("/admin/blog/topic/add/", {"name": "Casino", "slug": "casino"})
    client.post(f"/admin/blog/topic/{topic.pk}/change/", {"name": "Casino", "slug": "casino"})
    client.post(f"/admin/blog/topic/{topic.pk}/delete/", {"post": "yes"})

    assert list(Topic.objects.values_list("slug", flat=True)) == ["soil"]


def test_contributor_cannot_delete_redirects(client, contributor):
    post = PostFactory(authors=[contributor], slug="before")
    post.slug = "after"
    post.save()
    redirect = PostSlugRedirect.objects.get()
    client.force_login(contributor)

    client.post(f"/admin/blog/postslugredirect/{redirect.pk}/delete/", {"post": "yes"})

    assert PostSlugRedirect.objects.filter(pk=redirect.pk).exists()


def test_contributor_cannot_bulk_delete_even_own_posts(client, contributor):
    post = PostFactory(authors=[contributor], status="draft")
    client.force_login(contributor)

    client.post(
        "/admin/blog/post/",
        {"action": "delete_selected", "_selected_action": [post.pk], "post": "yes"},
    )

    assert Post.objects.filter(pk=post.pk).exists()


def test_contributor_cannot_raise_their_own_account(client, contributor):
    editors = Group.objects.get(name="Editor")
    client.force_login(contributor)

    client.post(
        f"/admin/accounts/user/{contributor.pk}/change/",
        {
            "username": "carla",
            "email": "carla@example.com",
            "display_name": "Carla",
            "slug": contributor.slug,
            "is_superuser": "on",
            "groups": [editors.pk],
            "user_permissions": [Permission.objects.get(codename="edit_any_post").pk],
        },
    )

    contributor = User.objects.get(pk=contributor.pk)
    assert contributor.display_name == "Carla"  # the profile part was saved...
    assert not contributor.is_superuser  # ...and nothing else
    assert not contributor.has_perm("blog.edit_any_post")


def test_contributor_cannot_change_another_account_or_its_password(client, contributor):
    someone = UserFactory(username="someone", email="someone@example.com")
    client.force_login(contributor)

    client.post(f"/admin/accounts/user/{someone.pk}/change/", {"email": "carla@example.com"})
    client.post(
        f"/admin/accounts/user/{someone.pk}/password/",
        {"password1": "taken-over-123", "password2": "taken-over-123", "usable_password": "true"},
    )

    someone.refresh_from_db()
    assert someone.email == "someone@example.com"
    assert someone.check_password("pass-word-123")


def test_contributor_cannot_reach_others_bylines_or_faqs_through_own_inlines(
    client, contributor, others_draft
):
    own = PostFactory(authors=[contributor], status="draft")
    theirs_byline = PostAuthor.objects.get(post=others_draft)
    theirs_faq = FAQFactory(post=others_draft, question="Their question?")
    client.force_login(contributor)
    data = post_form(own) | {
        "postauthor_set-TOTAL_FORMS": "2",
        "postauthor_set-INITIAL_FORMS": "1",
        "postauthor_set-0-id": PostAuthor.objects.get(post=own).pk,
        "postauthor_set-0-author": contributor.pk,
        "postauthor_set-1-id": theirs_byline.pk,
        "postauthor_set-1-author": contributor.pk,
        "faqs-TOTAL_FORMS": "1",
        "faqs-INITIAL_FORMS": "1",
        "faqs-0-id": theirs_faq.pk,
        "faqs-0-question": "Hijacked?",
        "faqs-0-answer": "Yes.",
        "faqs-0-DELETE": "on",
    }

    client.post(f"/admin/blog/post/{own.pk}/change/", data)

    assert list(others_draft.authors.values_list("username", flat=True)) == ["owen"]
    assert FAQ.objects.get(pk=theirs_faq.pk).question == "Their question?"


def test_contributor_sees_nothing_of_others_posts_through_history_or_revisions(
    client, contributor, others_draft
):
    others_draft.save_with_history(note="first")
    client.force_login(contributor)

    for url in (
        f"/admin/blog/post/{others_draft.pk}/history/",
        f"/admin/blog/post/{others_draft.pk}/revisions/",
        f"/admin/blog/post/{others_draft.pk}/preview/",
    ):
        response = client.get(url, follow=True)
        assert "secret draft" not in response.content.decode(), url


def test_topic_and_tag_counts_leave_out_others_drafts(client, contributor):
    soil = TopicFactory(name="Soil", slug="soil")
    PostFactory(topics=[soil], tags=["compost"])
    for _ in range(3):
        PostFactory(topics=[soil], tags=["compost"], status="draft")
    client.force_login(contributor)

    topics = client.get("/admin/blog/topic/").content.decode()
    tags = client.get("/admin/taggit/tag/").content.decode()

    assert '<td class="field-post_count">1</td>' in topics
    assert '<td class="field-post_count">1</td>' in tags


def test_an_editor_edits_profiles_but_not_the_email_of_another_account(client, editor, superuser):
    client.force_login(editor)

    response = client.post(
        f"/admin/accounts/user/{superuser.pk}/change/",
        {
            "first_name": "",
            "last_name": "",
            "email": "edith@example.com",
            "display_name": "Root Renamed",
            "slug": superuser.slug,
        },
    )

    assert response.status_code == 302
    superuser.refresh_from_db()
    assert superuser.display_name == "Root Renamed"
    assert superuser.email == "root@example.com"
