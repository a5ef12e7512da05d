"""A WordPress post's content as Markdown an editor can work with.

blog.importers.wp_markup first does what WordPress does when it shows a post (paragraphs,
blocks, shortcodes); markdownify then writes the HTML as Markdown in the form
blog.rendering reads. What Markdown cannot say (a table with merged cells, struck-out or
superscript text, definition lists) stays as HTML, cleaned with the renderer's own allow-list,
and is counted; embedded players become links to what they play.
"""

import dataclasses
import re

import nh3
from bs4 import Tag
from markdownify import MarkdownConverter, chomp

from blog import rendering
from blog.importers import wp_markup
from blog.importers.wp_markup import Attachment

__all__ = ["Attachment", "Conversion", "to_markdown"]


@dataclasses.dataclass
class Conversion:
    """What converting one post's content did: the elements kept as HTML, the shortcodes
    WordPress plugins would have expanded, what had nothing to import (each with a count)."""

    kept_html: dict = dataclasses.field(default_factory=dict)
    unknown_shortcodes: dict = dataclasses.field(default_factory=dict)
    left_out: dict = dataclasses.field(default_factory=dict)


def to_markdown(content, *, post_id="", attachments=None, reusable=None):
    """(Markdown, Conversion) for a post's content as the export holds it. `attachments`
    ({id: Attachment}) fills galleries; `reusable` ({id: content}) reusable blocks."""
    found = wp_markup.Found()
    content = content.replace("\r\n", "\n").replace("\r", "\n")
    if wp_markup.has_blocks(content):
        markup = wp_markup.unblock(content, found, reusable)
    else:
        markup = wp_markup.autop(wp_markup.autoembed(content))
    markup = wp_markup.expand_shortcodes(markup, found, post_id, attachments)
    converter = PostConverter()
    markdown = converter.convert(markup)
    for what, count in converter.left_out.items():
        found.left_out[what] = found.left_out.get(what, 0) + count
    markdown = _TRAILING_SPACE.sub(_keep_line_break, markdown)
    markdown = _BLANK_LINES.sub("\n\n", _BREAK_BEFORE_BLANK.sub("\n", markdown)).strip()
    return markdown, Conversion(converter.kept, found.unknown_shortcodes, found.left_out)


_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
# A line break at the end of a paragraph breaks nothing.
_BREAK_BEFORE_BLANK = re.compile(r"  \n(?=[ \t]*(?:\n|$))")


def _keep_line_break(match):
    return "  " if match[0] == "  " else ""


# Inline elements the renderer allows and Markdown has no form for: kept as HTML tags.
_INLINE_HTML = {"del", "s", "ins", "mark", "sup", "sub", "small", "abbr", "kbd", "cite"}
# Containers whose content is converted as if they were not there.
_UNWRAPPED = {"span", "u", "font", "center", "label", "time", "bdi", "bdo", "data", "big"}
# Elements left out with their content: nothing of them belongs in a post's text.
_DROPPED = {"script", "style", "noscript", "template", "svg", "math", "form", "select",
            "input", "textarea", "canvas", "map", "head", "title", "meta", "link"}  # fmt: skip
# Line starts that Markdown would read as a heading, quote, list or rule.
_LINE_START = re.compile(r"^(\s*)(#|>|[-+*](?=\s)|=+\s*$|-+\s*$)", re.MULTILINE)
_ORDERED_START = re.compile(r"^(\s*\d{1,9})([.)]\s)", re.MULTILINE)
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_TAG_LIKE = re.compile(r"<(?=[A-Za-z/!?])")
_LANGUAGE_CLASS = re.compile(r"^(?:language|lang)-([A-Za-z0-9_+#-]{1,30})$")
_BRUSH = re.compile(r"brush:\s*([A-Za-z0-9_+#-]{1,30})")
_LANGUAGE = re.compile(r"^[A-Za-z0-9_+#-]{1,30}$")
_BARE_URL = re.compile(r"https?://\S+")
# Players' addresses, as the page a reader can open.
_PLAYER_PAGES = (
    (re.compile(r"^https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)"),
     "https://www.youtube.com/watch?v={}"),
    (re.compile(r"^https?://player\.vimeo\.com/video/(\d+)"), "https://vimeo.com/{}"),
)  # fmt: skip
_CAPTION = "data-byline-caption"
_TABLE_ATTRIBUTES = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}


class _Tag(Tag):
    """bs4's element, with find_parent(name) a plain walk up the tree: markdownify asks it of
    every element, and bs4's general search made that a quarter of a conversion."""

    def find_parent(self, name=None, attrs=None, **kwargs):
        if not isinstance(name, str) or attrs or kwargs:
            return super().find_parent(name, attrs or {}, **kwargs)
        parent = self.parent
        while parent is not None and parent.name != name:
            parent = parent.parent
        return parent


class PostConverter(MarkdownConverter):
    """markdownify as Byline's renderer reads Markdown (python-markdown: four-space list
    nesting, no ~~strike~~, fenced code), counting what stays HTML in `kept`."""

    class Options(MarkdownConverter.DefaultOptions):
        bs4_options = {"features": "html.parser", "element_classes": {Tag: _Tag}}
        heading_style = "atx"
        bullets = "-"
        escape_underscores = False  # see escape(): only where Markdown would read emphasis
        strip_document = "strip"

    def __init__(self, **options):
        super().__init__(**options)
        self.kept, self.left_out = {}, {}

    def _keep(self, name):
        self.kept[name] = self.kept.get(name, 0) + 1

    def _leave_out(self, what):
        self.left_out[what] = self.left_out.get(what, 0) + 1

    # Text --------------------------------------------------------------------------------------

    def escape(self, text, parent_tags):
        if not text:
            return ""
        text = text.replace("\\", "\\\\").replace("*", r"\*").replace("`", r"\`")
        text = re.sub(r"(?<!\w)_|_(?!\w)", r"\_", text)
        text = re.sub(r"\[(?=[^\]]*\][(\[:])", r"\[", text)
        text = _ENTITY_LIKE.sub("&amp;", text)
        return _TAG_LIKE.sub("&lt;", text)

    def convert_p(self, el, text, parent_tags):
        if not text.strip():
            return ""
        if "_inline" not in parent_tags:
            text = _escape_line_starts(text.strip(" \t\r\n"))
            if _BARE_URL.fullmatch(text) and el.find(True) is None:
                text = f"<{_address(el.get_text().strip())}>"  # WordPress embedded it
        return super().convert_p(el, text, parent_tags)

    def convert_hN(self, n, el, text, parent_tags):
        return super().convert_hN(n, el, text.replace("\n", " ").strip(), parent_tags)

    def convert_li(self, el, text, parent_tags):
        # python-markdown nests a list, or continues an item, four spaces in.
        text = (text or "").strip()
        if not text:
            return "\n"
        first, _, rest = text.partition("\n")  # what follows may be a nested list
        text = _escape_line_starts(first) + (f"\n{rest}" if rest else "")
        parent = el.parent
        if parent is not None and parent.name == "ol":
            start = parent.get("start")
            first = int(start) if start and str(start).isdigit() else 1
            before = sum(1 for sibling in el.previous_siblings if sibling.name == "li")
            bullet = f"{first + before}. "
        else:
            bullet = "- "
        lines = text.split("\n")
        rest = "\n".join(("    " + line) if line.strip() else "" for line in lines[1:])
        # An item of several paragraphs ends with a blank line, or the next item would read
        # as the end of its last paragraph.
        end = "\n\n" if "\n\n" in text else "\n"
        return f"{bullet}{lines[0]}\n{rest}{end}" if rest else f"{bullet}{lines[0]}{end}"

    def convert_cite(self, el, text, parent_tags):
        if el.find_parent("blockquote") is not None:
            text = text.strip()
            return f"\n\n— {text}\n\n" if text else ""
        return self._inline_html("cite", el, text, parent_tags)

    def convert_a(self, el, text, parent_tags):
        href = (el.get("href") or "").strip()
        if href and not href.startswith(("#", "mailto:")):
            el["href"] = _address(href)
        return super().convert_a(el, text, parent_tags)

    def convert_img(self, el, text, parent_tags):
        src = (el.get("src") or "").strip()
        if not src:
            return ""
        el["src"] = _address(src)
        el["alt"] = re.sub(r"[\[\]]", "", re.sub(r"\s+", " ", el.get("alt") or "")).strip()
        # A title is a caption here (see rendering._figure); WordPress's were file names.
        el.attrs.pop("title", None)
        if caption := el.attrs.pop(_CAPTION, None):
            el["title"] = caption
        return super().convert_img(el, text, parent_tags)

    def _inline_html(self, name, el, text, parent_tags):
        prefix, suffix, text = chomp(text)
        if not text:
            return ""
        self._keep(name)
        title = el.get("title") if name == "abbr" else None
        opening = f'<abbr title="{_attribute(title)}">' if title else f"<{name}>"
        return f"{prefix}{opening}{text}</{name}>{suffix}"

    def _unwrapped(self, el, text, parent_tags):
        return text

    def _dropped(self, el, text, parent_tags):
        if el.name not in {"script", "style", "noscript", "template"}:
            self._leave_out(el.name)
        return ""

    def get_conv_fn(self, tag_name):
        name = tag_name.lower()
        if name in _INLINE_HTML and name != "cite":
            return lambda el, text, parent_tags: self._inline_html(name, el, text, parent_tags)
        if name in _UNWRAPPED:
            return self._unwrapped
        if name in _DROPPED:
            return self._dropped
        return super().get_conv_fn(tag_name)

    # Blocks ------------------------------------------------------------------------------------

    def convert_pre(self, el, text, parent_tags):
        code = el.get_text().strip("\n")
        if not code.strip():
            return ""
        fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", code)), default=0))
        return f"\n\n{fence}{_language(el)}\n{code}\n{fence}\n\n"

    def convert_figure(self, el, text, parent_tags):
        classes = el.get("class") or []
        if "wp-block-embed" in classes or el.find("iframe") is not None:
            return self._embed(el)
        images = el.find_all("img")
        caption = el.find("figcaption", recursive=False)
        if len(images) != 1 or el.find(["figure", "table", "blockquote"]) is not None:
            return text  # a gallery (its figures converted one by one), a table, a quote
        text = self._caption(caption)
        plain = " ".join(caption.get_text().split()) if caption is not None else ""
        if text and caption.find(True) is None and '"' not in plain:
            # Plain text: the image's title, which the renderer shows as its figure's caption.
            images[0][_CAPTION], text = plain, ""
        image = self.process_tag(images[0].parent if images[0].parent.name == "a" else images[0],
                                 parent_tags=set())  # fmt: skip
        return "\n\n" + _figure(image, text) + "\n\n"

    def _caption(self, caption):
        """A figure's caption, as inline Markdown."""
        if caption is None:
            return ""
        parts = (self.process_element(child, {"_inline", "figcaption"}) for child in caption)
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def convert_figcaption(self, el, text, parent_tags):
        text = re.sub(r"\s+", " ", text).strip()
        return f"\n\n{_emphasised(text)}\n\n" if text else ""

    def _embed(self, el):
        url = el.get_text().strip().split()[0] if el.get_text().strip() else ""
        frame = el.find("iframe")
        if not url and frame is not None:
            url = _player_page(frame.get("src") or "")
        caption = self._caption(el.find("figcaption"))
        if not re.match(r"https?://", url):
            return f"\n\n{caption}\n\n" if caption else ""
        link = f"<{_address(url)}>"
        return "\n\n" + _figure(link, caption) + "\n\n"

    def convert_iframe(self, el, text, parent_tags):
        url = _player_page((el.get("src") or "").strip())
        if not re.match(r"https?://", url):
            self._leave_out("iframe")
            return ""
        title = (el.get("title") or "").strip()
        url = _address(url)
        link = f"[{self.escape(title, parent_tags)}]({url})" if title else f"<{url}>"
        return link if "_inline" in parent_tags else f"\n\n{link}\n\n"

    def _media(self, el, text, parent_tags):
        source = el.get("src") or el.get("data") or ""
        if not source:
            inner = el.find("source", src=True)
            source = inner.get("src") if inner else ""
        if not re.match(r"https?://", source.strip()):
            self._leave_out(el.name)
            return ""
        link = f"<{_address(source.strip())}>"
        return link if "_inline" in parent_tags else f"\n\n{link}\n\n"

    convert_video = convert_audio = convert_object = convert_embed = _media

    def convert_table(self, el, text, parent_tags):
        if _table_needs_html(el):
            self._keep("table")
            return "\n\n" + _clean_table(el) + "\n\n"
        return super().convert_table(el, text, parent_tags)

    def convert_td(self, el, text, parent_tags):
        return " " + _cell(text) + " |"

    convert_th = convert_td

    def convert_dl(self, el, text, parent_tags):
        self._keep("dl")
        html = nh3.clean(str(el), tags={"dl", "dt", "dd", *_INLINE_HTML, "a", "em", "strong",
                                        "code", "br"}, attributes={"a": {"href"}})  # fmt: skip
        return "\n\n" + html + "\n\n"

    def convert_details(self, el, text, parent_tags):
        return "\n\n" + text.strip() + "\n\n"

    def convert_summary(self, el, text, parent_tags):
        text = text.strip()
        return f"\n\n**{text}**\n\n" if text else ""

    def convert_button(self, el, text, parent_tags):
        return text


def _escape_line_starts(text):
    """Text that begins a line as if it were Markdown syntax, as text."""
    text = _LINE_START.sub(lambda m: m[1] + "\\" + m[2], text)
    return _ORDERED_START.sub(r"\1\\\2", text)


def _address(url):
    """A link's address written so Markdown reads it whole: spaces and unpaired brackets
    encoded."""
    url = url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
    if url.count("(") != url.count(")"):
        url = url.replace("(", "%28").replace(")", "%29")
    return url


def _attribute(value):
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _player_page(src):
    if src.startswith("//"):
        src = "https:" + src
    for pattern, page in _PLAYER_PAGES:
        if match := pattern.match(src):
            return page.format(match[1])
    return src


def _figure(image, caption):
    """An image and a caption with formatting (links, emphasis) under it, emphasised."""
    return f"{image}  \n{_emphasised(caption)}" if caption else image


def _emphasised(text):
    mark = "_" if "*" in text else "*"
    return f"{mark}{text}{mark}"


def _language(pre):
    """A code block's language: the block's (wp_markup put it on the <pre>), or a class."""
    language = pre.get("data-language", "")
    if _LANGUAGE.match(language):
        return language.lower()
    for element in (pre.find("code"), pre):
        if element is None:
            continue
        for name in element.get("class") or []:
            if match := _LANGUAGE_CLASS.match(name):
                return match[1].lower()
        if _LANGUAGE.match(element.get("lang", "")):
            return element["lang"].lower()
    if match := _BRUSH.search(" ".join(pre.get("class") or [])):
        return match[1].lower()
    return ""


def _cell(text):
    text = re.sub(r"\s*\n\s*", " ", text.strip())
    return text.replace("|", r"\|")


def _table_needs_html(table):
    """Whether a Markdown table would lose something of this one: merged cells, more than one
    header row, blocks in cells, a table in a table, an empty one."""
    rows = table.find_all("tr")
    if not rows or table.find("table") is not None:
        return True
    for cell in table.find_all(["td", "th"]):
        if cell.get("colspan", "1") != "1" or cell.get("rowspan", "1") != "1":
            return True
        if cell.find(["p", "ul", "ol", "pre", "blockquote", "br", "div", "img"]) is not None:
            return True
        if "|" in "".join(code.get_text() for code in cell.find_all("code")):
            return True
    head = table.find("thead")
    return head is not None and len(head.find_all("tr")) > 1


def _clean_table(table):
    """The table's HTML, as the renderer would keep it, on lines of its own."""
    attributes = {tag: set(names) for tag, names in rendering.ALLOWED_ATTRIBUTES.items()}
    for tag, names in _TABLE_ATTRIBUTES.items():
        attributes[tag] = (attributes.get(tag, set()) | names) - {"style", "align"}
    for names in attributes.values():
        names.discard("class")
        names.discard("id")
    clean = nh3.clean(
        str(table),
        tags=rendering.ALLOWED_TAGS - {"div", "span"},
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        strip_comments=True,
        link_rel=None,
    )
    return re.sub(r"\n\s*\n", "\n", clean).strip()


class Tally:
    """What the conversions of an import's posts did, added up for its report."""

    def __init__(self):
        self.markdown, self.with_html, self.per_post = 0, 0, []
        self.kept_html, self.unknown_shortcodes, self.left_out = {}, {}, {}

    def add(self, title, conversion):
        if not conversion:
            return
        if conversion["kept_html"]:
            self.with_html += 1
        else:
            self.markdown += 1
        for total, counts in (
            (self.kept_html, conversion["kept_html"]),
            (self.unknown_shortcodes, conversion["unknown_shortcodes"]),
            (self.left_out, conversion["left_out"]),
        ):
            for name, count in counts.items():
                total[name] = total.get(name, 0) + count
        if conversion["unknown_shortcodes"]:
            names = _counted(conversion["unknown_shortcodes"], "[{}]")
            self.per_post.append(f"“{title}”: shortcodes left in the text as they were: {names}.")

    def as_dict(self):
        return {
            "markdown": self.markdown,
            "with_html": self.with_html,
            "kept_html": self.kept_html,
            "unknown_shortcodes": self.unknown_shortcodes,
            "left_out": self.left_out,
        }

    def notes(self):
        """The report's lines about the conversion."""
        if not self.markdown + self.with_html:
            return []
        posts = self.markdown + self.with_html
        line = f"Converted to Markdown: {posts} post{'s' if posts != 1 else ''}"
        if self.with_html:
            line += (
                f", {self.with_html} of them keeping some HTML that Markdown has no form for "
                f"({_counted(self.kept_html, '<{}>')})"
            )
        notes = [line + "."]
        if self.unknown_shortcodes:
            notes.append(
                "Unknown shortcodes, left in the text for an editor to replace: "
                f"{_counted(self.unknown_shortcodes, '[{}]')}."
            )
        notes += self.per_post
        if self.left_out:
            notes.append(f"Left out of the text: {_counted(self.left_out, '{}')}.")
        return notes


def _counted(counts, form):
    return ", ".join(
        form.format(name) + (f" ×{count}" if count > 1 else "")
        for name, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    )
