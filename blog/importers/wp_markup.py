"""What WordPress does to a post's stored content when it shows it, done once on import: block
comments taken out, classic text given its paragraphs (wpautop), shortcodes expanded to HTML.

The result is HTML for blog.importers.wp_content to turn into Markdown. WordPress's own
functions are the reference (wp-includes/formatting.php, shortcodes.php, media.php); what
they do for themes and plugins that an import cannot run is left out.
"""

import dataclasses
import html
import json
import re

# wpautop's block-level elements: no paragraph is opened around them.
_ALL_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article"
    r"|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
_BLOCK_OPEN = re.compile(rf"(<{_ALL_BLOCKS}[\s/>])")
_BLOCK_CLOSE = re.compile(rf"(</{_ALL_BLOCKS}>)")
_BLOCK_TAG_IN_P = re.compile(rf"<p>\s*(</?{_ALL_BLOCKS}[^>]*>)\s*</p>")
_P_BEFORE_BLOCK = re.compile(rf"<p>\s*(</?{_ALL_BLOCKS}[^>]*>)")
_P_AFTER_BLOCK = re.compile(rf"(</?{_ALL_BLOCKS}[^>]*>)\s*</p>")
_BR_AFTER_BLOCK = re.compile(rf"(</?{_ALL_BLOCKS}[^>]*>)\s*<br />")
_BR_BEFORE_BLOCK = re.compile(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)")
# Tags and comments, whose newlines wpautop leaves alone.
_TAG_OR_COMMENT = re.compile(r"<!--.*?-->|<[^<>]*>", re.DOTALL)
_KEEP_NEWLINES = re.compile(r"<(script|style|svg|math)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_NEWLINE_MARK = " \x00wpnl\x00 "
_PRESERVED_NEWLINE = "\x00wppn\x00"


def autop(text):
    """WordPress's wpautop(): blank lines make paragraphs, single newlines <br />, never
    inside <pre> or between block-level tags."""
    if not text.strip():
        return ""
    text += "\n"
    pres = {}
    if "<pre" in text:
        parts, text = text.split("</pre>"), ""
        for part in parts[:-1]:
            start = part.find("<pre")
            if start < 0:
                text += part
                continue
            name = f"<pre wp-pre-tag-{len(pres)}></pre>"
            pres[name] = part[start:] + "</pre>"
            text += part[:start] + name
        text += parts[-1]
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    text = _TAG_OR_COMMENT.sub(lambda tag: tag[0].replace("\n", _NEWLINE_MARK), text)
    if "<figcaption" in text:
        text = re.sub(r"\s*(<figcaption[^>]*>)", r"\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p]
    text = "".join(f"<p>{p.strip(chr(10))}</p>\n" for p in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = _BLOCK_TAG_IN_P.sub(r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.IGNORECASE)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = _P_BEFORE_BLOCK.sub(r"\1", text)
    text = _P_AFTER_BLOCK.sub(r"\1", text)
    text = _KEEP_NEWLINES.sub(lambda m: m[0].replace("\n", _PRESERVED_NEWLINE), text)
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = text.replace(_PRESERVED_NEWLINE, "\n")
    text = _BR_AFTER_BLOCK.sub(r"\1", text)
    text = _BR_BEFORE_BLOCK.sub(r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    for name, pre in pres.items():
        text = text.replace(name, pre)
    return text.replace(_NEWLINE_MARK, "\n").replace(_NEWLINE_MARK.strip(), "\n")


# Blocks ------------------------------------------------------------------------------------------

# <!-- wp:name {"json": "attributes"} --> … <!-- /wp:name -->, or <!-- wp:name /--> alone.
_BLOCK_COMMENT = re.compile(
    r"<!--\s+(?P<close>/)?wp:(?P<name>[a-z0-9/_-]+)\s+(?P<attrs>\{.*?\}\s+)?(?P<void>/)?-->",
    re.DOTALL,
)
_PRE_START = re.compile(r"<pre\b")
# Blocks whose content is classic text or shortcodes, which WordPress autops when it shows them.
_AUTOP_BLOCKS = {"freeform", "shortcode"}
# Blocks that WordPress fills in when it shows a page (lists of posts, forms, widgets): their
# saved form holds nothing to import.
_NOTHING_SAVED = "block WordPress fills in when it shows the page:"


def has_blocks(content):
    return "<!-- wp:" in content


@dataclasses.dataclass
class Found:
    """What the markup held that the Markdown will not: by kind, then name, a count."""

    unknown_shortcodes: dict = dataclasses.field(default_factory=dict)
    left_out: dict = dataclasses.field(default_factory=dict)

    def shortcode(self, name):
        self.unknown_shortcodes[name] = self.unknown_shortcodes.get(name, 0) + 1

    def leave_out(self, what):
        self.left_out[what] = self.left_out.get(what, 0) + 1


def unblock(content, found, reusable=None, depth=0):
    """Block-editor content as plain HTML: comments taken out, classic and shortcode blocks
    autop'd, a code block's language (a plugin's `language` attribute) moved onto its <pre>,
    reusable blocks (`wp:block` with a ref) put in place from `reusable` ({id: content})."""
    out, stack, position, language = [], [], 0, None
    for comment in _BLOCK_COMMENT.finditer(content):
        out.append(_piece(content[position : comment.start()], stack, language))
        if language and "<pre" in out[-1]:
            language = None
        position = comment.end()
        name = comment["name"].removeprefix("core/")
        if comment["close"]:
            if stack and stack[-1] == name:
                stack.pop()
            continue
        attrs = _attributes(comment["attrs"])
        if name == "block" and "ref" in attrs:
            ref = str(attrs["ref"])
            if reusable and ref in reusable and depth < 3:
                out.append(unblock(reusable[ref], found, reusable, depth + 1))
            else:
                found.leave_out("reusable block not in the export")
        elif comment["void"] and name not in {"more", "nextpage", "separator", "spacer"}:
            found.leave_out(f"{_NOTHING_SAVED} {name}")
        if isinstance(attrs.get("language"), str):
            language = attrs["language"]
        if not comment["void"]:
            stack.append(name)
    out.append(_piece(content[position:], stack, language))
    return "".join(out)


def _piece(text, stack, language):
    """Text between two block comments, as it shows."""
    if not text.strip():
        return text
    if not stack or stack[-1] in _AUTOP_BLOCKS:
        text = autop(text)
    if language and re.fullmatch(r"[A-Za-z0-9_+#-]{1,30}", language):
        text = _PRE_START.sub(f'<pre data-language="{language}"', text, count=1)
    return text


def _attributes(raw):
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# Shortcodes ------------------------------------------------------------------------------------


@dataclasses.dataclass
class Attachment:
    """An attachment item of the export, as a gallery or caption shows it."""

    url: str
    alt: str = ""
    caption: str = ""
    parent: str = ""
    order: int = 0


# [name attrs]content[/name], [name attrs /] or [name attrs]; [[name]] is the text "[name]".
_SHORTCODE = re.compile(
    r"\[(?P<escape>\[?)(?P<name>[A-Za-z][\w-]*)(?![\w-])(?P<attrs>[^\]/]*(?:/(?!\])[^\]/]*)*?)"
    r"(?:(?P<void>/)\]|\](?:(?P<content>.*?)\[/(?P=name)\])?)(?P<escape_end>\]?)",
    re.DOTALL,
)
_ATTRIBUTE = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'"]+)"""
)
# Where shortcodes are text, not shortcodes: code, and inside tags.
_LITERAL = re.compile(r"<(pre|code)\b.*?</\1>|<[^<>]*>", re.DOTALL | re.IGNORECASE)
_ALONE_IN_PARAGRAPH = re.compile(r"<p>\s*(\x00sc\d+\x00)\s*</p>")
_URL_LINE = re.compile(r"^([ \t]*)(https?://[^\s<>\"]+)([ \t]*)$", re.MULTILINE)
_SHORTCODES = {"caption", "wp_caption", "embed", "gallery", "audio", "video"}


def expand_shortcodes(text, found, post_id="", attachments=None):
    """The shortcodes WordPress itself has, as HTML: [caption] a figure with its caption,
    [embed] and [audio]/[video] links, [gallery] its images. Others stay as text and are
    counted in `found`."""
    if "[" not in text:
        return text
    literals = []

    def hide(match):
        literals.append(match[0])
        return f"\x00lit{len(literals) - 1}\x00"

    text = _LITERAL.sub(hide, text)
    expanded = []

    def replace(match):
        if match["escape"] and match["escape_end"]:
            return match[0][1:-1]  # [[name]]: the shortcode's own text, shown as such
        name = match["name"]
        if name.lower() not in _SHORTCODES:
            if _looks_like_shortcode(match):
                found.shortcode(name)
            inner = match["content"]
            if inner is None or "[" not in inner:
                return match[0]
            start = match.start("content") - match.start()
            end = match.end("content") - match.start()
            shortcode = match[0]
            return shortcode[:start] + _SHORTCODE.sub(replace, inner) + shortcode[end:]
        attrs = _parse_attributes(_restore(match["attrs"], literals))
        content = _restore(match["content"] or "", literals)
        expanded.append(_expand(name.lower(), attrs, content, found, post_id, attachments or {}))
        return f"\x00sc{len(expanded) - 1}\x00"

    text = _SHORTCODE.sub(replace, text)
    text = _ALONE_IN_PARAGRAPH.sub(r"\1", text)  # shortcode_unautop(): a block is no paragraph
    text = re.sub(r"\x00sc(\d+)\x00", lambda m: f"\n\n{expanded[int(m[1])]}\n\n", text)
    return _restore(text, literals)


def _looks_like_shortcode(match):
    """Whether brackets around a word are a plugin's shortcode rather than prose ("[sic]"):
    with attributes, a closing tag, a slash, a name of more than one word, or alone on its
    line."""
    if match["attrs"].strip() or match["content"] is not None or match["void"]:
        return True
    if re.search(r"[_-]", match["name"]):
        return True
    before = match.string[: match.start()].rsplit("\n", 1)[-1]
    after = match.string[match.end() :].split("\n", 1)[0]
    return not _HIDDEN.sub("", before + after).strip()  # tags aside, nothing else on its line


_HIDDEN = re.compile(r"\x00lit\d+\x00")


def _restore(text, literals):
    return _HIDDEN.sub(lambda m: literals[int(m[0][4:-1])], text)


def _parse_attributes(raw):
    attrs = {}
    for match in _ATTRIBUTE.finditer(raw.replace("\xa0", " ")):
        key = match[1] or match[3] or match[5]
        attrs[key.lower()] = html.unescape(match[2] or match[4] or match[6] or "")
    return attrs


def _expand(name, attrs, content, found, post_id, attachments):
    if name in {"caption", "wp_caption"}:
        return _caption(attrs, content)
    if name == "embed":
        return _link(content.strip() or attrs.get("src", ""))
    if name in {"audio", "video"}:
        formats = ("src", "mp4", "m4v", "webm", "ogv", "wmv", "flv", "mp3", "ogg", "m4a", "wav")
        source = next((attrs[key] for key in formats if attrs.get(key)), "")
        return _link(source) if source else ""
    return _gallery(attrs, found, post_id, attachments)


def autoembed(text):
    """A URL alone on its line (what WordPress embeds when it shows a post), as a link."""
    return _URL_LINE.sub(lambda m: f"{m[1]}{_link(m[2])}{m[3]}", text)


def _link(url):
    url = html.escape(url.strip(), quote=True)
    return f'<p><a href="{url}">{url}</a></p>' if url else ""


def _caption(attrs, content):
    """[caption]<img …> Text[/caption] (or caption="Text"): a figure and its caption."""
    match = re.match(r"\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)", content, re.DOTALL)
    image, caption = (match[1], match[2]) if match else ("", content)
    caption = caption.strip() or attrs.get("caption", "")
    if not image:
        return content
    caption = re.sub(r"\s+", " ", caption)
    return f"<figure>{image}<figcaption>{caption}</figcaption></figure>" if caption else image


def _gallery(attrs, found, post_id, attachments):
    """[gallery ids="…"] (or include="…"; without either, the post's own images), as a figure
    of each image with its caption, linked to the file when `link="file"`."""
    ids = [i.strip() for i in (attrs.get("ids") or attrs.get("include") or "").split(",")]
    ids = [i for i in ids if i]
    if not ids:
        children = [(a.order, int(k) if k.isdigit() else 0, k) for k, a in attachments.items()]
        ids = [key for *_, key in sorted(children) if attachments[key].parent == post_id]
    figures = []
    for key in ids:
        attachment = attachments.get(key)
        if attachment is None or not attachment.url:
            found.leave_out("gallery image not in the export")
            continue
        url, alt = html.escape(attachment.url), html.escape(attachment.alt)
        image = f'<img src="{url}" alt="{alt}">'
        if attrs.get("link") == "file":
            image = f'<a href="{url}">{image}</a>'
        caption = html.escape(attachment.caption)
        figures.append(
            f"<figure>{image}<figcaption>{caption}</figcaption></figure>"
            if caption
            else f"<p>{image}</p>"
        )
    return "\n\n".join(figures)
