"""Sections of a Markdown body that belong in the model: a leading heading that repeats the
title, an FAQ section, a References/Sources/Bibliography section, trailing "Topics:" and
"Tagged:" lines, and "Related:" links. Each `take_…` returns the body without what it took;
what cannot be interpreted stays in the body.
"""

import re

from blog.importers.records import web_url, year

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


def _normalise(title):
    return re.sub(r"\W+", " ", title).strip().lower()


def strip_title(body, title):
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


def take_faqs(body):
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


def take_references(body):
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
            "year": year(parsed["year"]),
            "url": url,
        }
    return {"title": label or url, "publisher": "", "year": None, "url": url}


def take_trailing_lines(body):
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


def related_links(body):
    """("Related:" link title, its target) pairs, to resolve once every post is in."""
    return [
        (link["text"].strip(), link["url"].strip())
        for line in body.split("\n")
        if (related := _RELATED.match(line))
        for link in _LINK.finditer(related["links"])
    ]
