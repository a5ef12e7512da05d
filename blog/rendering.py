"""Markdown to safe HTML: one pipeline for post bodies, FAQ answers, author bios and the
admin's live preview.

python-markdown passes raw HTML through and keeps `javascript:` links, so everything it
produces is sanitised with nh3 against an explicit allow-list; `rel` is then set per link
kind, never taken from the author.
"""

import functools
import html
import math
import re
import threading

import markdown
import nh3
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.html import strip_tags
from markdown.extensions.toc import slugify

from blog.affiliates import GO_PREFIX, browser_address, current_rules, go_slug
from blog.render_limits import MarkdownRefused, check_source, render_within_budget

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr",
    "ul", "ol", "li", "dl", "dt", "dd",
    "blockquote", "pre", "code", "kbd", "samp",
    "a", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "em", "strong", "b", "i", "s", "del", "ins", "mark", "sup", "sub", "small",
    "abbr", "cite", "q", "div", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "code": {"class"},
    "div": {"class"},
    "ol": {"start"},
    "li": {"id"},
    "sup": {"id"},
    "th": {"align", "style", "colspan", "rowspan"},
    "td": {"align", "style", "colspan", "rowspan"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
# Classes are kept only where the renderer itself produces them.
ALLOWED_CLASSES = {
    "a": {"footnote-ref", "footnote-backref", "headerlink"},
    "div": {"footnote", "toc"},
}
_IMAGE_SOURCE = re.compile(r"^image:\d{1,12}$")
CODE_LANGUAGE = re.compile(r"^language-[a-z0-9_+#-]{1,30}$")

REL_SPONSORED = "sponsored nofollow noopener"
REL_OUTBOUND = "noopener"

# Ids the page around a post uses; a heading or raw HTML in the post must not take them.
RESERVED_IDS = {
    "content", "toc-heading", "faqs-heading", "references-heading", "authors-heading",
    "related-heading", "site-search", "page-search", "notfound-search",
}  # fmt: skip


def _heading_id(value, separator):
    slug = slugify(value, separator)
    return f"{slug}{separator}section" if slug in RESERVED_IDS else slug


_MARKDOWN_EXTENSIONS = ["tables", "fenced_code", "footnotes", "toc", "sane_lists", "abbr"]
_MARKDOWN_CONFIG = {"toc": {"permalink": False, "slugify": _heading_id}}
# The page's title is its one <h1>: a level-one heading in Markdown becomes a section heading.
_H1 = re.compile(r"<(/?)h1\b")
# nh3 serialises every attribute as name="value" with `"` escaped, so this matches its start tags.
_ANCHOR_TAG = re.compile(r'<a((?:\s+[a-z-]+="[^"]*")*)\s*>')
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
_HREF = re.compile(r'\s+href="[^"]*"')
# A link to nowhere (`[Title](#)`, as imported "Related:" links are until their post exists):
# its text, not a link that only jumps to the top of the page.
_PLACEHOLDER_LINK = re.compile(
    r'<a(?:\s+[a-z-]+="[^"]*")*?\s+href="#?"(?:\s+[a-z-]+="[^"]*")*\s*>(.*?)</a>', re.DOTALL
)
# The Content-Security-Policy allows no inline style: a table column's alignment (the only style
# kept, see _filter_attribute) becomes a class the stylesheets define.
_ALIGN_STYLE = re.compile(
    r'<(t[hd])((?:\s+[a-z-]+="[^"]*")*?) style="text-align: (left|right|center);"'
)
_WORD = re.compile(r"\w+(?:[’'-]\w+)*")
WORDS_PER_MINUTE = 230
# Characters of a post's text that stand in for a missing description (feeds, meta tags).
EXCERPT_LENGTH = 300


def link_kind(href, rules=None):
    """Classify a link as "internal", "outbound", "sponsored" (an affiliate network's, or a
    live /go/ link), "retired" (a /go/ address no live sponsored link has) or "other"
    (mailto, fragments). `rules`: blog.affiliates.AffiliateRules, the current ones if None.

    A link is judged by where a browser takes it (blog.affiliates.browser_address), however
    it is spelt."""
    address = browser_address(href)
    if address.scheme not in {"", "http", "https"}:
        return "other"  # mailto: and the like
    if address.on_site and address.path.startswith(GO_PREFIX):
        slug = go_slug(href)
        return "sponsored" if slug and (rules or current_rules()).is_live(slug) else "retired"
    if not address.host:
        return "internal" if address.path else "other"
    if (rules or current_rules()).network_of(href) is not None:
        return "sponsored"
    return "outbound"


_WEB_URL = URLValidator(schemes=["http", "https"])


def web_url(value):
    """`value` if it is an absolute http(s) address, else "" (javascript:, data:, relative…).

    Every URL field a page, JSON-LD or feed puts in href/src/url goes through this at render
    time: forms and imports check them, but a value written another way must not become a link.
    """
    try:
        _WEB_URL(value)
    except ValidationError:
        return ""
    return value


def _filter_attribute(tag, attribute, value, images=False):
    if attribute == "class":
        classes = value.split()
        if tag == "code":
            kept = [c for c in classes if CODE_LANGUAGE.match(c)]
        else:
            kept = [c for c in classes if c in ALLOWED_CLASSES.get(tag, ())]
        return " ".join(kept) or None
    if attribute == "id" and value in RESERVED_IDS:
        return None
    if attribute in {"colspan", "rowspan"}:  # merged cells of a table kept as HTML
        return value if value.isdigit() and 1 <= int(value) <= 100 else None
    if value.lower().startswith("image:"):
        # A library image (blog/figures.py): in a post's body, as an image's source only.
        kept = images and tag == "img" and attribute == "src" and _IMAGE_SOURCE.match(value)
        return value if kept else None
    if attribute == "style":
        match = re.fullmatch(r"\s*text-align:\s*(left|right|center)\s*;?\s*", value)
        return f"text-align: {match[1]};" if match else None
    return value


def _set_rel(match, rules, post_slug):
    attributes = match[1]
    href = dict(_ATTRIBUTE.findall(attributes)).get("href")
    if href is None:
        return match[0]
    href = html.unescape(href)
    kind = link_kind(href, rules)
    if kind == "retired":
        # Not a link any more: its text stays, as an anchor without an address that says which
        # /go/ slug it was (blog/sponsored.py finds the posts using it by that).
        slug = go_slug(href)
        marker = f' data-go="{slug}"' if slug else ""
        return f"<a{_HREF.sub('', attributes)}{marker}>"
    if kind == "sponsored" and (slug := go_slug(href)):
        # Written as browsers and blog/sponsored.py read it, however the author spelt it, with
        # the post a click came from (blog/go.py counts it and can pass it on).
        address = f"{GO_PREFIX}{slug}/" + (f"?from={post_slug}" if post_slug else "")
        attributes = _HREF.sub(f' href="{html.escape(address)}"', attributes)
    if kind == "sponsored":
        attributes += f' rel="{REL_SPONSORED}"'
    elif kind == "outbound":
        attributes += f' rel="{REL_OUTBOUND}"'
    return f"<a{attributes}>"


# An image alone in its paragraph (linked or not), as nh3 writes it.
_LONE_IMAGE = re.compile(r"<p>(<a\s[^<>]*>)?<img((?:\s+[a-z-]+=\"[^\"<>]*\")*)\s*/?>(</a>)?</p>")


def _figure(match):
    """A web image alone in its paragraph with a title, `![alt](https://… "Caption")`, as a
    figure with that caption (library images, `image:N`, are blog/figures.py's)."""
    attributes = dict(_ATTRIBUTE.findall(match[2]))
    caption = html.unescape(attributes.pop("title", ""))
    if not caption.strip() or not attributes.get("src", "").startswith(("http://", "https://")):
        return match[0]
    image = "<img" + "".join(f' {name}="{value}"' for name, value in attributes.items()) + ">"
    if match[1]:
        image = f"{match[1]}{image}{match[3] or ''}"
    return f"<figure>{image}<figcaption>{html.escape(caption, quote=False)}</figcaption></figure>"


def sanitize_html(dirty, rules=None, post_slug="", images=False):
    """Sanitise HTML and set each link's `rel` by its kind (see link_kind); /go/ links of a
    post (`post_slug`) say which post they are in. `images`: keep library image references
    (`<img src="image:42">`, for blog/figures.py), which only a post's body may have."""
    rules = rules or current_rules()
    clean = nh3.clean(
        dirty,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=functools.partial(_filter_attribute, images=images),
        url_schemes={"http", "https", "mailto", "image"},
        strip_comments=True,
        link_rel=None,
        # Code blocks and tables scroll sideways on small screens: keyboard users must reach them.
        set_tag_attribute_values={"pre": {"tabindex": "0"}, "table": {"tabindex": "0"}},
    )
    clean = _ALIGN_STYLE.sub(r'<\1\2 class="align-\3"', clean)
    clean = _PLACEHOLDER_LINK.sub(r"\1", clean)
    clean = _LONE_IMAGE.sub(_figure, clean)
    clean = _ANCHOR_TAG.sub(lambda match: _set_rel(match, rules, post_slug), clean)
    return _H1.sub(r"<\1h2", clean)


def render_markdown(text):
    """Render Markdown to sanitised HTML, library images as figures (a missing one as a note):
    the admin live preview's renderer."""
    from blog.figures import figures

    return figures(render_document(text, images=True)[0], preview=True)


def render_document(text, rules=None, post_slug="", images=False):
    """Render Markdown to sanitised HTML and a table of contents of its headings (HTML), with
    the affiliate rules `rules` (the current ones if None), for the post `post_slug` if any.

    Raises MarkdownRefused for text beyond the limits of blog.render_limits. `images`: keep
    library image references for blog/figures.py (a post's body; elsewhere they are dropped).
    """
    if not text:
        return "", ""
    check_source(text)
    return _render_document(text, rules or current_rules(), post_slug, images)


# A form validates a text by rendering it, then the model's save() renders it again: remember
# the last few results (the same text, rules and post always give the same HTML).
@functools.lru_cache(maxsize=16)
def _render_document(text, rules, post_slug, images):
    html, tokens = render_within_budget(text)
    while len(tokens) == 1 and tokens[0]["children"]:  # a lone title heading: list its sections
        tokens = tokens[0]["children"]
    return sanitize_html(html, rules, post_slug, images), _toc_list(tokens)


def convert_markdown(text):
    """python-markdown alone: (unsanitised HTML, heading tokens). Runs in the renderer process
    (blog.render_limits.render_within_budget); never call it on author text directly.

    One converter per thread, reset before each text (python-markdown's way to reuse one: each
    extension forgets what the last text defined): setting one up took 0.2 ms, two thirds of
    rendering an FAQ answer. One that raised is not used again."""
    md = getattr(_converter, "md", None)
    if md is None:
        md = markdown.Markdown(extensions=_MARKDOWN_EXTENSIONS, extension_configs=_MARKDOWN_CONFIG)
    _converter.md = None
    md.reset()
    html, tokens = md.convert(text), md.toc_tokens
    _converter.md = md
    return html, tokens


_converter = threading.local()


def validate_markdown(text):
    """Model field validator: the text renders within the limits, or the reason it does not."""
    try:
        render_document(text)
    except MarkdownRefused as refused:
        raise ValidationError(str(refused), code="markdown_refused") from None


def rendered_or_invalid(text, field, rules=None, post_slug="", images=False):
    """render_document() for a model's save(): a refusal names the field it came from."""
    try:
        return render_document(text, rules, post_slug, images)
    except MarkdownRefused as refused:
        raise ValidationError({field: str(refused)}, code="markdown_refused") from None


def _toc_list(tokens, depth=1):
    """Nested <ol> of the top two heading levels, or "" when there is nothing to list."""
    if not tokens:
        return ""
    items = []
    for token in tokens:
        children = _toc_list(token["children"], depth + 1) if depth < 2 else ""
        label = html.escape(html.unescape(strip_tags(token["name"])))
        items.append(f'<li><a href="#{html.escape(token["id"])}">{label}</a>{children}</li>')
    return f"<ol>{''.join(items)}</ol>"


# A tag of HTML this site rendered and sanitised, or wrote with its text escaped: attribute
# values are quoted and text holds no raw "<", so a pattern finds every tag, and takes a third
# of the time of Django's strip_tags() (an HTML parser) for the same text.
_TAG = re.compile(r"""<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")
_SPACE = re.compile(r"\s+")


# A save derives the word count and the excerpt from the same HTML, one after the other.
@functools.lru_cache(maxsize=4)
def plain_text(rendered_html):
    """The text of HTML this site rendered or wrote (not anyone else's), spaces collapsed."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", rendered_html))).strip()


def plain_lines(rendered_html):
    """plain_text() of each line of HTML this site rendered (a line per block)."""
    lines = html.unescape(_TAG.sub("", rendered_html)).split("\n")
    return [_SPACE.sub(" ", line).strip() for line in lines]


def excerpt(rendered_html):
    """The start of a rendered text as plain text: a summary where there is no description."""
    return plain_text(rendered_html)[:EXCERPT_LENGTH]


SPONSORED_MARK = f' rel="{REL_SPONSORED}"'
# In a start tag: a text that spells the mark out has its "<" escaped, so it is no link.
_SPONSORED_LINK = re.compile(rf"<a\s[^<>]*?{re.escape(SPONSORED_MARK)}")


def first_sponsored_link(rendered_html):
    """Where the first sponsored link of HTML this site rendered starts, or -1 (the renderer
    and the reference template alone set rel)."""
    found = _SPONSORED_LINK.search(rendered_html)
    return found.start() if found else -1


def has_sponsored_links(rendered_html):
    """Whether HTML this site rendered has a sponsored link."""
    return first_sponsored_link(rendered_html) >= 0


def count_words(rendered_html):
    return len(_WORD.findall(plain_text(rendered_html)))


def reading_minutes(word_count):
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE))


def renders(update_fields, source):
    """Whether a save with these update_fields writes `source` (and so must render it)."""
    return update_fields is None or source in update_fields


def with_derived_fields(update_fields, source, derived):
    """Widen a save's update_fields so fields derived from `source` are written with it."""
    if update_fields is None or source not in update_fields:
        return update_fields
    return {*update_fields, *derived}
