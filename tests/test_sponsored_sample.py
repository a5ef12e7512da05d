"""The shared real-world sample, an affiliate post, imported as published: every ClickBank link
sponsored, the disclosure before the first on its page and in both feeds, and its FAQs and
references in the feed items."""

import re
from pathlib import Path

import feedparser
import pytest

from blog.compliance import problems
from blog.models import Post
from tests.helpers import import_posts

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "why-men-pull-away.md"
CLICKBANK = re.compile(r'<a href="(https://[^"]*hop\.clickbank\.net[^"]*)"([^>]*)>')


@pytest.fixture
def sample_post():
    if not SAMPLE.exists():
        pytest.skip("the shared sample is not beside this checkout")
    _, _, error = import_posts(SAMPLE, status="published")
    assert error is None
    return Post.objects.get()


def test_every_clickbank_link_of_the_sample_is_sponsored_and_disclosed_first(client, sample_post):
    page = client.get(sample_post.get_absolute_url()).text

    links = CLICKBANK.findall(page)
    assert len(links) >= 3
    assert all(rel == ' rel="sponsored nofollow noopener"' for _, rel in links)
    assert page.count('<aside class="disclosure"') == 1
    assert page.index('<aside class="disclosure"') < page.index(links[0][0])
    assert problems(sample_post) == []


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_the_samples_feed_item_is_disclosed_and_whole(client, sample_post, url):
    entry = feedparser.parse(client.get(url).content, sanitize_html=False).entries[0]
    content = entry.content[0].value

    assert content.count("Disclosure:") == 1
    assert content.index("Disclosure:") < content.index("hop.clickbank.net")
    links = CLICKBANK.findall(content)
    assert links and all("sponsored" in rel for _, rel in links)
    for faq in sample_post.faqs.all():
        assert faq.question in content
    for reference in sample_post.references.all():
        assert reference.title in content


def test_importing_the_sample_as_published_without_any_disclosure_is_refused():
    if not SAMPLE.exists():
        pytest.skip("the shared sample is not beside this checkout")
    from blog.models import SiteSettings

    site = SiteSettings.load()
    site.disclosure = ""
    site.save()

    _, err, error = import_posts(SAMPLE, status="published")

    assert "no disclosure" in f"{err}{error}" or "disclosure to show" in f"{err}{error}"
    assert not Post.objects.exists()
    _, _, error = import_posts(SAMPLE, status="draft")
    assert error is None and Post.objects.get().status == Post.Status.DRAFT
