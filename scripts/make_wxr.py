"""Write a WordPress export (WXR 1.2) of N posts in the shape a real site exports: most in the
block editor, some classic; paragraphs, headings, lists, quotes, code, images with captions,
tables, embeds, buttons, galleries and shortcodes (one unknown); 3–5 tags and one or two
categories each (one with an entity in its name), a featured image, drafts, comments.

    .venv/bin/python scripts/make_wxr.py 1000 var/bench/site.xml

The text is the demo posts' (demo/posts/*.md) rendered as WordPress would have stored it.
scripts/bench_import.py --wordpress imports such a file and times it.
"""

import html
import random
import re
import sys
from pathlib import Path

import markdown

ROOT = Path(__file__).resolve().parent.parent
SITE = "https://wxr-bench.example"
AUTHORS = [("maya", "Maya Okafor"), ("tomas", "Tom&aacute;s Reyes"), ("priya", "Priya Raman")]
CATEGORIES = ["Food &amp; Drink", "Travel", "Money", "Home &amp; Garden", "Technology"]
TAGS = [
    "budget", "beginners", "how-to", "checklist", "weekend", "tools", "seasonal", "family",
    "quick wins", "long reads", "salt &amp; pepper", "gear", "habits", "planning", "safety",
]  # fmt: skip


def demo_posts():
    """(title, body HTML) of each demo post: its Markdown as HTML, the front matter left out."""
    posts = []
    for path in sorted((ROOT / "demo" / "posts").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---", 2)
        title = next(line for line in front.splitlines() if line.startswith("title:"))[6:]
        body_html = markdown.markdown(body, extensions=["tables"])
        # An editor's paragraphs and list items are one line each, not wrapped as in the files.
        body_html = re.sub(r"<(p|li)>(.*?)</\1>", _one_line, body_html, flags=re.DOTALL)
        posts.append((title.strip().strip("'\""), body_html))
    return posts


def _one_line(match):
    return f"<{match[1]}>{' '.join(match[2].split())}</{match[1]}>"


def blocks(body_html):
    """The body as block-editor markup: each top-level element in its block's comments."""
    out = []
    for element in _top_level(body_html):
        name = {"h": "heading", "u": "list", "o": "list", "b": "quote", "t": "table"}.get(
            element[1], "paragraph"
        )
        if name == "table":
            element = f'<figure class="wp-block-table">{element}</figure>'
        out.append(f"<!-- wp:{name} -->\n{element}\n<!-- /wp:{name} -->")
    return out


_CONTAINERS = ("ul", "ol", "blockquote", "table", "div", "pre")


def _top_level(body_html):
    """python-markdown's HTML, one top-level element at a time (it starts each on a line)."""
    elements, current, depth = [], [], 0
    for line in body_html.split("\n"):
        current.append(line)
        for tag in _CONTAINERS:
            depth += line.count(f"<{tag}") - line.count(f"</{tag}>")
        if depth <= 0 and line.strip():
            elements.append("\n".join(current).strip())
            current, depth = [], 0
    return elements


def extra_blocks(n, image):
    caption = f"Step {n % 9 + 1}, <em>close up</em>"
    return [
        f'<!-- wp:image {{"id":{image},"sizeSlug":"large"}} -->\n<figure class="wp-block-image '
        f'size-large"><img src="{SITE}/wp-content/uploads/2024/05/photo-{image}.jpg" alt="Photo '
        f'{image}" class="wp-image-{image}"/><figcaption class="wp-element-caption">{caption}'
        "</figcaption></figure>\n<!-- /wp:image -->",
        '<!-- wp:code {"language":"bash"} -->\n<pre class="wp-block-code"><code>'
        f"backup --keep {n % 30 + 1} --to /mnt/archive\n"
        "</code></pre>\n<!-- /wp:code -->",
        '<!-- wp:embed {"url":"https://www.youtube.com/watch?v=bench'
        f'{n}","type":"video","providerNameSlug":"youtube"}} -->\n<figure class="wp-block-embed '
        'is-type-video is-provider-youtube wp-block-embed-youtube"><div class="wp-block-embed__'
        f'wrapper">\nhttps://www.youtube.com/watch?v=bench{n}\n</div></figure>\n<!-- /wp:embed -->',
        '<!-- wp:buttons -->\n<div class="wp-block-buttons"><!-- wp:button -->\n<div class="wp-'
        f'block-button"><a class="wp-block-button__link wp-element-button" href="{SITE}/'
        'newsletter/">Get the newsletter</a></div>\n<!-- /wp:button --></div>\n'
        "<!-- /wp:buttons -->",
        '<!-- wp:gallery {"linkTo":"none"} -->\n<figure class="wp-block-gallery has-nested-'
        'images">'
        + "".join(
            f'<!-- wp:image {{"id":{image + k}}} -->\n<figure class="wp-block-image"><img src="'
            f'{SITE}/wp-content/uploads/2024/05/photo-{image + k}.jpg" alt="Photo {image + k}"/>'
            "</figure>\n<!-- /wp:image -->"
            for k in range(3)
        )
        + "</figure>\n<!-- /wp:gallery -->",
        "<!-- wp:shortcode -->\n[newsletter_form list=&quot;weekly&quot;]\n<!-- /wp:shortcode -->",
    ]


def classic(body_html, n, image):
    """The body as the classic editor stored it: bare paragraphs, shortcodes."""
    text = body_html.replace("<p>", "").replace("</p>", "")
    return (
        f'[caption id="attachment_{image}" align="aligncenter" width="640"]<img class="size-'
        f'large wp-image-{image}" src="{SITE}/wp-content/uploads/2024/05/photo-{image}.jpg" '
        f'alt="Photo {image}" width="640" height="427" /> Step {n % 9 + 1}[/caption]\n\n'
        f"{text}\n\nhttps://www.youtube.com/watch?v=classic{n}\n\n"
        f'[gallery ids="{image},{image + 1},{image + 2}"]\n\n[newsletter_form]'
    )


def item(n, posts, rng):
    title, body_html = posts[n % len(posts)]
    image = 100_000 + n * 3
    if n % 4 == 3:
        content = classic(body_html, n, image)
    else:
        content = "\n\n".join(blocks(body_html) + extra_blocks(n, image))
    login = AUTHORS[n % len(AUTHORS)][0]
    tags = rng.sample(TAGS, rng.randint(3, 5))
    categories = rng.sample(CATEGORIES, rng.randint(1, 2))
    terms = "".join(
        f'<category domain="category" nicename="c{CATEGORIES.index(c)}"><![CDATA[{c}]]></category>'
        for c in categories
    ) + "".join(
        f'<category domain="post_tag" nicename="t{TAGS.index(t)}"><![CDATA[{t}]]></category>'
        for t in tags
    )
    status = "draft" if n % 20 == 19 else "publish"
    day = f"2024-{n % 12 + 1:02d}-{n % 28 + 1:02d} {n % 24:02d}:00:00"
    comments = "".join(
        f"<wp:comment><wp:comment_id>{n * 10 + c}</wp:comment_id><wp:comment_content><![CDATA["
        f"Thanks for this, number {c}.]]></wp:comment_content></wp:comment>"
        for c in range(n % 3)
    )
    return f"""
	<item>
		<title><![CDATA[{html.escape(title, quote=False)} ({n})]]></title>
		<link>{SITE}/{day[:4]}/{day[5:7]}/post-{n}/</link>
		<dc:creator><![CDATA[{login}]]></dc:creator>
		<guid isPermaLink="false">{SITE}/?p={n + 1}</guid>
		<content:encoded><![CDATA[{content}]]></content:encoded>
		<excerpt:encoded><![CDATA[A short summary of post {n} &amp; why it matters.]]></excerpt:encoded>
		<wp:post_id>{n + 1}</wp:post_id>
		<wp:post_date><![CDATA[{day}]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[{day}]]></wp:post_date_gmt>
		<wp:post_name><![CDATA[post-{n}]]></wp:post_name>
		<wp:status><![CDATA[{status}]]></wp:status>
		<wp:post_type><![CDATA[post]]></wp:post_type>
		{terms}
		<wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key><wp:meta_value><![CDATA[{image}]]></wp:meta_value></wp:postmeta>
		{comments}
	</item>""" + "".join(attachment(n, image + k) for k in range(3))  # noqa: E501


def attachment(n, image):
    return f"""
	<item>
		<title><![CDATA[Photo {image}]]></title>
		<excerpt:encoded><![CDATA[{"Close up" if image % 2 else ""}]]></excerpt:encoded>
		<wp:post_id>{image}</wp:post_id>
		<wp:post_parent>{n + 1}</wp:post_parent>
		<wp:status><![CDATA[inherit]]></wp:status>
		<wp:post_type><![CDATA[attachment]]></wp:post_type>
		<wp:attachment_url><![CDATA[{SITE}/wp-content/uploads/2024/05/photo-{image}.jpg]]></wp:attachment_url>
		<wp:postmeta><wp:meta_key><![CDATA[_wp_attachment_image_alt]]></wp:meta_key><wp:meta_value><![CDATA[Photo {image}]]></wp:meta_value></wp:postmeta>
	</item>"""  # noqa: E501


def export(count, seed=1):
    """The text of an export of `count` posts (the same every time for one seed)."""
    rng, posts = random.Random(seed), demo_posts()
    authors = "".join(
        f"\n\t<wp:author><wp:author_login><![CDATA[{login}]]></wp:author_login>"
        f"<wp:author_display_name><![CDATA[{name}]]></wp:author_display_name></wp:author>"
        for login, name in AUTHORS
    )
    items = "".join(item(n, posts, rng) for n in range(count))
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Bench site</title>
	<link>{SITE}</link>
	<wp:wxr_version>1.2</wp:wxr_version>{authors}{items}
</channel>
</rss>
"""


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_wxr.py N OUT.xml")
    Path(sys.argv[2]).write_text(export(int(sys.argv[1])), encoding="utf-8")


if __name__ == "__main__":
    main()
