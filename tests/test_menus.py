"""The header and footer menus: edited by Editors only, shown in order on every public page,
without what is gone or unpublished, and at no query to the pages that show them."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from taggit.models import Tag

from blog import menus
from blog.content_version import content_version
from blog.models import Menu, MenuItem, Post
from tests.factories import PostFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

UNCACHED = "?uncached=1"


def header_links(html):
    """(label, address) of the header menu's links, in order."""
    match = re.search(r'<nav class="site-nav" aria-label="Main">(.*?)</nav>', html, re.S)
    if match is None:
        return []
    return [
        (label, url) for url, label in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', match[1])
    ]


def footer_links(html):
    match = re.search(r'<nav class="footer-nav" aria-label="Footer">(.*?)</nav>', html, re.S)
    if match is None:
        return []
    return [
        (label, url) for url, label in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', match[1])
    ]


def page(client, url="/"):
    return client.get(url + UNCACHED).content.decode()


def item(menu, kind, order, **fields):
    return MenuItem.objects.create(menu=menu, kind=kind, order=order, **fields)


def formset(prefix, rows):
    """The POST data of an admin inline formset of new rows."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for number, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{number}-{name}"] = value
    return data


@pytest.fixture
def targets():
    writer = UserFactory(display_name="Maya Okafor", slug="maya")
    topic = TopicFactory(name="Gardening", slug="gardening")
    about = PostFactory(title="About us", slug="about", authors=[writer], tags=["soil"])
    return {"writer": writer, "topic": topic, "about": about, "tag": Tag.objects.get(name="soil")}


def test_the_header_lists_the_topics_by_name_until_an_editor_saves_a_header_menu(client):
    TopicFactory(name="Travel", slug="travel")
    TopicFactory(name="Cooking", slug="cooking")

    assert header_links(page(client)) == [
        ("Cooking", "/topics/cooking/"),
        ("Travel", "/topics/travel/"),
    ]

    Menu.objects.create(location=Menu.Location.HEADER)  # saved with no item: no header menu
    html = page(client)
    assert header_links(html) == []
    assert 'class="site-nav"' not in html


def test_the_footer_links_to_the_subscribe_page_and_the_feed_until_edited(client):
    assert footer_links(page(client)) == [("Subscribe", "/subscribe/"), ("RSS feed", "/feed/")]

    footer = Menu.objects.create(location=Menu.Location.FOOTER)
    item(footer, MenuItem.Kind.LINK, 1, url="mailto:hello@example.com", label="Write to us")
    html = page(client)
    assert footer_links(html) == [("Write to us", "mailto:hello@example.com")]
    # The subscribe page stays one click away from every page.
    assert '<a href="/subscribe/">Subscribe</a> · Published with Byline.' in html


def test_an_editor_builds_the_header_menu_in_the_admin_and_readers_see_it_in_order(
    client, editor, targets
):
    client.force_login(editor)
    rows = [
        {"order": "3", "kind": "link", "url": "https://shop.example.com/", "label": "Shop"},
        {"order": "1", "kind": "post", "post": targets["about"].pk, "label": ""},
        {"order": "2", "kind": "topic", "topic": targets["topic"].pk, "label": "Garden"},
        {"order": "4", "kind": "tag", "tag": targets["tag"].pk},
        {"order": "5", "kind": "author", "author": targets["writer"].pk},
    ]
    response = client.post(
        "/admin/blog/menu/add/", {"location": "header", **formset("items", rows)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()

    assert header_links(page(client)) == [
        ("About us", "/posts/about/"),
        ("Garden", "/topics/gardening/"),
        ("Shop", "https://shop.example.com/"),
        ("soil", "/tags/soil/"),
        ("Maya Okafor", "/authors/maya/"),
    ]


def test_the_menu_marks_the_page_being_read(client):
    TopicFactory(name="Cooking", slug="cooking")

    html = page(client, "/topics/cooking/")

    assert '<a href="/topics/cooking/" aria-current="page">Cooking</a>' in html


@pytest.mark.parametrize("role", ["contributor", "author"])
def test_writers_cannot_see_or_change_menus(client, request, role, targets):
    """The attack: a writer posting the admin's forms straight, to put a link on every page."""
    client.force_login(request.getfixturevalue(role))
    header = Menu.objects.create(location=Menu.Location.HEADER)
    rows = [{"order": "1", "kind": "link", "url": "https://evil.example/", "label": "Win"}]

    assert client.get("/admin/blog/menu/").status_code == 403
    assert client.get(f"/admin/blog/menu/{header.pk}/change/").status_code == 403
    added = client.post("/admin/blog/menu/add/", {"location": "footer", **formset("items", rows)})
    changed = client.post(
        f"/admin/blog/menu/{header.pk}/change/", formset("items", rows) | {"location": "header"}
    )
    deleted = client.post(f"/admin/blog/menu/{header.pk}/delete/", {"post": "yes"})

    assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    assert list(Menu.objects.values_list("location", flat=True)) == ["header"]
    assert not MenuItem.objects.exists()
    client.logout()
    assert "evil.example" not in page(client)


def test_outside_links_take_only_web_and_mail_addresses():
    header = Menu.objects.create(location=Menu.Location.HEADER)
    for url in [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "/relative/path/",
        "//evil.example/",
        "mailto:not an address",
        "ftp://files.example.com/",
    ]:
        link = MenuItem(menu=header, kind=MenuItem.Kind.LINK, url=url, label="x")
        with pytest.raises(ValidationError):
            link.full_clean()
    for url in ["https://example.com/a?b=c", "http://example.com/", "mailto:hi@example.com"]:
        MenuItem(menu=header, kind=MenuItem.Kind.LINK, url=url, label="x").full_clean()


def test_an_item_links_to_one_thing_of_its_kind(targets):
    header = Menu.objects.create(location=Menu.Location.HEADER)
    missing = MenuItem(menu=header, kind=MenuItem.Kind.TOPIC)
    with pytest.raises(ValidationError, match="Choose the topic"):
        missing.full_clean()

    mixed = MenuItem(
        menu=header, kind=MenuItem.Kind.TOPIC, topic=targets["topic"], post=targets["about"]
    )
    mixed.url = "https://example.com/"
    mixed.full_clean()
    assert (mixed.post, mixed.url) == (None, "")


def test_items_whose_target_is_gone_or_not_public_leave_the_menu(client, targets):
    header = Menu.objects.create(location=Menu.Location.HEADER)
    draft = PostFactory(title="Draft page", slug="draft-page", status=Post.Status.DRAFT)
    lonely = UserFactory(display_name="No Posts Yet", slug="no-posts")
    draft_tag = Tag.objects.create(name="drafty", slug="drafty")
    draft.tags.add(draft_tag)
    item(header, MenuItem.Kind.POST, 1, post=targets["about"])
    item(header, MenuItem.Kind.POST, 2, post=draft)
    item(header, MenuItem.Kind.AUTHOR, 3, author=lonely)
    item(header, MenuItem.Kind.TAG, 4, tag=draft_tag)
    item(header, MenuItem.Kind.TOPIC, 5, topic=targets["topic"])

    assert [label for label, _ in header_links(page(client))] == ["About us", "Gardening"]

    targets["about"].status = Post.Status.DRAFT
    targets["about"].save()
    assert [label for label, _ in header_links(page(client))] == ["Gardening"]

    targets["topic"].delete()
    assert header_links(page(client)) == []
    # The item stays in the menu's form, its target emptied, for the editor to replace.
    assert MenuItem.objects.filter(kind=MenuItem.Kind.TOPIC, topic=None).exists()


def test_a_scheduled_post_in_the_menu_appears_when_it_goes_live(client, targets):
    header = Menu.objects.create(location=Menu.Location.HEADER)
    soon = timezone.now() + timedelta(hours=2)
    launch = PostFactory(title="Launch", slug="launch", publish_at=soon)
    item(header, MenuItem.Kind.POST, 1, post=launch)

    assert header_links(client.get("/").content.decode()) == []
    with time_machine.travel(soon + timedelta(minutes=1)):
        assert header_links(client.get("/").content.decode()) == [("Launch", "/posts/launch/")]


def test_a_renamed_target_is_renamed_in_the_menu_unless_labelled(client, targets):
    header = Menu.objects.create(location=Menu.Location.HEADER)
    item(header, MenuItem.Kind.TAG, 1, tag=targets["tag"])
    item(header, MenuItem.Kind.TOPIC, 2, topic=targets["topic"], label="Our garden")
    assert [label for label, _ in header_links(page(client))] == ["soil", "Our garden"]

    targets["tag"].name = "Soil care"
    targets["tag"].save()
    targets["topic"].name = "Gardens"
    targets["topic"].save()

    assert [label for label, _ in header_links(page(client))] == ["Soil care", "Our garden"]


def test_saving_a_menu_changes_the_cached_pages(
    client, targets, django_capture_on_commit_callbacks
):
    first = client.get("/")
    assert first.status_code == 200 and "Gardening" in header_links_text(first)

    with django_capture_on_commit_callbacks(execute=True):
        header = Menu.objects.create(location=Menu.Location.HEADER)
        item(header, MenuItem.Kind.LINK, 1, url="https://example.org/", label="Elsewhere")

    second = client.get("/", headers={"if-none-match": first["ETag"]})
    assert second.status_code == 200  # a new version: not 304
    assert header_links(second.content.decode()) == [("Elsewhere", "https://example.org/")]


def header_links_text(response):
    return " ".join(label for label, _ in header_links(response.content.decode()))


def test_menus_add_no_query_to_public_pages(client, targets, django_assert_num_queries):
    header = Menu.objects.create(location=Menu.Location.HEADER)
    footer = Menu.objects.create(location=Menu.Location.FOOTER)
    for number, (kind, target) in enumerate(
        [("post", "about"), ("topic", "topic"), ("tag", "tag"), ("author", "writer")]
    ):
        item(header, kind, number, **{kind: targets[target]})
    item(footer, MenuItem.Kind.LINK, 1, url="https://example.org/", label="Elsewhere")
    post = targets["about"]
    content_version()  # read once per process and content generation, by any page

    with django_assert_num_queries(2):  # as without menus: the post, its tags' newest posts
        html = page(client, post.get_absolute_url())
    assert len(header_links(html)) == 4 and footer_links(html) == [
        ("Elsewhere", "https://example.org/")
    ]
    with django_assert_num_queries(1):  # the newest posts' cards
        assert len(header_links(page(client))) == 4

    # A new process and a cache that lost them: the first page reads them (the menus, their
    # items), once.
    cache.clear()
    menus.forget_menus()
    content_version()
    with django_assert_num_queries(3):  # the post, and the menus and their items
        page(client, post.get_absolute_url())
    with django_assert_num_queries(1):
        page(client, post.get_absolute_url())


def test_admin_pages_do_not_read_the_menus(admin_client):
    """The context processor's menus are read only by pages that show them."""
    cache.clear()
    menus.forget_menus()
    admin_client.get("/admin/blog/menu/")
    assert menus.CACHE_KEY not in cache


def test_a_tag_or_author_in_the_menu_appears_with_their_first_published_post(client):
    writer = UserFactory(display_name="New Writer", slug="new-writer")
    draft = PostFactory(status=Post.Status.DRAFT, authors=[writer], tags=["fresh"])
    header = Menu.objects.create(location=Menu.Location.HEADER)
    item(header, MenuItem.Kind.TAG, 1, tag=Tag.objects.get(name="fresh"))
    item(header, MenuItem.Kind.AUTHOR, 2, author=writer)
    assert header_links(page(client)) == []

    draft.status = Post.Status.PUBLISHED
    draft.save()

    assert header_links(page(client)) == [
        ("fresh", "/tags/fresh/"),
        ("New Writer", "/authors/new-writer/"),
    ]
