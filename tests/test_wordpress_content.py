"""A WordPress export's content as Markdown an editor can work with: blocks, classic posts,
shortcodes, entities, and what the import says it did. The fixture is a site export of the
shape WordPress 6 writes (tests/fixtures/wordpress/kitchen.xml)."""

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from accounts.models import User
from blog import importers
from blog.importers import wordpress, wp_markup
from blog.importers.pool import ParsePool
from blog.importers.wp_content import to_markdown
from blog.models import Post, Revision, Topic
from blog.rendering import render_markdown, sanitize_html
from tests.helpers import admin_import, command, upload

pytestmark = pytest.mark.django_db
EXPORT = Path(__file__).parent / "fixtures" / "wordpress" / "kitchen.xml"
PRIMER, KIMCHI, DRAFT = "salt-pepper-primer", "quick-kimchi", "draft-smoked-salt"


@pytest.fixture
def imported():
    """The fixture imported: its posts by slug, and what the command printed."""
    out = command("import_wordpress", EXPORT)
    return {post.slug: post for post in Post.objects.all()}, out


def body(imported, slug):
    return imported[0][slug].body


# Block-editor posts ------------------------------------------------------------------------------


def test_block_comments_are_gone_from_the_body(imported):
    for post in imported[0].values():
        assert "<!--" not in post.body and "wp:" not in post.body
        assert "wp-block" not in post.body_html


def test_block_paragraphs_headings_and_emphasis_become_markdown(imported):
    text = body(imported, PRIMER)

    assert text.startswith("Seasoning is the first thing a cook learns & the last thing")
    assert "Start with **kosher salt**, *coarse* pepper" in text
    assert "\n## 🧂 Why salt first\n" in text  # the emoji and its space kept
    assert "<p>" not in text and "<em>" not in text


def test_links_keep_their_address_even_with_brackets(imported):
    post = imported[0][PRIMER]

    assert "[little chemistry](https://en.wikipedia.org/wiki/Salt_(chemistry))" in post.body
    assert 'href="https://en.wikipedia.org/wiki/Salt_(chemistry)"' in post.body_html


def test_nested_lists_stay_nested(imported):
    post = imported[0][PRIMER]

    assert "- Dry brine\n    1. Weigh the meat\n    2. Use 1% salt\n- Wet brine" in post.body
    assert re.search(r"<li>Dry brine<ol>\s*<li>Weigh the meat</li>", post.body_html)


def test_list_items_of_several_paragraphs_stay_apart():
    markdown, _ = to_markdown("<ul><li><p>Soak</p><p>overnight.</p></li><li>Rinse</li></ul>")

    assert markdown == "- Soak\n\n    overnight.\n\n- Rinse"
    assert re.search(r"<li>\s*<p>Rinse</p>\s*</li>", render_markdown(markdown))


def test_quotes_keep_their_source(imported):
    text = body(imported, PRIMER)

    assert "> Season from a height, like snow.\n>\n> — Every chef, ever" in text


def test_code_blocks_are_fenced_with_their_language(imported):
    post = imported[0][PRIMER]

    code = "def brine(grams):\n    return grams * 0.01  # one `percent`\n"
    assert f"```python\n{code}```" in post.body
    assert '<code class="language-python">def brine(grams):' in post.body_html


def test_images_keep_their_alt_text_and_caption(imported):
    post = imported[0][PRIMER]

    assert (
        "![Sliced brisket with a pink smoke ring](https://saltandsmoke.example/wp-content/"
        "uploads/2024/09/brisket-1024x683.jpg)  \n_Twelve hours, *no peeking*._"
    ) in post.body
    assert 'alt="Sliced brisket with a pink smoke ring"' in post.body_html
    assert "<em>Twelve hours, <em>no peeking</em>.</em>" in post.body_html


def test_an_image_title_from_wordpress_is_no_caption():
    markdown, _ = to_markdown('<p><img src="https://x.example/a.jpg" alt="A" title="IMG_0042"></p>')

    assert markdown == "![A](https://x.example/a.jpg)"


def test_a_web_image_alone_with_a_title_renders_as_a_figure_with_that_caption():
    lone = render_markdown('[![Ash](https://x.example/a.jpg "Ash & <em>embers</em>")](/big/)')
    inline = render_markdown('See ![Ash](https://x.example/a.jpg "Ash") here.')
    attack = render_markdown('![x](https://x.example/a.jpg "\\"><script>alert(1)</script>")')

    assert lone == (
        '<figure><a href="/big/"><img alt="Ash" src="https://x.example/a.jpg"></a>'
        "<figcaption>Ash &amp; &lt;em&gt;embers&lt;/em&gt;</figcaption></figure>"
    )
    assert "<figure>" not in inline and 'title="Ash"' in inline
    assert "<script" not in attack and "&lt;script&gt;" in attack


def test_a_plain_table_becomes_a_markdown_table(imported):
    post = imported[0][PRIMER]

    assert "| Cut | Salt per kg |\n| --- | --- |\n| Brisket | 10 g |\n" in post.body
    assert "<td>Pork | shoulder</td>" in post.body_html  # its pipe escaped, not a new column


def test_a_table_with_merged_cells_stays_html_with_its_merged_cells(imported):
    post = imported[0][PRIMER]

    assert '<table><tbody><tr><td colspan="2"><strong>Smoking times</strong></td></tr>' in post.body
    assert 'class="has-fixed-layout"' not in post.body  # cleaned as the renderer would
    assert '<td colspan="2"><strong>Smoking times</strong></td>' in post.body_html


def test_separators_become_rules_and_buttons_links(imported):
    post = imported[0][PRIMER]

    assert "\n---\n" in post.body and "<hr>" in post.body_html
    assert "[Get the rub](https://saltandsmoke.example/shop/)" in post.body


def test_embeds_become_links_and_no_frame_or_script_is_kept(imported):
    post = imported[0][PRIMER]

    assert "<https://www.youtube.com/watch?v=dQw4w9WgXcQ>  \n*Trimming a brisket*" in post.body
    # The custom HTML block's player, as the page it plays.
    assert "[Wrapping in butcher paper](https://www.youtube.com/watch?v=oHg5SJYRHA0)" in post.body
    assert "iframe" not in post.body and "<script" not in post.body
    assert "old plugin" not in post.body_html


def test_a_gallery_block_shows_each_image_plain_captions_as_figures(imported):
    post = imported[0][PRIMER]

    assert "![An offset smoker in the early light](https://saltandsmoke.example/wp-content/" in (
        post.body
    )
    assert 'smoker.jpg "Lit at five")' in post.body
    assert re.search(
        r'<figure><img [^>]*smoker.jpg"><figcaption>Lit at five</figcaption>', (post.body_html)
    )


def test_reusable_blocks_are_put_in_place(imported):
    text = body(imported, PRIMER)

    assert text.endswith(
        "**Like this?** A letter from the smokehouse, "
        "[once a month](https://saltandsmoke.example/letter/)."
    )


def test_inline_elements_markdown_cannot_write_stay_as_html(imported):
    post = imported[0][PRIMER]

    assert "H<sub>2</sub>O leaves" in post.body and "<del>early</del>" in post.body
    assert "H<sub>2</sub>O leaves" in post.body_html


def test_text_that_looks_like_markdown_stays_text(imported):
    primer, kimchi = imported[0][PRIMER], imported[0][KIMCHI]

    assert "Write it as a_b or 5 \\* 3 &lt;no tags>." in primer.body
    assert "Write it as a_b or 5 * 3 &lt;no tags&gt;." in primer.body_html
    assert "1\\. is not a list here, and # is not a heading." in kimchi.body
    assert "<p>1. is not a list here, and # is not a heading.</p>" in kimchi.body_html


# Classic posts -----------------------------------------------------------------------------------


def test_classic_blank_lines_make_paragraphs_and_single_newlines_line_breaks(imported):
    post = imported[0][KIMCHI]

    assert post.body.startswith("Napa cabbage, salt & time.  \nThat is most of it.\n\n")
    assert post.body_html.startswith(
        "<p>Napa cabbage, salt &amp; time.<br>\nThat is most of it.</p>"
    )


def test_classic_preformatted_text_keeps_its_blank_lines(imported):
    text = body(imported, KIMCHI)

    assert "### The paste\n\n```\ngarlic\nginger\n\ngochugaru\n```" in text


def test_classic_html_lists_and_tables_become_markdown(imported):
    text = body(imported, KIMCHI)

    assert text.endswith("- Fish sauce\n- Spring onions")
    assert "| Day | Taste |\n| --- | --- |\n| 1 | Salty |\n| 3 | Sour |" in text


# Shortcodes --------------------------------------------------------------------------------------


def test_caption_shortcodes_become_an_image_with_its_caption(imported):
    post = imported[0][KIMCHI]

    assert (
        "[![Quartered cabbage under coarse salt](https://saltandsmoke.example/wp-content/uploads/"
        "2023/03/cabbage-640x427.jpg)](https://saltandsmoke.example/wp-content/uploads/2023/03/"
        "cabbage.jpg)  \n_Salted for **two hours**_"
    ) in post.body
    assert "[caption" not in post.body


def test_embed_shortcodes_and_bare_addresses_become_links(imported):
    post = imported[0][KIMCHI]

    assert "\n<https://www.youtube.com/watch?v=kimchi123>\n" in post.body
    assert "\n<https://vimeo.com/76979871>\n" in post.body
    assert '<a href="https://vimeo.com/76979871" rel="noopener">' in post.body_html


def test_a_gallery_shortcode_shows_the_posts_images_from_the_export(imported):
    text = body(imported, KIMCHI)

    cabbage = text.index("![Quartered cabbage under coarse salt](https://saltandsmoke.example/")
    jars = text.index("![Three jars of kimchi on a shelf](https://saltandsmoke.example/")
    assert cabbage < jars  # in the attachments' menu order
    assert 'kimchi.jpg "Day three")' in text


def test_a_gallery_shortcode_with_ids_shows_those_images():
    attachments = {
        "7": wp_markup.Attachment("https://x.example/a.jpg", "First", "One"),
        "8": wp_markup.Attachment("https://x.example/b.jpg", "Second"),
        "9": wp_markup.Attachment("https://x.example/c.jpg", "Not asked for"),
    }

    markdown, conversion = to_markdown('[gallery ids="8,7,99"]', attachments=attachments)

    assert (
        markdown == '![Second](https://x.example/b.jpg)\n\n![First](https://x.example/a.jpg "One")'
    )
    assert conversion.left_out == {"gallery image not in the export": 1}


def test_unknown_shortcodes_stay_visible_and_are_reported_per_post(imported):
    posts, out = imported

    assert '[contact-form-7 id="42" title="Ask a question"]' in posts[PRIMER].body
    assert '[su_note note_color="#fff"]Wear gloves.[/su_note]' in posts[KIMCHI].body
    assert "[su_note]Wear gloves.[/su_note]" not in posts[KIMCHI].body_html
    assert '[su_note note_color="#fff"]Wear gloves.[/su_note]' in html.unescape(
        posts[KIMCHI].body_html
    )
    assert "Unknown shortcodes, left in the text for an editor to replace: [su_note] ×2, " in out
    assert (
        "“Salt & Pepper: A “Primer””: shortcodes left in the text as they were: [contact-form-7]."
    ) in out
    assert (
        "“Quick kimchi, the old way”: shortcodes left in the text as they were: [su_note] ×2."
        in out
    )


def test_brackets_in_prose_are_not_reported_as_shortcodes():
    markdown, conversion = to_markdown(
        "<p>He wrote [sic] and [newsletter_form] then [poll id=3].</p>\n<p>[subscribe]</p>"
    )

    assert markdown == "He wrote [sic] and [newsletter_form] then [poll id=3].\n\n[subscribe]"
    assert conversion.unknown_shortcodes == {"newsletter_form": 1, "poll": 1, "subscribe": 1}


def test_escaped_shortcodes_and_shortcodes_in_code_are_text(imported):
    text = body(imported, KIMCHI)
    markdown, conversion = to_markdown("<p>Use <code>[gallery]</code> here.</p>")

    assert "Write [gallery] to show a gallery." in text
    assert markdown == "Use `[gallery]` here." and conversion.unknown_shortcodes == {}


# Entities and names ------------------------------------------------------------------------------


def test_entities_are_decoded_in_titles_tags_authors_and_excerpts(imported):
    primer = imported[0][PRIMER]

    assert primer.title == "Salt & Pepper: A “Primer”"
    assert "salt & pepper" in primer.tags.names()
    assert [author.display_name for author in primer.authors.all()] == ["Renée O'Brien"]
    assert primer.description == "Why salt & pepper come first – and when."
    assert imported[0][KIMCHI].description == "Cabbage & chilli, fermented"


def test_a_category_with_an_entity_becomes_the_existing_topic_of_that_name():
    existing = Topic.objects.create(name="Food & Drink", slug="food-and-drink")

    command("import_wordpress", EXPORT)

    assert Topic.objects.filter(name__icontains="drink").count() == 1
    assert set(existing.posts.values_list("slug", flat=True)) == {PRIMER, KIMCHI}
    assert not Topic.objects.filter(name__contains="&amp;").exists()


# What the import says, and does again ------------------------------------------------------------


def test_the_summary_counts_markdown_html_kept_and_what_was_left_out(imported):
    out = imported[1]

    assert (
        "Converted to Markdown: 3 posts, 1 of them keeping some HTML that Markdown has no form "
        "for (<del>, <sub>, <table>)." in out
    )
    assert (
        "Left out of the text: block WordPress fills in when it shows the page: latest-posts."
        in out
    )
    assert "3 comments left out: Byline has no comments." in out
    assert "3 created, 0 updated, 0 unchanged, 3 skipped, 0 failed." in out


def test_the_admin_import_report_holds_the_conversion(client, editor):
    client.force_login(editor)

    page = admin_import(client, {"file": upload("site.xml", EXPORT.read_bytes())})

    text = html.unescape(page.content.decode())
    assert "Converted to Markdown: 3 posts, 1 of them keeping some HTML" in text
    assert "[contact-form-7]" in text
    report = page.context["job"].report
    assert report["conversion"]["kept_html"] == {"sub": 1, "del": 1, "table": 1}
    assert report["conversion"]["unknown_shortcodes"] == {"contact-form-7": 1, "su_note": 2}


def test_importing_the_same_export_again_changes_nothing(imported):
    revisions = Revision.objects.count()
    bodies = {post.slug: (post.body, post.updated_at) for post in imported[0].values()}

    again = command("import_wordpress", EXPORT)

    assert "0 created, 0 updated, 3 unchanged" in again
    assert Revision.objects.count() == revisions
    assert {post.slug: (post.body, post.updated_at) for post in Post.objects.all()} == bodies


def test_drafts_stay_drafts_and_published_posts_keep_their_dates(imported):
    posts = imported[0]

    assert posts[DRAFT].status == Post.Status.DRAFT
    assert posts[PRIMER].is_published()
    assert posts[PRIMER].publish_at.isoformat() == "2024-09-03T07:30:00+00:00"
    assert not posts[DRAFT].topics.exists()  # "Uncategorized" is no topic


def test_attachments_reusable_blocks_menu_items_and_comments_are_not_posts(imported):
    posts, out = imported

    assert set(posts) == {PRIMER, KIMCHI, DRAFT}
    assert not Post.objects.filter(title__in=["Jars of kimchi", "Newsletter sign-up", "Home"])
    assert "How much pepper?" not in "".join(post.body for post in posts.values())
    assert "1 page left out" in out and "2 items in the trash or of other types left out." in out


def test_featured_images_come_from_the_thumbnail_attachment(imported):
    posts = imported[0]

    assert posts[PRIMER].metadata["featured_image"].endswith("/2024/09/brisket.jpg")
    assert posts[KIMCHI].metadata["featured_image"].endswith("/2023/03/kimchi.jpg")


def test_imported_authors_are_made_once_and_cannot_log_in(imported):
    renee = User.objects.get(display_name="Renée O'Brien")

    assert not renee.has_usable_password()
    assert User.objects.filter(display_name__in=["Renée O'Brien", "Kwame Mensah"]).count() == 2


# The Markdown shows what WordPress showed --------------------------------------------------------


class Outline(HTMLParser):
    """What a reader gets from HTML, whatever its markup: the words in order, and the
    headings, links, images, code blocks, list items and table cells."""

    def __init__(self, html_text):
        super().__init__()
        self.words, self.parts, self.open = [], [], []
        self.feed(html_text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.parts.append(("img", attrs.get("src"), attrs.get("alt")))
        elif tag in {"a", "h2", "h3", "pre", "li", "td", "th", "strong", "del", "sub"}:
            detail = attrs.get("href") or attrs.get("colspan") or ""
            self.open.append([tag, detail, ""])
        if tag in {"ol", "ul"}:
            self.parts.append((tag,))

    def handle_endtag(self, tag):
        if self.open and self.open[-1][0] == tag:
            name, detail, text = self.open.pop()
            self.parts.append((name, detail, " ".join(text.split())))

    def handle_data(self, data):
        self.words += re.findall(r"[\w’']+", data)
        for element in self.open:
            element[2] += f" {data}"


WORDPRESS_SHOWS = """<!-- wp:paragraph -->
<p>Smoke <strong>low</strong> &amp; slow; see <a href="https://example.org/guide">the guide</a>.</p>
<!-- /wp:paragraph -->
<!-- wp:heading {"level":3} -->
<h3 class="wp-block-heading">Wood</h3>
<!-- /wp:heading -->
<!-- wp:list -->
<ul class="wp-block-list"><li>Oak<ul><li>White oak</li></ul></li><li>Hickory</li></ul>
<!-- /wp:list -->
<!-- wp:code -->
<pre class="wp-block-code"><code class="language-bash">smoke --low
  --slow</code></pre>
<!-- /wp:code -->
<!-- wp:image -->
<figure class="wp-block-image"><img src="https://example.org/a.jpg" alt="Oak logs"/></figure>
<!-- /wp:image -->
<!-- wp:table -->
<figure class="wp-block-table"><table><tbody><tr><td colspan="2">Both</td></tr>
<tr><td>a</td><td>b</td></tr></tbody></table></figure>
<!-- /wp:table -->
<!-- wp:paragraph -->
<p>H<sub>2</sub>O, <del>never</del> rarely.</p>
<!-- /wp:paragraph -->

Classic text in a block post,
on two lines.

[caption id="attachment_3" width="300"]<img src="https://example.org/b.jpg" alt="Ash">
Ash, cooling[/caption]"""


def test_the_markdown_renders_to_what_wordpress_shows():
    found = wp_markup.Found()
    shown = wp_markup.expand_shortcodes(wp_markup.unblock(WORDPRESS_SHOWS, found), found)

    markdown, _ = to_markdown(WORDPRESS_SHOWS)

    wordpress, ours = Outline(sanitize_html(shown)), Outline(render_markdown(markdown))
    assert ours.words == wordpress.words
    assert ours.parts == wordpress.parts


# wpautop -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("One\n\nTwo", "<p>One</p>\n<p>Two</p>\n"),
        ("One\nline", "<p>One<br />\nline</p>\n"),
        ("One\n<h2>Head</h2>\nTwo", "<p>One</p>\n<h2>Head</h2>\n<p>Two</p>\n"),
        ("Text\n<pre>a\n\nb</pre>\nMore", "<p>Text</p>\n<pre>a\n\nb</pre>\n<p>More</p>\n"),
        ("<ul>\n<li>a</li>\n<li>b</li>\n</ul>", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
        ('<a href="x"\ntitle="y">z</a>', '<p><a href="x"\ntitle="y">z</a></p>\n'),
    ],
)
def test_classic_text_gets_the_paragraphs_wordpress_gives_it(text, shown):
    assert wp_markup.autop(text) == shown


def test_script_in_wordpress_content_never_reaches_the_page():
    content = (
        '<p><a href="javascript:alert(1)">click</a> <img src="x.png" onerror="alert(2)">'
        " &lt;script&gt;alert(3)&lt;/script&gt; <abbr title='\"><script>alert(4)</script>'>A</abbr>"
        '</p><table><tr><td colspan="2" onclick="alert(5)"><a href="javascript:alert(6)">'
        "x</a></td></tr></table>"
    )

    markdown, _ = to_markdown(content)
    shown = render_markdown(markdown)

    assert "&lt;script>alert(3)&lt;/script>" in markdown  # text, as the author wrote it
    assert "&lt;script&gt;alert(3)" in shown
    for attack in ("javascript:", "onerror", "onclick", "<script"):
        assert attack not in shown


# Many posts, and posts that cannot be converted ---------------------------------------------------


def test_a_large_export_converted_in_worker_processes_comes_out_the_same(settings, monkeypatch):
    pools = []

    class CountedPool(ParsePool):
        def __init__(self, *args, **kwargs):
            pools.append(args)
            super().__init__(*args, **kwargs)

    command("import_wordpress", EXPORT)
    alone = {post.slug: (post.body, post.body_html) for post in Post.objects.all()}
    Post.objects.all().delete()
    monkeypatch.setattr(importers, "PARALLEL_FROM", 2)
    monkeypatch.setattr(wordpress, "ParsePool", CountedPool)
    settings.BYLINE_IMPORT_WORKERS = 2

    out = command("import_wordpress", EXPORT)

    assert pools == [(2, "wordpress")] and "3 created" in out
    assert {post.slug: (post.body, post.body_html) for post in Post.objects.all()} == alone


@pytest.mark.parametrize("workers", [0, 2])
def test_a_post_whose_content_cannot_be_converted_fails_alone(
    tmp_path, workers, settings, monkeypatch
):
    settings.BYLINE_IMPORT_WORKERS = workers  # converted here, or in processes of their own
    monkeypatch.setattr(importers, "PARALLEL_FROM", 2)
    nested = "<div>" * 3000 + "deep" + "</div>" * 3000
    export = tmp_path / "nested.xml"
    export.write_text(
        EXPORT.read_text().replace(
            "<p>Notes for later: cold smoke, <em>oak</em>.</p>", f"<p>Notes</p>{nested}"
        )
    )

    out = command("import_wordpress", export)

    assert (
        "“Draft: smoked salt”: its content could not be converted to Markdown (RecursionError"
        in out
    )
    assert set(Post.objects.values_list("slug", flat=True)) == {PRIMER, KIMCHI}
    assert "2 created, 0 updated, 0 unchanged, 3 skipped, 1 failed." in out
