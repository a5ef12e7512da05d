"""Markdown rendering and sanitising: every place an author's text reaches a page."""

import pytest

from blog.rendering import has_sponsored_links, link_kind, render_markdown
from tests.factories import FAQFactory, PostFactory, SponsoredLinkFactory, UserFactory

# Rendering reads the affiliate rules from the database.
pytestmark = pytest.mark.django_db

ATTACKS = {
    "script": "<script>alert('x')</script>",
    "script in markdown link title": '[a](https://example.org "x"><script>alert(1)</script>)',
    "event handler": '<img src="https://example.org/a.png" onerror="alert(1)">',
    "event handler on allowed tag": '<a href="https://example.org" onmouseover="alert(1)">a</a>',
    "javascript url in markdown": "[click](javascript:alert(1))",
    "javascript url in html, mixed case": '<a href="JaVaScRiPt:alert(1)">click</a>',
    "javascript url with entities": '<a href="jav&#x09;ascript:alert(1)">click</a>',
    "data url link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data url image": "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "object": '<object data="https://evil.example/x.swf"></object>',
    "embed": '<embed src="https://evil.example/x.swf">',
    "style element": "<style>body { display: none }</style>",
    "style attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "form": '<form action="https://evil.example/"><input name="password"></form>',
    "svg with script": "<svg><script>alert(1)</script></svg>",
    "html comment": "<!-- <script>alert(1)</script> -->",
}
FORBIDDEN = [
    "<script",
    "onerror",
    "onmouseover",
    "javascript:",
    "data:",
    "<iframe",
    "<object",
    "<embed",
    "<style",
    "style=",
    "<form",
    "<input",
    "<svg",
    "<!--",
]


def assert_inert(html):
    lowered = html.lower()
    for needle in FORBIDDEN:
        assert needle not in lowered, f"{needle!r} survived in {html!r}"


@pytest.mark.parametrize("markup", ATTACKS.values(), ids=ATTACKS.keys())
def test_rendered_markdown_never_contains_active_content(markup):
    assert_inert(render_markdown(f"Before.\n\n{markup}\n\nAfter."))


@pytest.mark.django_db
@pytest.mark.parametrize("markup", ATTACKS.values(), ids=ATTACKS.keys())
def test_post_body_faq_answer_and_author_bio_are_sanitised_on_save(markup):
    author = UserFactory(bio=markup)
    post = PostFactory(body=markup, authors=[author])
    faq = FAQFactory(post=post, answer=markup)

    for html in (post.body_html, faq.answer_html, author.bio_html):
        assert_inert(html)


@pytest.mark.django_db
def test_post_page_shows_attack_text_inert(client):
    author = UserFactory(bio='<img src="x.png" onerror="alert(\'bio\')">')
    post = PostFactory(body="<script>alert('body')</script>Hello", authors=[author])
    FAQFactory(post=post, answer='<a href="javascript:alert(1)">faq</a>')

    html = client.get(post.get_absolute_url()).content.decode()

    assert "alert('body')" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


def test_markdown_features_render():
    html = render_markdown(
        "## A heading\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "```python\nprint('hi')\n```\n\nText[^1]\n\n[^1]: A footnote."
    )

    assert '<h2 id="a-heading">A heading</h2>' in html
    assert "<table" in html and "<td>1</td>" in html
    assert '<code class="language-python">' in html
    assert 'id="fn:1"' in html and 'href="#fn:1"' in html


def test_author_supplied_classes_and_rel_are_not_kept():
    html = render_markdown(
        '<a href="https://example.org" rel="dofollow" class="button">x</a>'
        '<code class="language-js evil">y</code>'
    )

    assert 'rel="noopener"' in html and "dofollow" not in html
    assert "button" not in html and "evil" not in html
    assert 'class="language-js"' in html


@pytest.mark.parametrize(
    ("href", "kind"),
    [
        ("https://abc123.hop.clickbank.net/?tid=blog", "sponsored"),
        ("https://amzn.to/3xyz", "sponsored"),
        ("https://www.amazon.com/dp/B000?tag=byline-20", "sponsored"),
        ("https://www.amazon.co.uk/dp/B000?tag=byline-21", "sponsored"),
        ("https://www.amazon.com/dp/B000", "outbound"),
        ("https://www.shareasale.com/r.cfm?b=1", "sponsored"),
        ("https://brand.sjv.io/c/1/2/3", "sponsored"),
        ("https://www.anrdoezrs.net/click-1-2", "sponsored"),
        ("/go/cookbook/", "sponsored"),
        ("/go/no-such-link/", "retired"),
        ("https://en.wikipedia.org/wiki/Sourdough", "outbound"),
        ("/posts/another-post/", "internal"),
        ("#section", "other"),
        ("mailto:editor@example.com", "other"),
        ("https://notclickbank.net.evil.example/", "outbound"),
        ("//amzn.to/3xyz", "sponsored"),
        ("//example.org/page", "outbound"),
        ("  https://amzn.to/3xyz", "sponsored"),
    ],
)
def test_links_are_classified_by_kind(href, kind):
    SponsoredLinkFactory(slug="cookbook")

    assert link_kind(href) == kind


def test_links_get_rel_by_kind():
    SponsoredLinkFactory(slug="deal")
    html = render_markdown(
        "[offer](https://x.hop.clickbank.net/?tid=1) [source](https://example.org/) "
        "[ours](/posts/other/) [deal](/go/deal/)"
    )

    assert '<a href="https://x.hop.clickbank.net/?tid=1" rel="sponsored nofollow noopener">' in html
    assert '<a href="https://example.org/" rel="noopener">' in html
    assert '<a href="/posts/other/">' in html
    assert '<a href="/go/deal/" rel="sponsored nofollow noopener">' in html


def test_sponsored_flag_follows_the_links():
    assert has_sponsored_links(render_markdown("[buy](https://amzn.to/abc)"))
    assert not has_sponsored_links(render_markdown("[read](https://example.org/)"))


@pytest.mark.django_db
def test_post_derives_html_sponsored_flag_word_count_and_reading_time_on_save():
    post = PostFactory(body="word " * 460 + "[buy](https://amzn.to/abc)")

    assert post.has_sponsored_links
    assert post.word_count == 461
    assert post.reading_time == 3  # 461 words at 230 a minute, rounded up
    assert 'rel="sponsored nofollow noopener"' in post.body_html


@pytest.mark.django_db
def test_derived_fields_follow_a_save_with_update_fields():
    post = PostFactory(body="short")
    post.body = "[buy](https://amzn.to/abc) now"
    post.save(update_fields=["body"])

    post.refresh_from_db()
    assert post.has_sponsored_links and "amzn.to" in post.body_html and post.word_count == 2


@pytest.mark.django_db
def test_post_with_sponsored_links_shows_a_disclosure_before_the_body(client):
    post = PostFactory(body="Intro.\n\n[A cookbook](https://amzn.to/abc)")

    html = client.get(post.get_absolute_url()).content.decode()

    assert "Disclosure:" in html
    assert html.index("Disclosure:") < html.index("https://amzn.to/abc")


@pytest.mark.django_db
def test_admin_live_preview_uses_the_sanitising_renderer(client, editor):
    client.force_login(editor)

    response = client.post(
        "/markdownx/markdownify/", {"content": "**bold** <script>alert(1)</script>"}
    )

    assert response.status_code == 200
    assert b"<strong>bold</strong>" in response.content
    assert b"<script" not in response.content


@pytest.mark.django_db
def test_live_preview_and_image_upload_are_refused_to_anonymous_visitors(client):
    assert client.post("/markdownx/markdownify/", {"content": "x"}).status_code == 302
    assert client.post("/markdownx/upload/", {}).status_code == 302


def test_a_level_one_heading_becomes_a_section_heading_so_the_page_keeps_one_h1():
    html = render_markdown("# Big heading\n\nText")

    assert "<h1" not in html and '<h2 id="big-heading">Big heading</h2>' in html


def test_headings_and_raw_html_cannot_take_the_ids_the_page_uses():
    html = render_markdown(
        '## Content\n\n<h3 id="faqs-heading">x</h3> <sup id="toc-heading">1</sup>'
    )

    assert 'id="content"' not in html and 'id="content-section"' in html
    assert 'id="faqs-heading"' not in html and 'id="toc-heading"' not in html


def test_plain_text_of_rendered_html_is_what_an_html_parser_reads():
    """plain_text() finds tags with a pattern, which holds for HTML this site sanitised."""
    import html
    import re
    from pathlib import Path

    from django.utils.html import strip_tags

    from blog.rendering import plain_text

    texts = [path.read_text() for path in Path("demo/posts").glob("*.md")]
    texts += [
        '<a href="https://example.org/?a=1&b=2" title="1 > 0 \'quoted\'">a > b</a> & <b>c</b>',
        "x < y > z, `<script>alert(1)</script>`, &lt;b&gt; and a<br>b <!-- gone -->",
        "| a | <i>b</i> |\n|---|---|\n| 1 > 0 | ![alt > text](https://example.org/i.png) |",
    ]
    for text in texts:
        rendered = render_markdown(text)
        parsed = re.sub(r"\s+", " ", html.unescape(strip_tags(rendered))).strip()
        assert plain_text(rendered) == parsed


def test_a_text_renders_the_same_whatever_the_renderer_rendered_before():
    """The renderer reuses one python-markdown converter: nothing a text defines (an
    abbreviation, a footnote, a heading's id, a stashed block) reaches the next one."""
    import markdown

    from blog import rendering

    texts = [
        "*[HTML]: Hyper Text\n\nHTML here.[^1]\n\n[^1]: A note.\n\n# Title\n\n## Part\n",
        "HTML again, no abbreviation.[^1] Part two.\n\n# Title\n\n## Part\n\n<div>raw</div>",
        "```python\nprint(1)\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[^1]: Orphan.",
        "Plain *text* with [a link](https://example.org) and &amp; HTML.",
    ]

    def fresh(text):
        converter = markdown.Markdown(
            extensions=rendering._MARKDOWN_EXTENSIONS, extension_configs=rendering._MARKDOWN_CONFIG
        )
        return converter.convert(text), converter.toc_tokens

    for text in texts + texts[::-1] + texts:
        assert rendering.convert_markdown(text) == fresh(text)
