"""The commands `make run` calls: the admin account and the demo content."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import User
from blog.models import FAQ, Post, PostAuthor, Reference, Topic

pytestmark = pytest.mark.django_db


def run(command, capsys):
    call_command(command)
    return capsys.readouterr().out


def test_ensure_admin_creates_an_editor_superuser_and_prints_its_password_once(capsys):
    first = run("ensure_admin", capsys)
    second = run("ensure_admin", capsys)

    admin = User.objects.get(username="admin")
    password = first.split("password: ")[1].split()[0]
    assert admin.is_superuser and admin.check_password(password)
    assert admin.groups.filter(name="Editor").exists()
    assert password not in second
    assert User.objects.filter(is_superuser=True).count() == 1


def test_ensure_admin_takes_credentials_from_the_environment(capsys, monkeypatch):
    monkeypatch.setenv("BYLINE_ADMIN_USERNAME", "chief")
    monkeypatch.setenv("BYLINE_ADMIN_PASSWORD", "a-chosen-pass-phrase")

    out = run("ensure_admin", capsys)

    assert User.objects.get(username="chief").check_password("a-chosen-pass-phrase")
    assert "a-chosen-pass-phrase" not in out


def test_roles_exist_with_the_rights_that_define_them():
    def can(role, codename):
        return Group.objects.get(name=role).permissions.filter(codename=codename).exists()

    assert can("Contributor", "change_post") and not can("Contributor", "publish_post")
    assert can("Author", "publish_post") and not can("Author", "edit_any_post")
    assert can("Editor", "publish_post") and can("Editor", "edit_any_post")


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, Topic, Post, PostAuthor, FAQ, Reference)
    } | {"tags": sum(post.tags.count() for post in Post.objects.all())}


def test_demo_content_has_what_the_demo_promises(capsys):
    run("load_demo", capsys)

    posts = Post.objects.posts()
    assert User.objects.filter(posts__isnull=False).distinct().count() >= 3
    assert posts.count() >= 12
    assert posts.filter(status=Post.Status.DRAFT).exists()
    assert any(post.is_scheduled() for post in posts)
    assert posts.published().count() >= 8
    assert any(post.authors.count() > 1 for post in posts)
    assert all(post.tags.exists() and post.topics.exists() for post in posts)
    assert FAQ.objects.exists() and Reference.objects.exists()
    assert posts.filter(has_sponsored_links=True).exists()
    assert Post.objects.pages().public().count() == 3  # About, Contact, Privacy


def test_loading_the_demo_twice_duplicates_nothing(capsys):
    run("load_demo", capsys)
    before = counts()

    out = run("load_demo", capsys)

    assert counts() == before
    assert "0 created, 17 already there" in out


def test_loading_the_demo_again_keeps_edits_and_renames(capsys):
    run("load_demo", capsys)
    post = Post.objects.get(slug="the-one-page-budget")
    post.title = "Edited by an editor"
    post.slug = "budget-on-a-page"
    post.save()

    run("load_demo", capsys)

    assert Post.objects.filter(title__icontains="budget").count() == 1
    assert Post.objects.get(slug="budget-on-a-page").title == "Edited by an editor"


def test_demo_pages_all_render(client, capsys):
    run("load_demo", capsys)

    assert client.get("/").status_code == 200
    for post in Post.objects.published():
        assert client.get(post.get_absolute_url()).status_code == 200, post.slug
