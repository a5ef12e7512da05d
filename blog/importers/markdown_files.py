"""Reading a Markdown file with YAML (---) or TOML (+++) front matter into an ImportedPost.

What the body says in a conventional shape is moved into the model and out of the body: a
leading heading that repeats the title, an FAQ section, a References/Sources/Bibliography
section, and trailing "Topics:" and "Tagged:" lines. What cannot be interpreted stays.
"""

import datetime as dt
import re
import tomllib
from pathlib import PurePath

import yaml
from django.utils import timezone
from django.utils.text import slugify

from blog import rendering
from blog.importers import ImportedPost, ImportProblem
from blog.importers.text import decode, repair, repair_data

MAX_BYTES = 2 * 1024 * 1024
JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_KNOWN_KEYS = {
    "title", "description", "summary", "excerpt", "author", "authors", "tags", "topics",
    "categories", "date", "publishdate", "publish_date", "updated", "lastmod", "slug", "draft",
    "status", "canonical", "canonical_url", "canonicalurl", "image", "featured_image",
    "cover", "id", "faqs", "references", "featured_image_alt", "noindex", "byline",
}  # fmt: skip

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_HR = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_FAQ_HEADING = re.compile(r"\bFAQs?\b|frequently asked questions", re.I)
_REFERENCES_HEADING = re.compile(r"^\W*(references|sources|bibliography|works cited)\b", re.I)
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*:?\s*$")
_Q_LINE = re.compile(r"^\s*(?:\*\*|__)?(?:Q|Question)\s*[:.)](?:\*\*|__)?\s*(.+)$", re.I)
_A_PREFIX = re.compile(r"^\s*(?:\*\*|__)?(?:A|Answer)\s*[:.)](?:\*\*|__)?\s*", re.I)
_LIST_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s+(.*\S)\s*$")
_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<url>[^)\s]*)\)")
_BARE_URL = re.compile(r"<?(https?://[^\s>]+)>?")
_PUBLISHER_YEAR_TITLE = re.compile(
    r"^(?P<publisher>[^()]+?)\s*\((?P<year>\d{4})[^)]*\)\s*[.,:]?\s*(?:[—–-]+\s*)?(?P<title>.+)$"
)
_TRAILING_LABEL = re.compile(
    r"^\s*(?:\*\*|__)?(?P<label>Topics|Tagged|Tags|Mentions)\s*:?(?:\*\*|__)?\s*:?\s*(?P<rest>.*)$",
    re.I,
)
_RELATED = re.compile(r"^\s*[*_]{0,2}\s*Related\s*:?\s*[*_]{0,2}\s*:?\s*(?P<links>\[.*)$", re.I)
_CENTER_BLOCK = re.compile(r"^\s*<center>\s*(?P<inner>.*?)\s*</center>\s*", re.S | re.I)


def read(name, raw, source_id=None):
    """Parse one file's bytes; raise ImportProblem with the reason when it cannot be read.

    `source_id` names the file stably (its path inside the imported folder); the front
    matter's `id` wins over it.
    """
    if not raw.strip():
        raise ImportProblem("the file is empty")
    if len(raw) > MAX_BYTES:
        raise ImportProblem(f"the file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}")
    if b"\x00" in raw[:8192]:
        raise ImportProblem("this is a binary file, not Markdown")
    text = decode(raw)
    if text is None:
        raise ImportProblem("the text is neither UTF-8 nor Windows-1252 and cannot be repaired")
    meta, body = split_front_matter(repair(text))
    meta = {str(key).lower(): value for key, value in repair_data(meta).items()}
    stem = PurePath(name).stem if name != "-" else ""
    jekyll = JEKYLL_NAME.match(stem)
    jekyll_date = jekyll and _jekyll_date(jekyll)
    if not jekyll_date:
        jekyll = None

    body = body.strip("\n")
    title = _scalar(meta.get("title"), "title")
    exported = meta.get("byline") is not None  # written by export_posts: the body is as-is
    if not exported:
        body, heading_title = _strip_title(body, title)
        title = title or heading_title
    if not title:
        raise ImportProblem("no title: give one in the front matter or as a leading # heading")

    trailing, faqs, references = {}, [], []
    if not exported:
        body, trailing = _take_trailing_lines(body)
        body, faqs = _take_faqs(body)
        body, references = _take_references(body)

    topics = _list(meta.get("topics"), "topics") or _list(meta.get("categories"), "categories")
    topics += [t for t in trailing.get("topics", []) if t not in topics]
    extra = {key: value for key, value in meta.items() if key not in _KNOWN_KEYS}
    if trailing.get("tagged"):
        extra["tagged"] = trailing["tagged"]

    slug = _scalar(meta.get("slug"), "slug") or (jekyll and jekyll[4]) or slugify(title)
    fallback_id = source_id or (jekyll and jekyll[4]) or stem
    return ImportedPost(
        source_id=_scalar(meta.get("id"), "id") or fallback_id or slugify(slug),
        title=title,
        slug=slugify(slug)[:200] or slugify(title)[:200] or "post",
        description=_scalar(
            meta.get("description") or meta.get("summary") or meta.get("excerpt"), "description"
        ),
        authors=_authors(meta.get("authors") or meta.get("author")),
        tags=[tag[:100] for tag in _list(meta.get("tags"), "tags")],
        topics=topics,
        publish_at=_when(meta.get("date") or meta.get("publishdate") or meta.get("publish_date"))
        or jekyll_date,
        updated_at=_when(meta.get("updated") or meta.get("lastmod")),
        status=_status(meta),
        canonical_url=web_url(
            _scalar(
                meta.get("canonical_url") or meta.get("canonicalurl") or meta.get("canonical"),
                "canonical URL",
            )
        ),  # fmt: skip
        featured_image=_scalar(
            meta.get("featured_image") or meta.get("image") or meta.get("cover"), "image"
        ),
        featured_image_alt=_scalar(meta.get("featured_image_alt"), "featured_image_alt"),
        noindex=meta.get("noindex") is True,
        body=body.strip(),
        faqs=_front_matter_faqs(meta.get("faqs")) + faqs,
        references=_front_matter_references(meta.get("references")) + references,
        related=[] if exported else _related_links(body),
        metadata=extra,
    )


def web_url(value):
    """An http(s) address that fits a URL field, or "" for anything else."""
    return rendering.web_url(value) if len(value) <= 500 else ""


def _jekyll_date(match):
    try:
        return _when(f"{match[1]}-{match[2]}-{match[3]}")
    except ImportProblem:
        return None


def _scalar(value, field):
    """A text value; a list or mapping where text belongs is refused with a reason."""
    if value is None:
        return ""
    if isinstance(value, dict | list | tuple):
        raise ImportProblem(f"“{field}” should be text, not {type(value).__name__}")
    return str(value).strip()


def _authors(value):
    """Names from a name, a list of names, or {name: …} mappings (as Hugo and others write)."""
    if isinstance(value, dict):
        value = [value]
    if isinstance(value, list):
        return [
            _scalar(item.get("name"), "author name") if isinstance(item, dict) else
            _scalar(item, "author")
            for item in value
            if item not in (None, "")
        ]  # fmt: skip
    return _list(value, "author")


def _front_matter_faqs(value):
    """FAQs given in front matter (as export_posts writes them): [{question, answer}]."""
    if not isinstance(value, list):
        return []
    return [
        (str(entry["question"]).strip(), str(entry.get("answer", "")).strip())
        for entry in value
        if isinstance(entry, dict) and entry.get("question")
    ]


def _front_matter_references(value):
    if not isinstance(value, list):
        return []
    return [
        {
            "title": str(entry.get("title") or entry.get("url") or "").strip(),
            "publisher": str(entry.get("publisher") or "").strip(),
            "year": _year(entry.get("year")),
            "url": web_url(str(entry.get("url") or "").strip()),
        }
        for entry in value
        if isinstance(entry, dict) and (entry.get("title") or entry.get("url"))
    ]


def write(post):
    """The post as Markdown with YAML front matter, in the form `read` takes back."""
    meta = {
        "byline": 1,  # this file's body is exactly the post's: read it back as it is
        "title": post.title,
        "slug": post.slug,
        "description": post.description,
        "authors": [author.name for author in post.authors.order_by("postauthor__order")],
        "tags": sorted(post.tags.names()),
        "topics": list(post.topics.order_by("name").values_list("name", flat=True)),
        "date": post.publish_at.isoformat(),
        "status": post.status,
        "id": post.source_id or str(post.uuid),
    }
    if post.canonical_url:
        meta["canonical_url"] = post.canonical_url
    if post.noindex:
        meta["noindex"] = True
    if post.featured_image:
        meta["featured_image"] = post.featured_image.url
    if post.featured_image_alt:
        meta["featured_image_alt"] = post.featured_image_alt
    for key, value in post.metadata.items():
        if key not in meta:
            meta[key] = value
    if faqs := list(post.faqs.values_list("question", "answer")):
        meta["faqs"] = [{"question": q, "answer": a} for q, a in faqs]
    if references := list(post.references.values("title", "publisher", "year", "url")):
        meta["references"] = [
            {k: v for k, v in r.items() if v not in ("", None)} for r in references
        ]
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{front}---\n\n{post.body.strip()}\n"


def split_front_matter(text):
    """(front-matter dict, body) for YAML between --- lines or TOML between +++ lines."""
    for fence, parse in (("---", _parse_yaml), ("+++", _parse_toml)):
        if text.startswith(fence + "\n"):
            end = re.search(rf"^{re.escape(fence)}\s*$", text[len(fence) + 1 :], re.M)
            if end is None:
                raise ImportProblem(f"the front matter opened with {fence} is never closed")
            start = len(fence) + 1
            return parse(text[start : start + end.start()]), text[start + end.end() :]
    return {}, text


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without aliases (*name): a few bytes of them can expand to gigabytes."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise ImportProblem(
                "the YAML front matter uses aliases (*name), which are not accepted"
            )
        return super().compose_node(parent, index)


def _parse_yaml(source):
    try:
        data = yaml.load(source, Loader=_NoAliasLoader)  # a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ImportProblem(f"the YAML front matter is invalid{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ImportProblem("the YAML front matter is not a set of key: value pairs")
    return data


def _parse_toml(source):
    try:
        return tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise ImportProblem(f"the TOML front matter is invalid: {error}") from None


def _list(value, field):
    """Words from a comma-separated text or a list of words (numbers are fine too)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int | float):
        return [str(value)]
    if isinstance(value, list | tuple):
        words = []
        for item in value:
            if item is None or item == "":
                continue
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise ImportProblem(f"“{field}” should be a list of words; {item!r} is not one")
            words.append(str(item).strip())
        return [word for word in words if word]
    raise ImportProblem(f"“{field}” should be a list of words, not {type(value).__name__}")


def _when(value):
    """A publish time from a date, a datetime or text; naive times are in TIME_ZONE."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(9, 0))
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ImportProblem(f"“{value}” is not a date (use 2024-05-01 or ISO 8601)") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _status(meta):
    draft = meta.get("draft")
    if draft is True or str(draft).lower() in {"true", "yes"}:
        return "draft"
    status = _scalar(meta.get("status"), "status").lower()
    return {
        "draft": "draft",
        "review": "review",
        "pending": "review",
        "in review": "review",
        "published": "published",
        "publish": "published",
        "archived": "archived",
    }.get(status)


def _normalise(title):
    return re.sub(r"\W+", " ", title).strip().lower()


def _strip_title(body, title):
    """Drop a leading heading that repeats the title (also inside <center>), and the rule
    that often follows it. Without a title, a leading # heading becomes it."""
    center = _CENTER_BLOCK.match(body)
    candidate, rest = (center["inner"], body[center.end() :]) if center else (body, None)
    lines = candidate.lstrip("\n").split("\n")
    heading = _HEADING.match(lines[0]) if lines else None
    if heading and (not title or _normalise(heading[2]) == _normalise(title)):
        if center and len([line for line in lines if line.strip()]) > 1:
            return body, ""  # a centred block with more than the heading: keep it whole
        remaining = rest if center else "\n".join(lines[1:])
        remaining = remaining.lstrip("\n")
        while remaining and _HR.match(remaining.split("\n", 1)[0]):
            remaining = remaining.split("\n", 1)[1].lstrip("\n") if "\n" in remaining else ""
        return remaining, "" if title else _strip_markup(heading[2])
    return body, ""


def _strip_markup(text):
    return re.sub(r"[*_`]+", "", text).strip()


def _sections(lines):
    """Yield (start, end, level, heading text) for every heading's section."""
    headings = [(i, _HEADING.match(line)) for i, line in enumerate(lines)]
    headings = [(i, len(m[1]), m[2]) for i, m in headings if m]
    for index, (start, level, text) in enumerate(headings):
        end = next((i for i, lvl, _ in headings[index + 1 :] if lvl <= level), len(lines))
        yield start, end, level, text


def _cut(lines, start, end):
    """Remove lines[start:end] and a horizontal rule left dangling just before it."""
    before = lines[:start]
    while before and not before[-1].strip():
        before.pop()
    if before and _HR.match(before[-1]):
        before.pop()
    return before + [""] + lines[end:]


def _section_body(lines, start, end):
    body = lines[start + 1 : end]
    while body and (not body[-1].strip() or _HR.match(body[-1])):
        body.pop()
    return body


def _take_faqs(body):
    lines = body.split("\n")
    for start, end, level, text in _sections(lines):
        if not _FAQ_HEADING.search(text):
            continue
        faqs = _parse_faqs(_section_body(lines, start, end), level)
        if faqs:
            return "\n".join(_cut(lines, start, end)).strip("\n"), faqs
    return body, []


def _parse_faqs(lines, level):
    """Questions as bold lines, sub-headings or Q:; answers (A: optional) until the next."""
    faqs, question, answer = [], None, []
    unanswered = False

    def finish():
        nonlocal unanswered
        if question is None:
            return
        if "\n".join(answer).strip():
            faqs.append((question, "\n".join(answer).strip()))
        else:
            unanswered = True

    for line in lines:
        heading = _HEADING.match(line)
        q = _Q_LINE.match(line)
        bold = _BOLD_LINE.match(line)
        if (heading and len(heading[1]) > level) or q or (bold and bold[1].strip().endswith("?")):
            finish()
            question = _strip_markup((heading and heading[2]) or (q and q[1]) or bold[1])
            answer = []
        elif question is not None:
            answer.append(_A_PREFIX.sub("", line, count=1) if not answer else line)
        elif line.strip():
            return []  # text before any question: not an FAQ in a shape we know
    finish()
    return [] if unanswered else faqs  # a question without an answer: leave it all in the body


def _take_references(body):
    lines = body.split("\n")
    for start, end, _level, text in _sections(lines):
        if not _REFERENCES_HEADING.match(_strip_markup(text)):
            continue
        references, leftovers = [], []
        for line in _section_body(lines, start, end):
            item = _LIST_ITEM.match(line)
            reference = _parse_reference(item[1]) if item else None
            if reference:
                references.append(reference)
            elif line.strip():
                leftovers.append(line)
        if not references:
            continue
        if leftovers:  # what we could not read stays in the body, under its heading
            kept = [*lines[:start], lines[start], "", *leftovers, "", *lines[end:]]
        else:
            kept = _cut(lines, start, end)
        return "\n".join(kept).strip("\n"), references
    return body, []


def _parse_reference(text):
    """A reference from one list item, or None when it has no web address to cite."""
    link = _LINK.search(text)
    if link:
        url, label = link["url"], link["text"]
        outside = (text[: link.start()] + " " + text[link.end() :]).strip(" .—–-")
        label = (
            f"{label} — {outside}" if outside and not _PUBLISHER_YEAR_TITLE.match(label) else label
        )
    else:
        bare = _BARE_URL.search(text)
        if not bare:
            return None
        url, label = bare[1].rstrip(".,"), text[: bare.start()].strip(" .—–-:")
    if not web_url(url):
        return None  # javascript:, relative or otherwise not citable: it stays in the body
    label = _strip_markup(label)
    parsed = _PUBLISHER_YEAR_TITLE.match(label)
    if parsed:
        return {
            "title": parsed["title"].strip(" ."),
            "publisher": parsed["publisher"].strip(" .,"),
            "year": _year(parsed["year"]),
            "url": url,
        }
    return {"title": label or url, "publisher": "", "year": None, "url": url}


def _year(value):
    year = int(value) if str(value or "").strip().isdigit() else None
    return year if year and 1000 <= year <= 2999 else None


def _take_trailing_lines(body):
    """Topics: and Tagged:/Mentions: lines at the end of the body (value on the same line or
    the next one)."""
    lines = body.rstrip("\n").split("\n")
    found = {}
    while lines:
        while lines and (not lines[-1].strip() or _HR.match(lines[-1])):
            lines.pop()
        if not lines:
            break
        value_line = lines[-1]
        label = _TRAILING_LABEL.match(value_line)
        if label is None and len(lines) > 1:
            label = _TRAILING_LABEL.match(lines[-2])
            if label is None or label["rest"].strip():
                break
            rest, consumed = value_line, 2
        elif label is not None:
            rest, consumed = label["rest"], 1
        else:
            break
        kind = label["label"].lower()
        if kind == "topics":
            found["topics"] = [t.strip(" .") for t in re.split(r",|;", rest) if t.strip(" .")]
        else:
            found["tagged"] = re.findall(r"@[\w.]+", rest) or [
                t.strip() for t in rest.split(",") if t.strip()
            ]
        del lines[-consumed:]
    return "\n".join(lines), found


def _related_links(body):
    """("Related:" link title, its target) pairs, to resolve once every post is in."""
    return [
        (link["text"].strip(), link["url"].strip())
        for line in body.split("\n")
        if (related := _RELATED.match(line))
        for link in _LINK.finditer(related["links"])
    ]
