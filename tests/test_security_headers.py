"""Content-Security-Policy and Permissions-Policy on every kind of response.

What the policies allow is proven in a real browser in test_browser_csp.py; here, that each
response carries the right one, cached copies included.
"""

import pytest
from django.urls import reverse

from blog.models import Post
from blog.rendering import render_markdown
from tests.factories import FullPostFactory, PostFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

CSP = "Content-Security-Policy"


def directives(response):
    policy = response.headers[CSP]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def assert_strict_public_policy(response):
    policy = directives(response)
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'none'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "unsafe" not in response.headers[CSP]
    assert "nonce" not in response.headers[CSP]


@pytest.fixture
def site():
    writer = UserFactory(slug="writer", website="https://writer.example")
    topic = TopicFactory(slug="garden")
    return FullPostFactory(
        slug="soil", authors=[writer], tags=["compost"], topics=[topic], faqs=1, references=1
    )


PUBLIC_URLS = [
    "/",
    "/posts/soil/",
    "/tags/compost/",
    "/topics/garden/",
    "/authors/writer/",
    "/search/?q=words",
    "/archive/{year}/",
    "/feed/",
    "/feed/atom/",
    "/tags/compost/feed/",
    "/sitemap.xml",
    "/robots.txt",
    "/posts/no-such-post/",
]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_responses_allow_no_script_at_all(client, site, url):
    response = client.get(url.format(year=site.publish_at.year))
    assert response.status_code in (200, 404)
    assert_strict_public_policy(response)


def test_cached_page_keeps_the_policy_and_stays_byte_identical(
    client, site, django_assert_max_num_queries
):
    first = client.get("/posts/soil/")
    with django_assert_max_num_queries(0):
        second = client.get("/posts/soil/")
    assert second.content == first.content
    assert_strict_public_policy(second)
    assert b"nonce" not in second.content
    assert second.headers[CSP] == first.headers[CSP]


def test_revalidated_page_keeps_the_policy(client, site):
    etag = client.get("/posts/soil/").headers["ETag"]
    response = client.get("/posts/soil/", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert_strict_public_policy(response)


def test_public_pages_carry_no_inline_script_or_style(client, site):
    html = client.get("/posts/soil/").content.decode()
    assert " style=" not in html
    scripts = html.count("<script")
    assert scripts == html.count('<script type="application/ld+json">') > 0


@pytest.mark.parametrize(
    "url",
    [
        "/admin/login/",
        "/admin/",
        "/admin/blog/post/",
        "/admin/blog/post/add/",
        "/admin/blog/post/{pk}/change/",
        "/admin/blog/post/{pk}/revisions/",
        "/admin/blog/post/import/",
        "/admin/accounts/user/{author}/change/",
        "/admin/jsi18n/",
    ],
)
def test_admin_runs_only_its_own_script_files(client, superuser, site, url):
    if url != "/admin/login/":
        client.force_login(superuser)
    response = client.get(url.format(pk=site.pk, author=site.authors.get().pk))
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]  # the live preview and image upload
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert "unsafe" not in response.headers[CSP]


def test_admin_preview_of_a_draft_gets_the_public_policy(client, superuser, site):
    draft = PostFactory(status=Post.Status.DRAFT)
    client.force_login(superuser)
    response = client.get(reverse("admin:blog_post_preview", args=[draft.pk]))
    assert response.status_code == 200
    assert_strict_public_policy(response)


def test_status_badges_are_styled_by_class_not_inline_style(client, superuser, site):
    client.force_login(superuser)
    html = client.get("/admin/blog/post/").content.decode()
    assert '<span class="status-badge status-badge--published">Published</span>' in html
    assert 'class="status-badge" style=' not in html


def test_table_alignment_is_a_class_not_an_inline_style():
    html = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")
    assert "style=" not in html
    assert '<th class="align-center">b</th>' in html
    assert '<td class="align-right">3</td>' in html


def test_permissions_policy_switches_off_powerful_features(client, superuser, site):
    for url in ["/", "/feed/", "/admin/login/"]:
        policy = client.get(url).headers["Permissions-Policy"]
        for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
            assert f"{feature}=()" in policy


def test_csrf_failure_page_in_the_admin_is_styled_by_its_nonce(superuser):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        "/admin/login/", {"username": "root", "password": "x"}
    )
    assert response.status_code == 403
    nonce = directives(response)["style-src"][1].removeprefix("'nonce-").removesuffix("'")
    assert f'<style nonce="{nonce}">' in response.content.decode()
    assert directives(response)["script-src"] == ["'self'"]


def test_table_alignment_stored_before_the_policy_becomes_classes(db):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("blog.migrations.0008_table_alignment_classes")
    post = PostFactory(body="| a |\n|--:|\n| 1 |")
    old_html = post.body_html.replace('class="align-right"', 'style="text-align: right;"')
    Post.objects.filter(pk=post.pk).update(body_html=old_html)

    migration.align_with_classes(apps, None)

    post.refresh_from_db()
    assert "style=" not in post.body_html
    assert post.body_html.count('class="align-right"') == 2
