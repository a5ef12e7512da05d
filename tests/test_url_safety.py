"""URL fields become links only when they are web addresses, however they were stored.

Forms and imports check these fields, but a value written another way (the ORM, a data
migration, an old import, a restore) goes to href/src/url through the render-time check.
"""

import json
import re

import pytest
from django.utils.html import escape

from blog.models import Post
from tests.factories import PostFactory, ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db

UNSAFE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.domain)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript://example.com/%0Aalert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.example/",
    "/admin/",
]


def stored_directly(url):
    """An author, a post and a reference holding `url`, written through the ORM only."""
    author = UserFactory(display_name="Una Safe", slug="una", website=url, linkedin=url)
    post = PostFactory(title="Links kept safe", canonical_url=url, authors=[author])
    ReferenceFactory(post=post, title="A cited study", url=url)
    Post.objects.filter(pk=post.pk).update(canonical_url=url)  # no save(), no validation
    return author, post


def json_ld_urls(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.dumps([json.loads(block) for block in blocks])


@pytest.mark.parametrize("url", UNSAFE_URLS)
def test_unsafe_urls_stored_directly_never_become_links(client, url):
    author, post = stored_directly(url)

    post_page = client.get(post.get_absolute_url()).content.decode()
    author_page = client.get(author.get_absolute_url()).content.decode()
    feeds = [
        client.get(path).content.decode()
        for path in ("/feed/", "/feed/atom/", "/authors/una/feed/", "/authors/una/feed/atom/")
    ]

    for page in (post_page, author_page, *feeds):
        assert escape(url) not in page
        assert url not in page
    assert url not in json_ld_urls(post_page) and url not in json_ld_urls(author_page)
    assert "<cite>A cited study</cite>" in post_page  # still cited, just not linked
    canonical = f'<link rel="canonical" href="http://testserver{post.get_absolute_url()}">'
    assert canonical in post_page
    assert ">Website</a>" not in author_page and ">LinkedIn</a>" not in author_page


def test_web_addresses_stay_links(client):
    url = "https://example.org/original?ref=1&x=2"
    author, post = stored_directly(url)

    post_page = client.get(post.get_absolute_url()).content.decode()
    author_page = client.get(author.get_absolute_url()).content.decode()

    assert f'<a href="{escape(url)}" rel="noopener"><cite>A cited study</cite></a>' in post_page
    assert f'<link rel="canonical" href="{escape(url)}">' in post_page
    assert f'<a href="{escape(url)}" rel="me noopener">Website</a>' in author_page
    assert url in json.loads(json_ld_urls(author_page))[0]["mainEntity"]["sameAs"]
