"""Stored URLs become links only when they are web addresses: the forms and importers check
them on the way in, and pages check them again on the way out (data from elsewhere, such as an
old database or a restore, never went through a form)."""

import pytest

from blog.rendering import web_url
from tests.factories import PostFactory, ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db

SCRIPT_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    '//evil.example/" onmouseover="alert(1)',
    "https:alert(1)",
]


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_stored_script_urls_never_become_links(client, url):
    writer = UserFactory(slug="writer", website=url, linkedin=url)
    post = PostFactory(slug="p", canonical_url=url, authors=[writer])
    ReferenceFactory(post=post, title="A cited study", url=url)

    for page in ["/posts/p/", "/authors/writer/"]:
        html = client.get(page).content.decode()
        assert "alert(1)" not in html and "msgbox" not in html, page
    post_page = client.get("/posts/p/").content.decode()
    assert "<cite>A cited study</cite>" in post_page  # the reference is still listed
    assert '<link rel="canonical" href="http://testserver/posts/p/">' in post_page


def test_web_addresses_still_become_links(client):
    writer = UserFactory(
        slug="writer", website="https://writer.example/", linkedin="https://linkedin.example/in/w"
    )
    post = PostFactory(slug="p", canonical_url="https://elsewhere.example/p", authors=[writer])
    ReferenceFactory(post=post, title="A cited study", url="http://journal.example/1?a=1&b=2")

    post_page = client.get("/posts/p/").content.decode()
    assert '<link rel="canonical" href="https://elsewhere.example/p">' in post_page
    assert '<a href="http://journal.example/1?a=1&amp;b=2" rel="noopener">' in post_page
    author_page = client.get("/authors/writer/").content.decode()
    assert '<a href="https://writer.example/" rel="me noopener">Website</a>' in author_page
    assert 'href="https://linkedin.example/in/w"' in author_page


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.org/a", "https://example.org/a"),
        ("HTTP://EXAMPLE.ORG", "HTTP://EXAMPLE.ORG"),
        ("", ""),
        (None, ""),
        ("/posts/relative/", ""),
        ("mailto:someone@example.org", ""),
        ("http://[::1", ""),  # unparseable
        *((url, "") for url in SCRIPT_URLS),
    ],
)
def test_web_url_keeps_only_http_addresses_with_a_host(url, expected):
    assert web_url(url) == expected
