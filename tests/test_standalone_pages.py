"""Standalone pages (About, Contact, Privacy): at /<slug>/, written in the admin's Pages with the
posts' workflow, revisions and previews, in the sitemap and in no list, feed or search; slugs
that would hide a site address are refused; WordPress pages come in as pages."""

import json
import re
import sys
import types
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve
from django.utils import timezone

from blog import golive
from blog.content_version import content_version
from blog.menus import site_menus
from blog.models import Delivery, EditorDraft, Event, Page, Post, Revision
from blog.preview import preview_url
from blog.slugs import reserved_slugs
from tests.factories import PageFactory, PostFactory, TopicFactory, UserFactory
from tests.helpers import command, post_form

pytestmark = pytest.mark.django_db

UNCACHED = "?uncached=1"  # a parameter no page knows: rendered, never served from the cache


def page_form(page=None, **fields):
    """The Pages change form's POST: the post form's fields (the inlines pages lack are
    ignored)."""
    return post_form(page, **fields)


def refreshed(post):
    return Post.objects.filter(pk=post.pk).first()


# Where pages are, and where they are not ------------------------------------------------------


def test_a_published_page_is_at_its_own_address_and_a_post_only_under_posts(client):
    page = PageFactory(slug="about", title="About us")
    PostFactory(slug="first-harvest")

    assert page.get_absolute_url() == "/about/"
    shown = client.get("/about/")
    assert shown.status_code == 200
    html = shown.content.decode()
    assert '<h1 class="post__title">About us</h1>' in html
    assert "<strong>useful</strong>" in html  # the body, rendered
    assert '<link rel="canonical" href="http://testserver/about/">' in html
    assert '"@type":"WebPage"' in html.replace(" ", "") and "BlogPosting" not in html
    assert "Last updated <time datetime=" in html
    assert "Related posts" not in html and "min read" not in html
    assert client.get("/posts/about/").status_code == 404
    assert client.get("/posts/first-harvest/").status_code == 200
    assert client.get("/first-harvest/").status_code == 404


@pytest.mark.parametrize(
    ("status", "days"),
    [
        (Post.Status.DRAFT, -1),
        (Post.Status.IN_REVIEW, -1),
        (Post.Status.ARCHIVED, -1),
        (Post.Status.PUBLISHED, 2),  # scheduled
    ],
)
def test_a_page_readers_may_not_see_yet_is_not_found(client, status, days):
    PageFactory(slug="contact", status=status, publish_at=timezone.now() + timedelta(days=days))

    assert client.get("/contact/").status_code == 404


def test_a_renamed_page_answers_at_its_old_address_with_a_redirect(client):
    page = PageFactory(slug="about-us")
    page.slug = "about"
    page.save_with_history()

    moved = client.get("/about-us/")
    assert moved.status_code == 301 and moved["Location"] == "/about/"


def test_pages_are_in_no_list_feed_search_or_related_posts(client):
    writer, topic = UserFactory(slug="maya"), TopicFactory(slug="cooking")
    year = timezone.now().year
    PostFactory(title="Beans on a weeknight", authors=[writer], topics=[topic])
    post = PostFactory(title="Bread on a weekend", authors=[writer], topics=[topic])
    page = PageFactory(title="About the beans team", authors=[writer], topics=[topic])

    for url in [
        "/",
        "/authors/maya/",
        "/topics/cooking/",
        f"/archive/{year}/",
        "/feed/",
        "/feed/atom/",
        "/authors/maya/feed/",
        "/topics/cooking/feed/",
        "/search/?q=beans",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "Beans on a weeknight" in text, url
        assert page.title not in text, url
    assert page.pk not in [related.pk for related in post.related_posts()]
    assert page.title not in client.get(post.get_absolute_url()).content.decode()


def test_pages_are_in_the_sitemap_once_unless_hidden_from_search_engines(client):
    PostFactory(slug="first-harvest")
    PageFactory(slug="about")
    PageFactory(slug="private-notes", noindex=True)
    PageFactory(slug="draft-page", status=Post.Status.DRAFT)

    sitemap = client.get("/sitemap.xml").content.decode()

    assert sitemap.count("<loc>http://testserver/about/</loc>") == 1
    assert "<loc>http://testserver/posts/first-harvest/</loc>" in sitemap
    assert "/posts/about/" not in sitemap
    assert "private-notes" not in sitemap and "draft-page" not in sitemap


def test_an_uncached_page_runs_one_query(client, django_assert_num_queries):
    page = PageFactory(slug="privacy")
    # Read once per process and content generation (and kept in the cache), by any page.
    content_version(), site_menus()

    with django_assert_num_queries(1):  # the page; nothing per part, related post or request
        response = client.get(page.get_absolute_url() + UNCACHED)

    assert response.status_code == 200


def test_a_page_going_live_is_not_news_but_its_cache_purge_still_goes(settings, endpoint):
    settings.BYLINE_PURGE_URLS = ["PURGE http://cdn.example{path}"]
    settings.BYLINE_WEBSUB_HUB = "https://hub.example/"
    page = PageFactory(status=Post.Status.DRAFT, authors=[UserFactory(email_notifications=False)])
    page.apply_transition("publish")
    page.save_with_history()

    golive.expand_due(timezone.now())

    channels = set(Delivery.objects.filter(event__post=page).values_list("channel", flat=True))
    assert Event.objects.filter(post=page, kind="post.published").exists()
    assert channels == {"purge"}


# Reserved slugs --------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["search", "feed", "admin", "posts", "tags", "static", "media"])
def test_a_page_slug_that_would_hide_a_site_address_is_refused(client, editor, slug):
    client.force_login(editor)

    response = client.post("/admin/blog/page/add/", page_form(title="Our page", slug=slug))

    assert response.status_code == 200
    assert "is taken by the site’s own addresses" in response.content.decode()
    assert not Post.objects.filter(title="Our page").exists()


def test_reserved_slugs_follow_the_urls_of_the_site_as_they_are_added(settings):
    from blog import urls as blog_urls
    from config import urls as site_urls

    module = types.ModuleType("tests_pages_urlconf")
    module.urlpatterns = [
        path("subscribe/", lambda request: None, name="subscribe"),
        *site_urls.urlpatterns,
    ]
    sys.modules[module.__name__] = module
    try:
        settings.ROOT_URLCONF = module.__name__
        assert "subscribe" in reserved_slugs()
        with pytest.raises(ValidationError, match="taken by the site"):
            PageFactory(slug="subscribe")
    finally:
        del sys.modules[module.__name__]
    assert blog_urls.urlpatterns[-1].name == "page_detail"


def test_every_site_address_of_one_segment_is_answered_before_the_pages():
    def single_segments(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from single_segments(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and "<" not in route and "^" not in route:
                if route.count("/") == 1 and route.endswith("/"):
                    yield route

    routes = list(single_segments(get_resolver().url_patterns))
    assert {"search/", "feed/", "admin/"} <= set(routes)
    for route in routes:
        assert resolve(f"/{route}").url_name != "page_detail", route


def test_a_page_made_from_a_reserved_title_gets_a_free_slug():
    page = PageFactory(title="Search", slug="")

    assert page.slug == "search-2"
    assert PostFactory(title="Search", slug="").slug == "search"  # /posts/search/ hides nothing


def test_a_page_may_not_take_the_slug_of_a_post(client, editor):
    PostFactory(slug="about")
    client.force_login(editor)

    response = client.post("/admin/blog/page/add/", page_form(title="About", slug="about"))

    assert "is the address of another post" in response.content.decode()
    assert Post.objects.filter(slug="about").count() == 1


# Writing pages: workflow by role, previews, revisions --------------------------------------------


def test_a_contributor_drafts_a_page_submits_it_and_may_not_publish_it(client, contributor):
    client.force_login(contributor)

    response = client.post("/admin/blog/page/add/", page_form(title="Contact us", slug="contact"))
    assert response.status_code == 302, response.content.decode()[:2000]
    page = Post.objects.get(slug="contact")
    assert page.kind == Post.Kind.PAGE and page.status == Post.Status.DRAFT
    assert list(page.authors.all()) == [contributor]

    client.post(f"/admin/blog/page/{page.pk}/change/", page_form(page, _transition="publish"))
    assert refreshed(page).status == Post.Status.DRAFT
    client.post(f"/admin/blog/page/{page.pk}/change/", page_form(page, _transition="submit"))
    assert refreshed(page).status == Post.Status.IN_REVIEW
    assert client.get("/contact/").status_code == 404


def test_an_editor_publishes_a_page_written_by_a_contributor(client, editor, contributor):
    page = PageFactory(slug="contact", status=Post.Status.IN_REVIEW, authors=[contributor])
    client.force_login(editor)

    response = client.post(
        f"/admin/blog/page/{page.pk}/change/", page_form(page, _transition="publish")
    )

    assert response.status_code == 302
    assert refreshed(page).is_published()
    client.logout()
    assert client.get("/contact/").status_code == 200


def test_a_contributor_sees_only_their_own_pages(client, contributor):
    own = PageFactory(title="My own page", status=Post.Status.DRAFT, authors=[contributor])
    other = PageFactory(title="Somebody else's page", status=Post.Status.DRAFT)
    client.force_login(contributor)

    listing = client.get("/admin/blog/page/").content.decode()

    assert own.title in listing and "Somebody else" not in listing
    assert client.get(f"/admin/blog/page/{other.pk}/change/").status_code == 302  # not found
    assert client.get(f"/admin/blog/page/{other.pk}/preview/").status_code == 404


def test_posts_and_pages_each_have_their_own_list_and_a_page_opens_in_pages(client, editor):
    post = PostFactory(title="A post on beans")
    page = PageFactory(title="A page about us")
    client.force_login(editor)

    posts = client.get("/admin/blog/post/").content.decode()
    pages = client.get("/admin/blog/page/").content.decode()

    assert post.title in posts and page.title not in posts
    assert page.title in pages and post.title not in pages
    moved = client.get(f"/admin/blog/post/{page.pk}/change/")
    assert moved.status_code == 302 and moved["Location"] == f"/admin/blog/page/{page.pk}/change/"
    form = client.get(f"/admin/blog/page/{page.pk}/change/").content.decode()
    assert 'name="title"' in form and 'name="tags"' not in form and "faqs-TOTAL_FORMS" not in form
    assert f"/admin/blog/page/{page.pk}/revisions/" in form
    assert "Pages" in client.get("/admin/").content.decode()


def test_a_draft_page_previews_as_a_page_from_the_admin_and_by_link(client, editor):
    page = PageFactory(slug="privacy", title="Privacy", status=Post.Status.DRAFT)
    client.force_login(editor)

    in_admin = client.get(f"/admin/blog/page/{page.pk}/preview/")
    client.logout()
    by_link = client.get(preview_url(page)[0])

    for response in (in_admin, by_link):
        html = response.content.decode()
        assert response.status_code == 200
        assert "This page is a draft: readers cannot see it yet." in html
        assert 'class="post post--page"' in html
        assert '<meta name="robots" content="noindex">' in html


def test_every_save_of_a_page_keeps_a_revision_and_an_old_one_can_be_restored(client, editor):
    page = PageFactory(slug="about", title="About")
    page.save_with_history(note="first")
    client.force_login(editor)

    client.post(f"/admin/blog/page/{page.pk}/change/", page_form(page, title="About us now"))
    assert refreshed(page).title == "About us now"
    assert Revision.objects.filter(post=page).count() == 2
    revisions = client.get(f"/admin/blog/page/{page.pk}/revisions/")
    assert revisions.status_code == 200 and "About us now" in revisions.content.decode()

    restored = client.post(
        f"/admin/blog/page/{page.pk}/revisions/1/restore/", {"version": refreshed(page).version}
    )

    assert restored["Location"] == f"/admin/blog/page/{page.pk}/change/"
    assert refreshed(page).title == "About"
    assert refreshed(page).kind == Post.Kind.PAGE


def test_the_pages_proxy_holds_pages_only():
    PostFactory()
    page = PageFactory()

    assert list(Page.objects.all()) == [page]
    made = Page(title="Made here", body="Words.")
    assert made.kind == Post.Kind.PAGE


# WordPress ---------------------------------------------------------------------------------------

WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"
  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/">
<channel>
  <title>Old site</title><link>https://old.example</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  {items}
</channel>
</rss>"""
ITEM = """<item><title>{title}</title><guid>https://old.example/?page_id={id}</guid>
  <content:encoded><![CDATA[Words of {title}.]]></content:encoded>
  <excerpt:encoded><![CDATA[About {title}.]]></excerpt:encoded>
  <wp:post_id>{id}</wp:post_id><wp:post_date_gmt>2024-01-02 10:00:00</wp:post_date_gmt>
  <wp:post_name>{slug}</wp:post_name><wp:status>publish</wp:status>
  <wp:post_parent>{parent}</wp:post_parent><wp:post_type>{kind}</wp:post_type></item>"""


def wordpress_export(tmp_path):
    items = [
        ITEM.format(title="A post", id=1, slug="a-post", parent=0, kind="post"),
        ITEM.format(title="About", id=2, slug="about", parent=0, kind="page"),
        ITEM.format(title="Our team", id=3, slug="team", parent=2, kind="page"),
        ITEM.format(title="Search tips", id=4, slug="search", parent=0, kind="page"),
    ]
    export = tmp_path / "export.xml"
    export.write_text(WXR.format(items="\n".join(items)), encoding="utf-8")
    return export


def test_wordpress_pages_come_in_as_pages_flattened_and_once(tmp_path, client):
    export = wordpress_export(tmp_path)

    out = command("import_wordpress", export, pages=True)

    assert "3 created" in out and "1 failed" in out
    assert "“Search tips”: slug: “search” is taken by the site’s own addresses" in out
    assert Post.objects.get(slug="a-post").kind == Post.Kind.POST
    about, team = Post.objects.get(slug="about"), Post.objects.get(slug="team")
    assert about.kind == team.kind == Post.Kind.PAGE
    assert team.metadata["wordpress_parent"] == "2"
    assert client.get("/team/").status_code == 200  # flat: not under /about/team/
    assert "0 created, 0 updated, 3 unchanged" in command("import_wordpress", export, pages=True)


def test_exported_pages_read_back_as_pages(tmp_path):
    PageFactory(slug="about", title="About")
    PostFactory(slug="a-post")
    command("export_posts", tmp_path / "out")
    Post.objects.all().delete()

    command("import_posts", tmp_path / "out")

    assert Post.objects.get(slug="about").kind == Post.Kind.PAGE
    assert Post.objects.get(slug="a-post").kind == Post.Kind.POST


def test_the_pages_list_publishes_in_bulk_and_speaks_of_pages(client, editor):
    page = PageFactory(slug="contact", status=Post.Status.IN_REVIEW)
    client.force_login(editor)

    listing = client.get("/admin/blog/page/").content.decode()
    response = client.post(
        "/admin/blog/page/",
        {"action": "publish_now", "_selected_action": [page.pk]},
        follow=True,
    )

    assert "Publish selected pages now" in listing and "selected posts" not in listing
    assert "1 page." in response.content.decode()
    assert refreshed(page).is_published()


def test_a_cached_page_is_served_without_a_query_and_changes_when_the_page_is_saved(
    client, editor, django_assert_num_queries
):
    page = PageFactory(slug="about", title="About us")
    assert "About us" in client.get("/about/").content.decode()
    with django_assert_num_queries(0):
        assert client.get("/about/").status_code == 200
    writer = Client()
    writer.force_login(editor)

    saved = writer.post(f"/admin/blog/page/{page.pk}/change/", page_form(page, title="Who we are"))

    assert saved.status_code == 302
    html = client.get("/about/").content.decode()
    assert "Who we are" in html and "About us" not in html


def test_a_page_with_a_sponsored_link_discloses_before_it(client):
    PageFactory(slug="tools", body="Our kit.\n\nWe like [this pan](https://amzn.to/pan).")

    html = client.get("/tools/").content.decode()

    assert 'class="disclosure"' in html
    assert html.index('class="disclosure"') < html.index("https://amzn.to/pan")
    assert 'rel="sponsored nofollow noopener"' in html


def test_a_new_page_autosaves_apart_from_a_new_post_in_the_same_tab(client, editor):
    key = "0123456789abcdef0123456789abcdef"  # one browser tab's key, for both forms
    client.force_login(editor)
    for url, body in [
        ("/admin/blog/post/add/draft/", "A post's words"),
        ("/admin/blog/page/add/draft/", "A page's words"),
    ]:
        saved = client.post(
            url, {"key": key, "fields": {"body": body}}, content_type="application/json"
        )
        assert saved.status_code == 200

    def offered(url):
        html = client.get(url).content.decode()
        found = re.search(
            r'<script id="post-editing-draft" type="application/json">(.*?)</script>', html
        )
        return json.loads(found[1])

    assert offered("/admin/blog/page/add/") | {"updated_at": "", "when": ""} == {
        "key": key,
        "fields": {"body": "A page's words"},
        "updated_at": "",
        "when": "",
        "post_changed_since": False,
    }
    assert offered("/admin/blog/post/add/")["fields"] == {"body": "A post's words"}
    response = client.post(
        "/admin/blog/page/add/", page_form(title="Saved page", slug="saved", _draft_key=key)
    )
    assert response.status_code == 302
    assert list(EditorDraft.objects.values_list("fields__body", flat=True)) == ["A post's words"]
    assert offered("/admin/blog/post/add/")["fields"] == {"body": "A post's words"}


@time_machine.travel("2026-06-15 12:00:00+00:00", tick=False)
def test_pages_are_not_on_the_editorial_calendar(client, editor):
    PostFactory(title="A post going out today", publish_at=timezone.now() - timedelta(hours=1))
    PageFactory(title="A page out today", publish_at=timezone.now() - timedelta(hours=1))
    PageFactory(title="A page drafted", status=Post.Status.DRAFT)
    client.force_login(editor)

    calendar = client.get("/admin/blog/post/calendar/").content.decode()

    assert "A post going out today" in calendar
    assert "A page out today" not in calendar and "A page drafted" not in calendar


def test_a_page_imported_with_tags_keeps_none_being_in_no_list(tmp_path):
    source = tmp_path / "reading-list.md"
    source.write_text(
        "---\ntitle: Reading list\nkind: page\nstatus: published\ntags: [books, kitchen]\n"
        "description: Books we keep.\n---\n\nBooks we keep going back to.\n",
        encoding="utf-8",
    )

    command("import_posts", source)

    page = Post.objects.get(slug="reading-list")
    assert page.kind == Post.Kind.PAGE and page.is_published()
    assert not page.tags.exists() and page.stored_tags == []
    assert "0 created, 0 updated, 1 unchanged" in command("import_posts", source)
