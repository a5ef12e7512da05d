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
