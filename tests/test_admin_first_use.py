"""What a new user hit in the admin on the first day, fixed: each test is one of those."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.utils import timezone

from blog.models import Post
from tests.factories import PostFactory, UserFactory
from tests.helpers import post_form

pytestmark = pytest.mark.django_db


def _change(client, post, **fields):
    return client.post(f"/admin/blog/post/{post.pk}/change/", post_form(post, **fields))


def _errors(response):
    assert response.status_code == 200, "the form was expected to be refused"
    form = response.context["adminform"].form
    return [str(message) for messages in form.errors.values() for message in messages]


def test_every_reason_a_post_cannot_be_scheduled_is_shown_at_once(client, editor):
    post = PostFactory(status=Post.Status.DRAFT, description="")
    client.force_login(editor)

    response = _change(
        client,
        post,
        _transition="schedule",
        description="",
        publish_at_0="2020-01-01",
        publish_at_1="10:00:00",
    )

    found = " ".join(_errors(response))
    assert "A scheduled post needs a publish time in the future" in found
    assert "Add a description before publishing" in found


def test_every_reason_a_post_cannot_be_published_now_is_shown_at_once(client, editor):
    post = PostFactory(status=Post.Status.DRAFT)
    client.force_login(editor)
    later = timezone.localtime() + timedelta(days=3)

    response = _change(
        client,
        post,
        _transition="publish",
        description="",
        publish_at_0=later.strftime("%Y-%m-%d"),
        publish_at_1="10:00:00",
    )

    found = " ".join(_errors(response))
    assert "use “Schedule”" in found and "Add a description" in found


@pytest.mark.parametrize("formats", [["config.formats"], None])
def test_the_scheduled_message_ends_with_one_full_stop(client, editor, settings, formats):
    # Django's own English format ends the time in "p.m.": the message must not add a second.
    settings.FORMAT_MODULE_PATH = formats
    post = PostFactory(status=Post.Status.DRAFT, title="Soon")
    client.force_login(editor)
    when = (timezone.localtime() + timedelta(days=2)).replace(hour=14, minute=5, second=0)

    response = _change(
        client,
        post,
        _transition="schedule",
        publish_at_0=when.strftime("%Y-%m-%d"),
        publish_at_1=when.strftime("%H:%M:%S"),
    )

    shown = [str(message) for message in get_messages(response.wsgi_request)]
    scheduled = [message for message in shown if "Scheduled for" in message]
    assert scheduled and all(".." not in message for message in shown)
    assert scheduled[0].endswith(".")


def test_revisions_show_the_second_and_the_action_that_made_them(client, editor):
    client.force_login(editor)
    client.post("/admin/blog/post/add/", post_form(title="Fresh", description="About it."))
    post = Post.objects.get(title="Fresh")
    _change(client, post, body="Some **bold** body.")
    _change(client, post, _transition="submit")

    page = client.get(f"/admin/blog/post/{post.pk}/revisions/").content.decode()

    table = page[
        page.index('class="revisions__table"') : page.index(
            "</table>", page.index('class="revisions__table"')
        )
    ]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    actions = [re.findall(r"<td>(.*?)</td>", row, re.S)[5] for row in rows]
    assert actions == ["Submitted for review", "Edited", "Created as draft"]
    saved = post.revisions.first().at
    shown = timezone.localtime(saved).strftime("%H:%M:%S")
    assert f", {shown}</time>" in page


def test_a_revision_of_a_scheduled_post_says_scheduled(client, editor):
    post = PostFactory(status=Post.Status.DRAFT, title="Later")
    client.force_login(editor)
    _change(client, post, body="A first version.")
    when = (timezone.localtime() + timedelta(days=2)).replace(hour=9, minute=30, second=0)
    _change(
        client,
        post,
        _transition="schedule",
        publish_at_0=when.strftime("%Y-%m-%d"),
        publish_at_1=when.strftime("%H:%M:%S"),
    )

    page = client.get(f"/admin/blog/post/{post.pk}/revisions/").content.decode()

    day = f"{when.day} {when:%B %Y}"
    assert f'status-badge--scheduled">Scheduled for {day}, 09:30</span>' in page
    assert f"Scheduled for {day}, 09:30" in page.split("Changes from revision")[1]  # the diff


def test_site_and_admin_write_dates_the_same_way(client, editor):
    moment = timezone.make_aware(timezone.datetime(2026, 3, 6, 14, 5))
    post = PostFactory(title="Dated", publish_at=moment)
    older = PostFactory(title="Related", publish_at=moment - timedelta(days=1), tags=["same"])
    post.tags.add("same")
    post.save()
    client.force_login(editor)

    pages = {
        "post": client.get(post.get_absolute_url()).content.decode(),
        "home": client.get("/").content.decode(),
        "admin list": client.get("/admin/blog/post/").content.decode(),
    }

    assert "6 March 2026" in pages["post"] and "6 March 2026" in pages["home"]
    assert "6 March 2026, 14:05" in pages["admin list"]
    assert "5 March 2026" in pages["admin list"] and older.title in pages["admin list"]
    for name, page in pages.items():
        assert "Mar. 6" not in page and "6 Mar 2026" not in page, name


def test_a_superuser_without_an_author_profile_is_not_credited_for_a_post(client):
    root = UserFactory(username="root", display_name="", is_staff=True, is_superuser=True)
    client.force_login(root)

    client.post("/admin/blog/post/add/", post_form(title="Written by the site's admin"))

    post = Post.objects.get(title="Written by the site's admin")
    assert list(post.authors.all()) == []
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED)
    post.refresh_from_db()
    post.save()
    page = client.get(post.get_absolute_url()).content.decode()
    assert "root" not in page.split("<main", 1)[1] and "By " not in page
    assert client.get(root.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("kind", ["role", "display name"])
def test_an_account_with_an_author_profile_is_credited_when_no_author_is_given(client, kind):
    writer = UserFactory(username="maya", display_name="", is_staff=True, is_superuser=True)
    if kind == "role":
        writer.groups.add(Group.objects.get(name="Editor"))
    else:
        writer.display_name = "Maya Okafor"
        writer.save()
    client.force_login(writer)

    client.post("/admin/blog/post/add/", post_form(title="Credited"))

    assert list(Post.objects.get(title="Credited").authors.all()) == [writer]
