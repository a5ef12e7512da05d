"""The sponsored-link disclosure: one function places it, for every channel that shows a post.

FTC guidance asks for a clear disclosure before a sponsored link, wherever the content appears.
`disclose()` puts the post's disclosure (its own text, or the site's from SiteSettings)
immediately before the block that holds the first sponsored link of what a channel shows,
and nowhere else: the post page passes its body and its end (FAQs, references), a feed item
its whole content, an excerpt itself. A text with no sponsored link comes back unchanged.

Links are recognised by the `rel` the renderer alone sets (blog/rendering.py), so this needs
no rules and no database beyond the site's text, read once per content generation.
"""

import functools
import re

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from blog.memo import VersionMemo
from blog.rendering import (
    first_sponsored_link,
    has_sponsored_links,
    plain_text,
    render_markdown,
)

# Start and end tags as the sanitiser writes them (attribute values quoted, `"` escaped).
_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:.-]+(?:="[^"]*")?)*)\s*(/?)>')
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
_LEADING_LABEL = re.compile(r"^\s*disclosure\s*:\s*", re.IGNORECASE)
_WORD = re.compile(r"\w")
# The end of a text's first sentence: . ! ? or … (and closing quotes), then more text.
_SENTENCE_END = re.compile(r"[.!?…][\"”’')]*\s+(?=\S)")

_site_text = VersionMemo(kept=1)


def _read_site_disclosure(_):
    from blog.models import SiteSettings

    return SiteSettings.objects.values_list("disclosure", flat=True).first() or ""


def site_disclosure():
    """The site's disclosure text (Markdown), read once per content generation."""
    return _site_text.get("text", _read_site_disclosure)


forget_site_disclosure = _site_text.forget


def disclosure_text(post):
    """The disclosure `post` shows before its first sponsored link: its own, or the site's
    ("" when both are blank). A post's own that shows no word ("\u200b", "<span></span>",
    "Disclosure:") is blank: it must not replace the site's with nothing."""
    own = (post.disclosure or "").strip()
    return own if own and says_something(own) else site_disclosure().strip()


@functools.lru_cache(maxsize=256)
def says_something(text):
    """Whether the disclosure block for `text` shows a word after its label."""
    shown = plain_text(disclosure_html(text)).removeprefix("Disclosure:")
    return _WORD.search(shown) is not None


@functools.lru_cache(maxsize=32)
def disclosure_html(text):
    """The disclosure block for `text` (Markdown, sanitised like every author text)."""
    body = render_markdown(_LEADING_LABEL.sub("", text.strip()))
    label = "<strong>Disclosure:</strong> "
    body = f"<p>{label}{body[3:]}" if body.startswith("<p>") else f"<p>{label}</p>{body}"
    return format_html(
        '<aside class="disclosure" aria-label="Disclosure">{}</aside>', mark_safe(body)
    )


@functools.lru_cache(maxsize=256)
def first_sentence(text):
    """The first sentence of the disclosure `text` as plain text, and whether more follows."""
    shown = " ".join(plain_text(disclosure_html(text)).removeprefix("Disclosure:").split())
    end = _SENTENCE_END.search(shown)
    return (shown[: end.start() + 1], True) if end else (shown, False)


def short_disclosure_html(text, full_id):
    """The disclosure as one line, its first sentence, linking to the whole of it at `full_id`
    further down the page; None when the first sentence is the whole of it."""
    sentence, more = first_sentence(text)
    if not more:
        return None
    return format_html(
        '<aside class="disclosure" aria-label="Disclosure"><p><strong>Disclosure:</strong> {} '
        '<a href="#{}">Full disclosure</a></p></aside>',
        sentence,
        full_id,
    )


def disclose_on_page(post, body, end, full_id="disclosure"):
    """A post page's body and end (FAQs, references) with the disclosure before the first
    sponsored link, and the full disclosure to show after the body ("" if none). A phone
    shows little above the body's first lines, so a disclosure inside the body is its first
    sentence with a link to the rest, shown in full after the body; one sentence, or one
    only in the end, is shown whole where it stands."""
    position = first_sponsored_link(body)
    text = disclosure_text(post) if position >= 0 else ""
    short = short_disclosure_html(text, full_id) if text else None
    if short is None:
        return (*disclose(post, body, end), "")
    at = block_start(body, position)
    body = mark_safe(f"{body[:at]}{short}\n{body[at:]}")
    return body, end, full_disclosure_html(text, full_id)


# The full disclosures of this content generation (its links are rendered as the affiliate
# rules of the generation have them), by text: the site's, and the few posts' own.
_full = VersionMemo(kept=256)


def full_disclosure_html(text, full_id):
    """The whole disclosure `text`, as the section after a post's body: rendered once per
    generation (every page with a sponsored link shows one)."""
    return _full.get((text, full_id), _full_disclosure_html)


def _full_disclosure_html(key):
    text, full_id = key
    return format_html(
        '<section class="post__disclosure" id="{}" aria-labelledby="{}-heading">'
        '<h2 id="{}-heading">Disclosure</h2>{}</section>',
        full_id,
        full_id,
        full_id,
        mark_safe(render_markdown(_LEADING_LABEL.sub("", text))),
    )


def block_start(html, position):
    """Where the top-level element holding the tag starting at `position` of `html` starts."""
    depth, start = 0, 0
    for tag in _TAG.finditer(html, 0, position):
        closing, name, self_closing = tag[1], tag[2].lower(), tag[4]
        if closing:
            depth = max(depth - 1, 0)
        elif name not in _VOID and not self_closing:
            if depth == 0:
                start = tag.start()
            depth += 1
        elif depth == 0:
            start = tag.start()
    return start if depth else position  # a link at the top level


def disclose(post, *pieces):
    """`pieces` (HTML this site rendered, in the order a reader meets them) with the post's
    disclosure inserted once: before the top-level block holding the first sponsored link.
    Pieces without one come back as they are; all of them if the post has no disclosure
    text (publishing refuses that: blog/compliance.py)."""
    pieces = list(pieces)
    for index, piece in enumerate(pieces):
        position = first_sponsored_link(piece)
        if position < 0:
            continue
        text = disclosure_text(post)
        if text:
            at = block_start(piece, position)
            pieces[index] = mark_safe(f"{piece[:at]}{disclosure_html(text)}\n{piece[at:]}")
        break
    return pieces


def disclosure_before_first_link(html):
    """Whether `html` either has no sponsored link or shows a disclosure before the first."""
    if not has_sponsored_links(html):
        return True
    shown = html.find('<aside class="disclosure"')
    return 0 <= shown < first_sponsored_link(html)
