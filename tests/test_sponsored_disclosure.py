"""The sponsored-link disclosure: before the first sponsored link wherever a post appears (its
page, RSS and Atom items), absent without one, the site's text or the post's own, and
publishing refused without it. Feed items carry the whole post, FAQs and references too."""

import feedparser
import pytest
from django.urls import reverse

from blog.disclosure import disclose
from blog.models import FAQ, Post, Reference, SiteSettings
from tests.factories import FAQFactory, PostFactory, ReferenceFactory
from tests.helpers import post_form

pytestmark = pytest.mark.django_db

BODY = (
    "An opening paragraph with no offer.\n\n"
    "## Section\n\n"
    "- a list item\n"
    "- the [offer](https://vendor.hop.clickbank.net/?tid=x) inside a list\n\n"
    "A later [second offer](https://amzn.to/abc)."
)
FEEDS = ["/feed/", "/feed/atom/"]


def content_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    entry = feedparser.parse(response.content, sanitize_html=False).entries[0]
    return entry.content[0].value


def test_the_page_shows_the_disclosure_just_before_the_block_with_the_first_sponsored_link(client):
    post = PostFactory(body=BODY)

    page = client.get(post.get_absolute_url()).text

    disclosure = page.index('<aside class="disclosure"')
    assert page.index("An opening paragraph") < disclosure < page.index("<ul>")
    assert disclosure < page.index("hop.clickbank.net") and page.count('class="disclosure"') == 1
    assert "This post contains affiliate links." in page


def test_no_sponsored_link_no_disclosure(client):
    post = PostFactory(body="Read [a source](https://example.org/).")
    FAQFactory(post=post, answer="See [the study](https://example.org/study).")

    assert 'class="disclosure"' not in client.get(post.get_absolute_url()).text
    for url in FEEDS:
        assert "Disclosure" not in content_of(client, url)


@pytest.mark.parametrize("url", FEEDS)
def test_feed_items_carry_the_disclosure_before_the_first_sponsored_link(client, url):
    PostFactory(body=BODY)

    content = content_of(client, url)

    assert content.index("An opening paragraph") < content.index("Disclosure:")
    assert content.index("Disclosure:") < content.index("hop.clickbank.net")
    assert content.count("Disclosure:") == 1


@pytest.mark.parametrize("url", FEEDS)
def test_feed_items_carry_faqs_and_references_as_the_page_does(client, url):
    post = PostFactory(body="Plain body.")
    FAQ.objects.create(post=post, question="Is it hard?", answer="No, *not* at all.", order=1)
    Reference.objects.create(
        post=post, title="A study", publisher="Journal", year="2024", url="https://example.org/s"
    )

    content = content_of(client, url)

    assert "Frequently asked questions" in content and "Is it hard?" in content
    assert "<em>not</em>" in content
    assert "References" in content and "A study" in content and "https://example.org/s" in content


@pytest.mark.parametrize("url", FEEDS)
def test_a_sponsored_link_only_in_an_faq_gets_the_disclosure_before_the_faqs(client, url):
    post = PostFactory(body="Plain body, no offer.")
    FAQ.objects.create(post=post, question="Where to buy?", answer="[Here](https://amzn.to/x).")

    page = client.get(post.get_absolute_url()).text
    question = page.index('faq-list__question">Where to buy?')
    assert page.index("Plain body") < page.index('class="disclosure"') < question
    content = content_of(client, url)
    assert content.index("Plain body") < content.index("Disclosure:") < content.index("amzn.to")


def test_an_affiliate_reference_is_marked_sponsored_and_disclosed(client):
    post = PostFactory(body="Plain body.")
    ReferenceFactory(post=post, title="The product", url="https://www.amazon.com/dp/1?tag=me-20")

    post.refresh_from_db()
    assert post.has_sponsored_links
    page = client.get(post.get_absolute_url()).text
    assert 'href="https://www.amazon.com/dp/1?tag=me-20" rel="sponsored nofollow noopener"' in page
    assert page.index('class="disclosure"') < page.index("amazon.com/dp/1")


def test_a_post_can_have_its_own_disclosure(client):
    post = PostFactory(body=BODY, disclosure="We get **a small fee** from these.")

    page = client.get(post.get_absolute_url()).text
    assert "<strong>a small fee</strong>" in page and "This post contains affiliate" not in page
    assert "a small fee" in content_of(client, "/feed/")


def test_editing_the_site_disclosure_changes_pages_already_cached(client):
    post = PostFactory(body=BODY)
    assert "This post contains affiliate links." in client.get(post.get_absolute_url()).text

    settings_row = SiteSettings.load()
    settings_row.disclosure = "Disclosure: links here may earn us money."
    settings_row.save()

    page = client.get(post.get_absolute_url()).text
    assert "links here may earn us money." in page
    assert "Disclosure: Disclosure" not in page  # the label is not doubled


def test_author_text_cannot_fake_or_break_the_disclosure(client):
    post = PostFactory(
        body='<aside class="disclosure">Nothing to see</aside>\n\n[buy](https://amzn.to/x)',
        disclosure="<script>alert(1)</script> Affiliate [note](javascript:alert(2)).",
    )

    page = client.get(post.get_absolute_url()).text
    assert "<script>alert(1)" not in page and "javascript:alert" not in page
    assert page.count('<aside class="disclosure"') == 1
    assert page.index('<aside class="disclosure"') < page.index("amzn.to/x")


def test_disclose_leaves_text_without_sponsored_links_alone():
    post = Post(disclosure="Paid.")
    assert disclose(post, "<p>plain</p>", "plain text excerpt") == [
        "<p>plain</p>",
        "plain text excerpt",
    ]


# Publishing ---------------------------------------------------------------------------------


@pytest.fixture
def no_site_disclosure():
    settings_row = SiteSettings.load()
    settings_row.disclosure = ""
    settings_row.save()


def faq_rows(*answers):
    data = {"faqs-TOTAL_FORMS": str(len(answers))}
    for index, answer in enumerate(answers):
        data |= {f"faqs-{index}-question": f"Question {index}?", f"faqs-{index}-answer": answer}
    return data


def publish(client, user, **fields):
    client.force_login(user)
    data = post_form(**{"title": "Offers", "body": BODY, "_transition": "publish", **fields})
    return client.post(reverse("admin:blog_post_add"), data)


def test_publishing_a_post_with_sponsored_links_and_no_disclosure_is_refused(
    client, editor, no_site_disclosure
):
    response = publish(client, editor)

    assert response.status_code == 200
    assert "has sponsored or affiliate links but no disclosure" in response.text
    assert not Post.objects.filter(title="Offers").exists()


def test_a_posts_own_disclosure_lets_it_publish_without_the_sites(
    client, editor, no_site_disclosure
):
    response = publish(client, editor, disclosure="We earn from these links.")

    assert response.status_code == 302
    post = Post.objects.get(title="Offers")
    assert post.is_published()
    assert "We earn from these links." in client.get(post.get_absolute_url()).text


def test_a_sponsored_link_in_a_submitted_faq_needs_a_disclosure_too(
    client, editor, no_site_disclosure
):
    response = publish(
        client, editor, body="No offer here.", **faq_rows("[Buy](https://amzn.to/q)")
    )

    assert "no disclosure" in response.text
    assert not Post.objects.filter(title="Offers").exists()


def test_bulk_publishing_refuses_posts_without_a_disclosure(client, editor, no_site_disclosure):
    draft = PostFactory(body=BODY, status=Post.Status.DRAFT)
    client.force_login(editor)

    response = client.post(
        reverse("admin:blog_post_changelist"),
        {"action": "publish_now", "_selected_action": [draft.pk]},
        follow=True,
    )

    assert "no disclosure" in response.text
    assert Post.objects.get(pk=draft.pk).status == Post.Status.DRAFT


def test_the_post_form_shows_the_compliance_check(client, editor, no_site_disclosure):
    post = PostFactory(body="[Get it](/go/missing/) and [buy](https://amzn.to/x).")
    client.force_login(editor)

    page = client.get(reverse("admin:blog_post_change", args=[post.pk])).text

    assert "Compliance check" in page
    assert "no disclosure" in page
    assert "/go/missing/ is not a live sponsored link" in page
    assert "Publishing is refused until these are fixed." in page


def test_the_compliance_check_passes_a_disclosed_post(client, editor):
    post = PostFactory(body=BODY)
    FAQFactory(post=post)
    client.force_login(editor)

    page = client.get(reverse("admin:blog_post_change", args=[post.pk])).text

    assert "the disclosure comes before the first of them" in page


def test_stale_faq_structured_data_is_a_compliance_problem():
    from blog.compliance import problems

    post = PostFactory(body="Body.")
    FAQFactory(post=post, question="Visible question?")
    stored = Post.objects.get(pk=post.pk)
    assert problems(stored) == []

    Post.objects.filter(pk=post.pk).update(
        stored_faqs=[{"question": "Another question?", "answer_html": "<p>x</p>"}]
    )

    assert any("structured data" in p for p in problems(Post.objects.get(pk=post.pk)))


def test_on_the_page_a_long_disclosure_is_one_sentence_before_the_link_and_whole_after_the_body(
    client,
):
    post = PostFactory(body=BODY)  # the site's disclosure: two sentences

    page = client.get(post.get_absolute_url()).text

    short = page[page.index('<aside class="disclosure"') : page.index("</aside>")]
    assert "This post contains affiliate links." in short and "If you buy" not in short
    assert '<a href="#disclosure">Full disclosure</a>' in short
    assert page.index('<aside class="disclosure"') < page.index("hop.clickbank.net")
    full = page.index('<section class="post__disclosure" id="disclosure"')
    assert page.index("A later") < full and page.index("If you buy through them") > full


def test_a_one_sentence_disclosure_is_shown_whole_where_it_stands(client):
    post = PostFactory(body=BODY, disclosure="We get **a small fee** from these. ")

    page = client.get(post.get_absolute_url()).text

    assert "<strong>a small fee</strong>" in page and "Full disclosure" not in page
    assert 'id="disclosure"' not in page


@pytest.mark.parametrize("url", FEEDS)
def test_feed_items_carry_the_whole_disclosure(client, url):
    PostFactory(body=BODY)

    content = content_of(client, url)

    assert "This post contains affiliate links. If you buy through them" in content
    assert "Full disclosure" not in content
