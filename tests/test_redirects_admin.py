"""The redirects admin and the list of addresses not found: Editors add, edit, search and filter
redirects and see the 404s most asked for; writers can neither see nor change either, through
any of the admin's URLs."""

import pytest
from django.utils import timezone

from blog.models import NotFoundPath, Redirect
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def redirect_form(**fields):
    return {"old_path": "/old/", "post": "", "target_url": "", "permanent": "on"} | fields


def not_found(path, hits):
    now = timezone.now()
    return NotFoundPath.objects.create(path=path, hits=hits, first_seen=now, last_seen=now)


def test_an_editor_adds_a_redirect_by_hand_and_it_answers(client, editor):
    client.force_login(editor)

    response = client.post(
        "/admin/blog/redirect/add/",
        redirect_form(old_path="/2019/spring-list/", target_url="/topics/spring/"),
    )

    assert response.status_code == 302
    redirect = Redirect.objects.get()
    assert (redirect.old_path, redirect.target_url, redirect.source) == (
        "/2019/spring-list",
        "/topics/spring/",
        "manual",
    )
    client.logout()
    assert client.get("/2019/spring-list/").headers["Location"] == "/topics/spring/"


def test_an_editor_points_a_redirect_at_a_post(client, editor):
    post = PostFactory(slug="new-home")
    client.force_login(editor)

    client.post("/admin/blog/redirect/add/", redirect_form(old_path="/old-home", post=post.pk))

    assert Redirect.objects.get().post == post


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"old_path": "https://old.example/a/", "target_url": "/b/"}, "starting with a single"),
        ({"old_path": "/a/", "target_url": "javascript:alert(1)"}, "new address"),
        ({"old_path": "/a/", "target_url": "//evil.example/"}, "new address"),
        ({"old_path": "/a/", "target_url": "/a"}, "round in a circle"),
    ],
)
def test_the_form_refuses_what_a_redirect_cannot_be(client, editor, fields, error):
    client.force_login(editor)

    response = client.post("/admin/blog/redirect/add/", redirect_form(**fields))

    assert response.status_code == 200 and error in response.content.decode()
    assert not Redirect.objects.exists()


def test_a_second_redirect_for_the_same_address_is_refused(client, editor):
    Redirect.objects.create(old_path="/a", target_url="/b/")
    client.force_login(editor)

    response = client.post(
        "/admin/blog/redirect/add/", redirect_form(old_path="/a/", target_url="/c/")
    )

    assert "already exists" in response.content.decode()
    assert Redirect.objects.count() == 1


def test_editors_list_search_and_filter_redirects_with_their_hits(client, editor):
    post = PostFactory(title="Planting Garlic", slug="planting-garlic")
    Redirect.objects.create(old_path="/?p=7", post=post, source="import", hits=12)
    Redirect.objects.create(old_path="/shop", target_url="https://shop.example/", hits=3)
    client.force_login(editor)

    listing = client.get("/admin/blog/redirect/").content.decode()
    searched = client.get("/admin/blog/redirect/?q=garlic").content.decode()
    imported = client.get("/admin/blog/redirect/?source__exact=import").content.decode()

    assert "/posts/planting-garlic/" in listing and "https://shop.example/" in listing
    assert ">12<" in listing and ">3<" in listing
    assert "/?p=7" in searched and "/shop" not in searched
    assert "/?p=7" in imported and "https://shop.example/" not in imported


def test_the_404_list_shows_the_most_asked_for_first_with_an_add_redirect_link(client, editor):
    not_found("/rarely", 2)
    not_found("/often-asked", 40)
    not_found("/already-redirected", 90)
    Redirect.objects.create(old_path="/already-redirected", target_url="/")
    client.force_login(editor)

    page = client.get("/admin/blog/notfoundpath/").content.decode()

    assert page.index("/often-asked") < page.index("/rarely")
    assert "/already-redirected" not in page
    assert "/admin/blog/redirect/add/?old_path=%2Foften-asked" in page
    form = client.get("/admin/blog/redirect/add/?old_path=%2Foften-asked").content.decode()
    assert 'value="/often-asked"' in form


@pytest.mark.parametrize("role", ["contributor", "author"])
def test_writers_cannot_see_or_change_redirects_or_the_404_list(client, request, role):
    post = PostFactory(slug="target")
    redirect = Redirect.objects.create(old_path="/kept", target_url="/posts/target/")
    missing = not_found("/missing", 5)
    client.force_login(request.getfixturevalue(role))

    assert client.get("/admin/blog/redirect/").status_code == 403
    assert client.get(f"/admin/blog/redirect/{redirect.pk}/change/").status_code == 403
    assert client.get("/admin/blog/notfoundpath/").status_code == 403
    assert client.get("/admin/blog/redirect/add/?old_path=/missing").status_code == 403
    # the attack: writing through the admin's URLs
    added = client.post("/admin/blog/redirect/add/", redirect_form(old_path="/x", post=post.pk))
    changed = client.post(
        f"/admin/blog/redirect/{redirect.pk}/change/",
        redirect_form(old_path="/kept", target_url="https://evil.example/"),
    )
    deleted = client.post(f"/admin/blog/redirect/{redirect.pk}/delete/", {"post": "yes"})
    dropped = client.post(f"/admin/blog/notfoundpath/{missing.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/blog/redirect/",
        {"action": "delete_selected", "_selected_action": [redirect.pk], "post": "yes"},
    )

    assert {r.status_code for r in (added, changed, deleted, dropped, bulk)} == {403}
    assert list(Redirect.objects.values_list("old_path", "target_url")) == [
        ("/kept", "/posts/target/")
    ]
    assert NotFoundPath.objects.filter(pk=missing.pk).exists()
    assert "Redirect" not in client.get("/admin/").content.decode()


def test_the_redirect_forms_post_search_shows_a_writer_only_their_own_posts(client, contributor):
    PostFactory(title="Secret draft", status="draft")
    PostFactory(title="Secret of mine", status="draft", authors=[contributor])
    client.force_login(contributor)

    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "blog", "model_name": "redirect", "field_name": "post", "term": "Secret"},
    )

    assert [row["text"] for row in response.json()["results"]] == ["Secret of mine"]
